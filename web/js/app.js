// The storefront's entry point: a hash router (#/product/ID, ...) so the
// server only ever serves index.html and its assets, and a header that
// follows the session and the cart.
import { el, replace } from './dom.js';
import { cartCount, onCartChange } from './cart.js';
import { currentUser, isAdmin, logOut, onSessionChange } from './session.js';
import { showProducts } from './views/products.js';
import { showProduct } from './views/product.js';
import { showCart } from './views/cart.js';
import { showLogin, showSignup } from './views/auth.js';
import { showAccount } from './views/account.js';
import { showCheckout } from './views/checkout.js';
import { showOrders, showOrder } from './views/orders.js';
import { showAdmin } from './views/admin.js';

const routes = [
  [/^\/$/, showProducts],
  [/^\/product\/([^/]+)$/, showProduct],
  [/^\/cart$/, showCart],
  [/^\/login$/, showLogin],
  [/^\/signup$/, showSignup],
  [/^\/account$/, showAccount],
  [/^\/checkout$/, showCheckout],
  [/^\/orders$/, showOrders],
  [/^\/orders\/([^/]+)$/, showOrder],
  [/^\/admin$/, showAdmin],
];

let cleanup = null;

function parseHash() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = hash.split('?');
  return { path, query: new URLSearchParams(query) };
}

export function navigate(hash) {
  if (location.hash === hash) render(); else location.hash = hash;
}

export function setTitle(main, text) {
  document.title = `${text} · Orderly`;
  const heading = el('h1', {}, text);
  main.append(heading);
  return heading;
}

async function render() {
  if (cleanup) { cleanup(); cleanup = null; }
  const main = document.getElementById('main');
  const { path, query } = parseHash();
  replace(main);
  const route = routes.find(([pattern]) => pattern.test(path));
  if (!route) {
    setTitle(main, 'Page not found');
    main.append(el('p', {}, 'There is no page here. ', el('a', { href: '#/' }, 'Back to the products')));
    return;
  }
  const params = path.match(route[0]).slice(1).map(decodeURIComponent);
  try {
    cleanup = (await route[1](main, { params, query })) ?? null;
  } finally {
    // Move focus to the new page so keyboard and screen-reader users start at its top.
    if (document.activeElement === document.body || !main.contains(document.activeElement)) main.focus();
  }
}

function renderNav() {
  const nav = document.getElementById('nav');
  const user = currentUser();
  const count = cartCount();
  const links = [
    el('a', { href: '#/' }, 'Products'),
    el('a', { href: '#/cart', id: 'cart-link' }, `Cart (${count})`),
  ];
  if (user) {
    links.push(el('a', { href: '#/orders' }, 'Orders'), el('a', { href: '#/account' }, 'Account'));
    if (isAdmin()) links.push(el('a', { href: '#/admin' }, 'Admin'));
    // logOut() signs out at once and tells the server afterwards: navigate
    // now, so a page opened meanwhile is not replaced when the server answers.
    links.push(el('button', { type: 'button', class: 'secondary', onclick: () => { logOut(); navigate('#/'); } }, 'Log out'));
  } else {
    links.push(el('a', { href: '#/login' }, 'Log in'), el('a', { href: '#/signup' }, 'Sign up'));
  }
  replace(nav, links);
}

onSessionChange(renderNav);
onCartChange(renderNav);
window.addEventListener('storage', renderNav);
window.addEventListener('hashchange', render);
renderNav();
render();
