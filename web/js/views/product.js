// One product: description, price, the stock left, and a quantity to add.
import { api, describeError } from '../api.js';
import { el, messageBox, showMessage } from '../dom.js';
import { formatMoney } from '../money.js';
import { addToCart } from '../cart.js';
import { setTitle } from '../app.js';
import { stockText } from './products.js';

export async function showProduct(main, { params: [id] }) {
  const message = messageBox();
  let product;
  try {
    product = await api('GET', `/api/v1/products/${encodeURIComponent(id)}`);
  } catch (error) {
    setTitle(main, 'Product');
    main.append(message);
    showMessage(message, 'error', describeError(error, 'load this product'));
    return;
  }
  setTitle(main, product.name);
  const quantity = el('input', { type: 'number', id: 'quantity', min: 1, max: Math.max(1, product.stock), value: '1', inputmode: 'numeric' });
  main.append(
    el('p', { class: 'muted' }, `SKU ${product.sku}`),
    el('p', {}, product.description),
    el('p', { class: 'price' }, formatMoney(product.price)),
    el('p', { class: product.stock > 0 ? 'stock' : 'stock none', id: 'stock' }, stockText(product.stock)),
    el('form', {
      onsubmit: (event) => {
        event.preventDefault();
        const count = Number.parseInt(quantity.value, 10);
        if (!Number.isInteger(count) || count < 1) {
          showMessage(message, 'error', 'Enter a quantity of at least 1.');
          return;
        }
        addToCart(product, count);
        showMessage(message, 'success', `Added ${count} × ${product.name} to your cart.`);
      },
    }, el('label', {}, 'Quantity', quantity), el('button', { type: 'submit', disabled: product.stock <= 0 }, 'Add to cart')),
    message,
    el('p', {}, el('a', { href: '#/' }, 'Back to the products')));
}
