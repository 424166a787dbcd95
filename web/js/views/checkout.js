// Checkout: a saved card (or a new one), a shipping address, Place order.
import { describeError } from '../api.js';
import { el, messageBox, replace, showMessage, clearMessage } from '../dom.js';
import { formatMoney } from '../money.js';
import { cartLines, cartTotal, clearCart } from '../cart.js';
import { authed, currentUser } from '../session.js';
import { CheckoutKey, SingleFlight } from '../idempotency.js';
import { navigate, setTitle } from '../app.js';
import { requireLogin } from './auth.js';
import { cardForm, cardLabel, loadCards } from './account.js';

const checkoutKey = new CheckoutKey();  // kept across visits of the page: a retry after Back reuses the key
const flights = new SingleFlight();

const kAddressFields = [
  ['name', 'Full name', 'name'],
  ['line1', 'Address', 'address-line1'],
  ['city', 'City', 'address-level2'],
  ['postal_code', 'Postal code', 'postal-code'],
  ['country', 'Country (2 letters, e.g. GB)', 'country'],
];

export async function showCheckout(main) {
  setTitle(main, 'Checkout');
  const user = currentUser();
  if (!requireLogin(main, user, '#/checkout')) return;
  const lines = cartLines();
  if (lines.length === 0) {
    main.append(el('p', {}, 'Your cart is empty. ', el('a', { href: '#/' }, 'Browse the products')));
    return;
  }
  main.append(el('h2', {}, 'Order summary'),
    el('ul', {}, lines.map((line) => el('li', {}, `${line.quantity} × ${line.name}: ${formatMoney({ amount: line.price.amount * line.quantity, currency: line.price.currency })}`))),
    el('p', { class: 'total' }, `Total: ${formatMoney(cartTotal(lines))}`));

  const message = messageBox();
  const cardChoice = el('select', { name: 'payment_method_id', id: 'card', required: true });
  const cardsBox = el('div');
  const drawCards = async (selectId) => {
    const cards = await loadCards();
    replace(cardChoice, cards.map((card) => el('option', { value: card.id, selected: card.id === selectId }, cardLabel(card))));
    replace(cardsBox, cards.length
      ? el('label', {}, 'Pay with', cardChoice)
      : el('p', {}, 'No saved card yet: add one below.'));
  };
  try {
    await drawCards();
  } catch (error) {
    showMessage(message, 'error', describeError(error, 'load your cards'));
  }
  const address = kAddressFields.map(([name, label, autocomplete]) =>
    [name, el('input', { type: 'text', name, autocomplete, required: true, id: `address-${name}` }), label]);
  const place = el('button', { type: 'submit', id: 'place-order' }, 'Place order');
  const form = el('form', {
    'aria-label': 'Checkout',
    onsubmit: (event) => {
      event.preventDefault();
      const body = {
        items: cartLines().map((line) => ({ product_id: line.product_id, quantity: line.quantity })),
        payment_method_id: cardChoice.value,
        shipping_address: Object.fromEntries(address.map(([name, input]) => [name, input.value.trim()])),
      };
      if (!body.payment_method_id) { showMessage(message, 'error', 'Add a card first.'); return; }
      const key = checkoutKey.keyFor(body);
      clearMessage(message);
      place.disabled = true;
      place.setAttribute('aria-busy', 'true');
      flights.run(key, () => authed('POST', '/api/v1/orders', { body, headers: { 'Idempotency-Key': key } }))
        .then((order) => {
          clearCart();
          navigate(`#/orders/${encodeURIComponent(order.id)}`);
        })
        .catch((error) => {
          showMessage(message, 'error', describeError(error, 'place the order'));
        })
        .finally(() => { place.disabled = false; place.removeAttribute('aria-busy'); });
    },
  },
  el('h2', {}, 'Payment'), cardsBox,
  el('h2', {}, 'Shipping address'), address.map(([, input, label]) => el('label', {}, label, input)),
  place);
  main.append(form, message,
    el('details', {}, el('summary', {}, 'Add another card'), cardForm((card) => drawCards(card.id))));
}
