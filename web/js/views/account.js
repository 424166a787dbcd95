// The account page: saved cards. A card number is sent once, to the vault,
// and never shown again: the page lists brand and last four only, and
// clears the number and CVC fields as soon as the card is saved.
import { describeError } from '../api.js';
import { el, field, messageBox, replace, showMessage } from '../dom.js';
import { authed, currentUser } from '../session.js';
import { setTitle } from '../app.js';
import { requireLogin } from './auth.js';

const kTemplateText = {
  order_received: 'Order received e-mail',
  payment_confirmed: 'Payment confirmed e-mail',
  order_cancelled: 'Order cancelled e-mail',
  order_shipped: 'Order shipped e-mail',
};
const kStatusText = { queued: 'waiting to be sent', sent: 'sent', failed: 'could not be sent' };

export function cardLabel(card) {
  return `${card.brand} ending in ${card.last4}, expires ${String(card.exp_month).padStart(2, '0')}/${card.exp_year}`;
}

export async function loadCards() {
  const page = await authed('GET', '/api/v1/payment-methods');
  return Array.isArray(page) ? page : page.items ?? [];
}

// The add-card form; `onSaved(card)` runs after a 201.
export function cardForm(onSaved) {
  const message = messageBox();
  const number = el('input', { type: 'text', name: 'number', inputmode: 'numeric', autocomplete: 'cc-number', required: true, id: 'card-number' });
  const month = el('input', { type: 'number', name: 'exp_month', min: 1, max: 12, required: true, autocomplete: 'cc-exp-month' });
  const year = el('input', { type: 'number', name: 'exp_year', min: 2000, max: 2100, required: true, autocomplete: 'cc-exp-year' });
  const cvc = el('input', { type: 'text', name: 'cvc', inputmode: 'numeric', autocomplete: 'cc-csc', required: true, maxlength: 4 });
  const button = el('button', { type: 'submit' }, 'Save card');
  const form = el('form', {
    'aria-label': 'Add a card',
    onsubmit: async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        const card = await authed('POST', '/api/v1/payment-methods', {
          body: { card: { number: number.value, exp_month: Number(month.value), exp_year: Number(year.value), cvc: cvc.value } },
        });
        number.value = '';
        cvc.value = '';
        showMessage(message, 'success', `Saved: ${cardLabel(card)}.`);
        onSaved(card);
      } catch (error) {
        showMessage(message, 'error', describeError(error, 'save the card'));
      } finally {
        button.disabled = false;
      }
    },
  },
  el('label', {}, 'Card number', number),
  el('div', { class: 'row' }, el('label', {}, 'Expiry month', month), el('label', {}, 'Expiry year', year), el('label', {}, 'CVC', cvc)),
  button);
  return el('div', {}, form, message);
}

export async function showAccount(main) {
  setTitle(main, 'Your account');
  const user = currentUser();
  if (!requireLogin(main, user, '#/account')) return;
  main.append(el('p', {}, `Signed in as ${user.name} (${user.email}).`));
  main.append(el('h2', {}, 'Saved cards'));
  const list = el('ul', { id: 'cards' });
  const message = messageBox();
  main.append(list, message);
  const draw = async () => {
    try {
      const cards = await loadCards();
      replace(list, cards.length ? cards.map((card) => el('li', {}, cardLabel(card))) : el('li', {}, 'No saved card yet.'));
    } catch (error) {
      showMessage(message, 'error', describeError(error, 'load your cards'));
    }
  };
  await draw();
  main.append(el('h2', {}, 'Add a card'), el('p', { class: 'muted' }, 'Test cards: 4242 4242 4242 4242 is approved, 4000 0000 0000 0002 is declined.'), cardForm(draw));
  main.append(el('h2', {}, 'Notifications'));
  const notices = el('ul', { id: 'notifications' });
  main.append(notices);
  try {
    const page = await authed('GET', '/api/v1/notifications');
    const items = page.items ?? [];
    replace(notices, items.length ? items.map((n) => el('li', {}, `${kTemplateText[n.template] ?? n.template}: ${kStatusText[n.status] ?? n.status}`)) : el('li', {}, 'No notifications yet.'));
  } catch (error) {
    replace(notices, el('li', {}, describeError(error, 'load your notifications')));
  }
}
