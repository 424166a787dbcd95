// The customer's orders, and one order whose status follows the checkout
// saga live: through the Server-Sent Events route of API.md
// (order_status.js), and when that cannot be opened or breaks off before the
// order settles, by polling with back-off (0.5 s doubling to 8 s).
import { describeError } from '../api.js';
import { followOrderStatus } from '../order_status.js';
import { el, messageBox, replace, showMessage } from '../dom.js';
import { formatMoney } from '../money.js';
import { authed, currentUser } from '../session.js';
import { setTitle } from '../app.js';
import { requireLogin } from './auth.js';

const kFinal = new Set(['paid', 'cancelled', 'shipped', 'delivered', 'refunded']);
const kFirstPoll = 500;
const kMaxPoll = 8000;

const kStatusText = {
  pending_payment: 'Waiting for payment',
  paid: 'Paid',
  shipped: 'Shipped',
  partially_shipped: 'Partly shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
  partially_refunded: 'Partly refunded',
};

const kReasonText = {
  payment_declined: 'Your card was declined, so nothing was charged and the products went back in stock. Try another card.',
  payment_failed: 'The payment failed, so nothing was charged and the products went back in stock. Try again later or use another card.',
  cancelled_by_user: 'You cancelled this order.',
  reservation_expired: 'The order was not paid in time, so it was cancelled and the products went back in stock.',
};

export function statusText(status) { return kStatusText[status] ?? status; }

export async function showOrders(main) {
  setTitle(main, 'Your orders');
  if (!requireLogin(main, currentUser(), '#/orders')) return;
  const message = messageBox();
  main.append(message);
  try {
    const page = await authed('GET', '/api/v1/orders');
    const orders = page.items ?? [];
    if (orders.length === 0) { main.append(el('p', {}, 'No orders yet.')); return; }
    main.append(el('ul', { id: 'orders' }, orders.map((order) => el('li', {},
      el('a', { href: `#/orders/${encodeURIComponent(order.id)}` }, `Order ${order.id}`), ' · ',
      el('span', { class: `status ${order.status}` }, statusText(order.status)), ' · ', formatMoney(order.total)))));
  } catch (error) {
    showMessage(message, 'error', describeError(error, 'load your orders'));
  }
}

export async function showOrder(main, { params: [id] }) {
  setTitle(main, 'Your order');
  if (!requireLogin(main, currentUser(), `#/orders/${encodeURIComponent(id)}`)) return;
  const status = el('p', { id: 'order-status', 'aria-live': 'polite' });
  const reason = messageBox();
  const details = el('div');
  const message = messageBox();
  main.append(status, reason, details, message);
  let timer = null;
  let stopped = false;
  let delay = kFirstPoll;

  const draw = (order) => {
    replace(status, 'Status: ', el('span', { class: `status ${order.status}`, 'data-status': order.status }, statusText(order.status)));
    if (order.status === 'cancelled' && order.cancel_reason) {
      showMessage(reason, order.cancel_reason === 'cancelled_by_user' ? 'info' : 'error', kReasonText[order.cancel_reason] ?? `Cancelled: ${order.cancel_reason}.`);
    } else if (order.status === 'paid') {
      showMessage(reason, 'success', 'Payment received. Thank you! A confirmation e-mail is on its way.');
    } else if (order.status === 'pending_payment') {
      showMessage(reason, 'info', 'Your products are reserved; the payment is being processed.');
    }
    replace(details,
      el('p', { class: 'muted' }, `Order ${order.id}, placed ${new Date(order.created_at).toLocaleString('en')}`),
      el('table', {}, el('caption', { class: 'muted' }, 'Products in this order'),
        el('thead', {}, el('tr', {}, ['Product', 'Quantity', 'Price'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, (order.items ?? []).map((item) => el('tr', {},
          el('td', {}, item.name), el('td', { 'data-label': 'Quantity' }, String(item.quantity)),
          el('td', { 'data-label': 'Price' }, formatMoney(item.total)))))),
      el('p', { class: 'total' }, `Total: ${formatMoney(order.total)}`),
      el('h2', {}, 'History'),
      el('ol', { class: 'history' }, (order.history ?? []).map((step) =>
        el('li', {}, `${statusText(step.status)} at ${new Date(step.at).toLocaleTimeString('en')}${step.reason ? ` (${step.reason})` : ''}`))));
  };

  let order = null;
  const live = new AbortController();
  const settled = () => kFinal.has(order?.status);

  const poll = async () => {
    if (stopped) return;
    try {
      const loaded = await authed('GET', `/api/v1/orders/${encodeURIComponent(id)}`);
      if (stopped) return;
      order = loaded;
      draw(order);
      replace(message);
      message.className = 'message';
      if (settled()) return;
    } catch (error) {
      if (stopped) return;
      showMessage(message, 'error', describeError(error, 'load this order'));
      if (error.status === 404 || error.status === 401) return;
    }
    timer = setTimeout(poll, delay);
    delay = Math.min(delay * 2, kMaxPoll);
  };

  // A status event carries the new step of the history: the page applies it
  // without asking for the whole order again.
  const apply = (event) => {
    if (!order || stopped) return;
    const history = order.history ?? [];
    if (Number.isInteger(event.id) && event.id <= history.length) return;  // a step already shown
    order = { ...order, status: event.status, history: [...history, { status: event.status, at: event.at, reason: event.reason }] };
    if (event.status === 'cancelled' && event.reason) order.cancel_reason = event.reason;
    draw(order);
    if (settled()) live.abort();
  };

  const follow = () => {
    followOrderStatus(id, apply, live.signal, order.history?.length)
      .then(() => { if (!stopped && !settled()) poll(); })
      .catch(() => {
        if (stopped || settled()) return;
        timer = setTimeout(poll, delay);
        delay = Math.min(delay * 2, kMaxPoll);
      });
  };

  await poll();
  // Polling stopped by itself once it saw the order settled; otherwise the
  // stream takes over from the first answer.
  if (order && !settled() && !stopped) {
    clearTimeout(timer);
    follow();
  }
  return () => { stopped = true; clearTimeout(timer); live.abort(); };
}
