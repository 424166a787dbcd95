// The cart: change quantities, remove lines, go to checkout.
import { el, messageBox, replace, showMessage } from '../dom.js';
import { formatMoney } from '../money.js';
import { cartLines, cartTotal, setQuantity } from '../cart.js';
import { setTitle } from '../app.js';

export function showCart(main) {
  setTitle(main, 'Your cart');
  const body = el('div');
  const message = messageBox();
  main.append(message, body);
  const draw = () => {
    const lines = cartLines();
    if (lines.length === 0) {
      replace(body, el('p', {}, 'Your cart is empty. ', el('a', { href: '#/' }, 'Browse the products')));
      return;
    }
    const rows = lines.map((line) => {
      const quantity = el('input', {
        type: 'number', min: 0, value: String(line.quantity), inputmode: 'numeric', 'aria-label': `Quantity of ${line.name}`,
        onchange: () => {
          const count = Number.parseInt(quantity.value, 10);
          if (!Number.isInteger(count) || count < 0) { showMessage(message, 'error', 'A quantity is a whole number, 0 or more.'); return; }
          setQuantity(line.product_id, count);
          draw();
        },
      });
      return el('tr', {},
        el('td', {}, el('a', { href: `#/product/${encodeURIComponent(line.product_id)}` }, line.name)),
        el('td', { 'data-label': 'Price' }, formatMoney(line.price)),
        el('td', { 'data-label': 'Quantity' }, quantity),
        el('td', { 'data-label': 'Subtotal' }, formatMoney({ amount: line.price.amount * line.quantity, currency: line.price.currency })),
        el('td', {}, el('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${line.name}`,
          onclick: () => { setQuantity(line.product_id, 0); draw(); } }, 'Remove')));
    });
    replace(body,
      el('table', {}, el('caption', { class: 'muted' }, 'Products in your cart'),
        el('thead', {}, el('tr', {}, ['Product', 'Price', 'Quantity', 'Subtotal', ''].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows)),
      el('p', { class: 'total' }, `Total: ${formatMoney(cartTotal(lines))}`),
      el('p', {}, el('a', { class: 'button', href: '#/checkout' }, 'Checkout')));
  };
  draw();
}
