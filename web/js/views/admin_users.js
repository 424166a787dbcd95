// The admin panel's users and roles: search by e-mail (GET
// /api/v1/admin/users?email=), paged by cursor, and a role switch per user
// (PUT /api/v1/admin/users/{id}/roles). Both routes refuse a customer at the API.
import { describeError } from '../api.js';
import { el, messageBox, replace, showMessage } from '../dom.js';
import { authed, currentUser } from '../session.js';

const kPageSize = 20;

export async function usersSection(main) {
  const message = messageBox();
  const list = el('div', { id: 'admin-users-list' });
  const pager = el('div', { class: 'row' });
  const email = el('input', { type: 'search', name: 'email', id: 'admin-user-email', maxlength: 254, autocomplete: 'off' });
  const cursors = [null];

  const setRoles = async (user, roles) => {
    try {
      await authed('PUT', `/api/v1/admin/users/${encodeURIComponent(user.id)}/roles`, { body: { roles } });
      showMessage(message, 'success', `${user.email} is now ${roles.includes('admin') ? 'an administrator' : 'a customer'}.`);
      await draw();
    } catch (error) {
      showMessage(message, 'error', describeError(error, 'change the roles'));
    }
  };

  const draw = async () => {
    const query = new URLSearchParams({ limit: String(kPageSize) });
    if (email.value.trim()) query.set('email', email.value.trim());
    const cursor = cursors.at(-1);
    if (cursor) query.set('cursor', cursor);
    try {
      const page = await authed('GET', `/api/v1/admin/users?${query}`);
      replace(pager);
      if (page.items.length === 0) {
        replace(list, el('p', {}, 'No user matches.'));
      } else {
        replace(list, el('table', {}, el('caption', { class: 'muted' }, 'Users by e-mail'),
          el('thead', {}, el('tr', {}, ['E-mail', 'Name', 'Roles', 'Since', ''].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, page.items.map((user) => {
            const admin = user.roles.includes('admin');
            const self = user.id === currentUser()?.id;
            return el('tr', {},
              el('td', {}, user.email), el('td', { 'data-label': 'Name' }, user.name),
              el('td', { 'data-label': 'Roles', class: 'roles' }, user.roles.join(', ')),
              el('td', { 'data-label': 'Since' }, new Date(user.created_at).toLocaleDateString('en')),
              el('td', {}, self ? el('span', { class: 'muted' }, 'You') : el('button', {
                type: 'button', class: 'secondary',
                'aria-label': admin ? `Make ${user.email} a customer` : `Make ${user.email} an administrator`,
                onclick: () => setRoles(user, admin ? ['customer'] : ['customer', 'admin']),
              }, admin ? 'Make customer' : 'Make admin')));
          }))));
      }
      if (cursors.length > 1) pager.append(el('button', { type: 'button', class: 'secondary', onclick: () => { cursors.pop(); draw(); } }, 'Previous users page'));
      if (page.next_cursor) pager.append(el('button', { type: 'button', class: 'secondary', onclick: () => { cursors.push(page.next_cursor); draw(); } }, 'Next users page'));
    } catch (error) {
      showMessage(message, 'error', describeError(error, 'list the users'));
    }
  };

  const search = el('form', {
    role: 'search', 'aria-label': 'Find users',
    onsubmit: (event) => { event.preventDefault(); cursors.length = 1; draw(); },
  }, el('label', { for: 'admin-user-email' }, 'E-mail contains'), el('div', { class: 'row' }, email, el('button', { type: 'submit' }, 'Find users')));
  main.append(el('section', { 'aria-labelledby': 'admin-users' }, el('h2', { id: 'admin-users' }, 'Users and roles'), search, message, list, pager));
  await draw();
}
