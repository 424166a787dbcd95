// Money is an integer of minor units plus an ISO 4217 currency (API.md).
const formats = new Map();

export function formatMoney(money) {
  if (!money || typeof money.amount !== 'number') return '';
  const currency = typeof money.currency === 'string' && /^[A-Z]{3}$/.test(money.currency) ? money.currency : 'USD';
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en', { style: 'currency', currency });
    formats.set(currency, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits;
  return format.format(money.amount / 10 ** digits);
}
