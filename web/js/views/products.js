// The product list: search, one page at a time (the API's opaque cursors;
// the cursors of earlier pages are kept in the URL so Back works).
import { api, describeError } from '../api.js';
import { el, messageBox, showMessage } from '../dom.js';
import { formatMoney } from '../money.js';
import { addToCart } from '../cart.js';
import { navigate, setTitle } from '../app.js';

export const kPageSize = 12;

export function stockText(stock) {
  return stock > 0 ? `In stock: ${stock}` : 'Out of stock';
}

function productCard(product, message) {
  const add = el('button', {
    type: 'button', disabled: product.stock <= 0, 'aria-label': `Add ${product.name} to cart`,
    onclick: () => { addToCart(product, 1); showMessage(message, 'success', `Added ${product.name} to your cart.`); },
  }, 'Add to cart');
  return el('li', { class: 'card' },
    el('h2', {}, el('a', { href: `#/product/${encodeURIComponent(product.id)}` }, product.name)),
    el('p', { class: 'price' }, formatMoney(product.price)),
    el('p', { class: product.stock > 0 ? 'stock' : 'stock none' }, stockText(product.stock)),
    add);
}

export async function showProducts(main, { query }) {
  const q = query.get('q') ?? '';
  const trail = (query.get('trail') ?? '').split(',').filter(Boolean);  // cursors of the pages before this one
  const cursor = trail.at(-1) ?? '';
  setTitle(main, q ? `Products matching “${q}”` : 'Products');
  const search = el('input', { type: 'search', name: 'q', value: q, id: 'search' });
  main.append(el('form', {
    class: 'search', role: 'search',
    onsubmit: (event) => {
      event.preventDefault();
      const text = search.value.trim();
      navigate(text ? `#/?q=${encodeURIComponent(text)}` : '#/');
    },
  }, el('label', {}, 'Search products', search), el('button', { type: 'submit' }, 'Search')));
  const message = messageBox();
  main.append(message);

  const params = new URLSearchParams({ limit: String(kPageSize) });
  if (q) params.set('q', q);
  if (cursor) params.set('cursor', cursor);
  let page;
  try {
    page = await api('GET', `/api/v1/products?${params}`);
  } catch (error) {
    showMessage(message, 'error', describeError(error, 'load the products'));
    return;
  }
  if (page.items.length === 0) {
    main.append(el('p', {}, q ? 'No product matches this search.' : 'No products yet.'));
  } else {
    main.append(el('ul', { class: 'products', 'aria-label': 'Products' }, page.items.map((product) => productCard(product, message))));
  }
  const link = (nextTrail) => {
    const next = new URLSearchParams();
    if (q) next.set('q', q);
    if (nextTrail.length) next.set('trail', nextTrail.join(','));
    const text = next.toString();
    return `#/${text ? `?${text}` : ''}`;
  };
  const pager = el('nav', { class: 'pager', 'aria-label': 'Pages' });
  if (trail.length) pager.append(el('a', { href: link(trail.slice(0, -1)), rel: 'prev' }, 'Previous page'));
  if (page.next_cursor) pager.append(el('a', { href: link([...trail, page.next_cursor]), rel: 'next' }, 'Next page'));
  main.append(pager);
}
