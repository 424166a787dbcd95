// The admin panel's orders: everyone's, newest first, filtered by status
// (GET /api/v1/orders?status=, admins only), paged by cursor.
import { describeError } from '../api.js';
import { el, messageBox, replace, showMessage } from '../dom.js';
import { formatMoney } from '../money.js';
import { authed } from '../session.js';
import { statusText } from './orders.js';

const kStatuses = ['pending_payment', 'paid', 'shipped', 'cancelled'];
const kPageSize = 20;

export async function ordersSection(main) {
  const message = messageBox();
  const list = el('div', { id: 'admin-orders-list' });
  const status = el('select', { id: 'admin-order-status', name: 'status' },
    el('option', { value: '' }, 'Any status'), kStatuses.map((value) => el('option', { value }, statusText(value))));
  const pager = el('div', { class: 'row' });
  const cursors = [null];  // the cursor of each page shown so far, for "Previous"

  const draw = async () => {
    const query = new URLSearchParams({ limit: String(kPageSize) });
    if (status.value) query.set('status', status.value);
    const cursor = cursors.at(-1);
    if (cursor) query.set('cursor', cursor);
    try {
      const page = await authed('GET', `/api/v1/orders?${query}`);
      clearPager();
      if (page.items.length === 0) {
        replace(list, el('p', {}, status.value ? `No orders are ${statusText(status.value).toLowerCase()}.` : 'No orders yet.'));
      } else {
        replace(list, el('table', {}, el('caption', { class: 'muted' }, 'Orders, newest first'),
          el('thead', {}, el('tr', {}, ['Order', 'Customer', 'Status', 'Total', 'Placed'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, page.items.map((order) => el('tr', {},
            el('td', {}, el('a', { href: `#/orders/${encodeURIComponent(order.id)}` }, order.id)),
            el('td', { 'data-label': 'Customer' }, order.user_id),
            el('td', { 'data-label': 'Status' }, el('span', { class: `status ${order.status}`, 'data-status': order.status }, statusText(order.status))),
            el('td', { 'data-label': 'Total' }, formatMoney(order.total)),
            el('td', { 'data-label': 'Placed' }, new Date(order.created_at).toLocaleString('en')))))));
      }
      if (cursors.length > 1) pager.append(el('button', { type: 'button', class: 'secondary', onclick: () => { cursors.pop(); draw(); } }, 'Previous orders page'));
      if (page.next_cursor) pager.append(el('button', { type: 'button', class: 'secondary', onclick: () => { cursors.push(page.next_cursor); draw(); } }, 'Next orders page'));
    } catch (error) {
      showMessage(message, 'error', describeError(error, 'list the orders'));
    }
  };
  const clearPager = () => replace(pager);
  status.addEventListener('change', () => { cursors.length = 1; draw(); });

  main.append(el('section', { 'aria-labelledby': 'admin-orders' }, el('h2', { id: 'admin-orders' }, 'Orders'),
    el('label', {}, 'Show orders with status', status), message, list, pager));
  await draw();
}
