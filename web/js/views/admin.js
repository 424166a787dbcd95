// The admin panel: products (create, edit with If-Match), CSV import with a
// progress bar, orders by status (admin_orders.js), users and roles
// (admin_users.js), dead letters (replay one, or all of a queue). The API refuses a customer (403) on
// every admin route; the page shows that refusal, it does not rely on hiding
// the link.
import { describeError } from '../api.js';
import { el, field, messageBox, replace, showMessage } from '../dom.js';
import { formatMoney } from '../money.js';
import { authed, currentUser } from '../session.js';
import { setTitle } from '../app.js';
import { requireLogin } from './auth.js';
import { ordersSection } from './admin_orders.js';
import { usersSection } from './admin_users.js';

const kJobPoll = 100;  // an import job's progress, while it runs

function refusal(main, error) {
  const box = messageBox();
  main.append(box);
  showMessage(box, 'error', error.status === 403
    ? 'Access refused: this page is for administrators, and your account is not one.'
    : describeError(error, 'open the admin panel'));
}

function productEditor(product, onDone) {
  const message = messageBox();
  const name = el('input', { type: 'text', name: 'name', value: product.name, required: true });
  const price = el('input', { type: 'number', name: 'price', min: 0, value: String(product.price.amount), required: true });
  const stock = el('input', { type: 'number', name: 'stock', min: 0, value: String(product.stock), required: true });
  const form = el('form', {
    'aria-label': `Edit ${product.name}`,
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        await authed('PATCH', `/api/v1/products/${encodeURIComponent(product.id)}`, {
          headers: { 'If-Match': `"v${product.version}"` },
          body: { name: name.value, price: { amount: Number(price.value), currency: product.price.currency }, stock: Number(stock.value) },
        });
        onDone();
      } catch (error) {
        showMessage(message, 'error', describeError(error, 'save the product'));
      }
    },
  }, el('label', {}, 'Name', name), el('label', {}, 'Price in minor units', price), el('label', {}, 'Stock', stock),
  el('button', { type: 'submit' }, 'Save'));
  return el('div', {}, form, message);
}

async function productsSection(main) {
  const section = el('section', { 'aria-labelledby': 'admin-products' }, el('h2', { id: 'admin-products' }, 'Products'));
  const table = el('div');
  const message = messageBox();
  section.append(message, table);
  main.append(section);
  const draw = async () => {
    const page = await authed('GET', '/api/v1/products?limit=50');
    replace(table, el('table', {}, el('caption', { class: 'muted' }, 'The first 50 products'),
      el('thead', {}, el('tr', {}, ['SKU', 'Name', 'Price', 'Stock', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, page.items.map((product) => {
        const cell = el('td');
        cell.append(el('button', { type: 'button', class: 'secondary', 'aria-label': `Edit ${product.name}`,
          onclick: () => replace(cell, productEditor(product, draw)) }, 'Edit'));
        return el('tr', {}, el('td', {}, product.sku), el('td', {}, product.name), el('td', {}, formatMoney(product.price)),
          el('td', {}, String(product.stock)), cell);
      }))));
  };
  const create = el('form', {
    'aria-label': 'New product',
    onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(create);
      try {
        await authed('POST', '/api/v1/products', { body: {
          sku: data.get('sku'), name: data.get('name'), description: data.get('description'),
          price: { amount: Number(data.get('amount')), currency: String(data.get('currency')).toUpperCase() },
          stock: Number(data.get('stock')),
        } });
        create.reset();
        showMessage(message, 'success', 'Product created.');
        await draw();
      } catch (error) {
        showMessage(message, 'error', describeError(error, 'create the product'));
      }
    },
  },
  field('SKU', { type: 'text', name: 'sku', required: true }),
  field('Name', { type: 'text', name: 'name', required: true }),
  field('Description', { type: 'text', name: 'description' }),
  el('div', { class: 'row' }, field('Price in minor units', { type: 'number', name: 'amount', min: 0, required: true }),
    field('Currency', { type: 'text', name: 'currency', value: 'USD', maxlength: 3, required: true }),
    field('Stock', { type: 'number', name: 'stock', min: 0, value: '0', required: true })),
  el('button', { type: 'submit' }, 'Create product'));
  section.append(el('h3', {}, 'New product'), create);
  await draw();
}

function importSection(main) {
  const message = messageBox();
  const progress = el('progress', { id: 'import-progress', max: 100, value: 0, 'aria-label': 'Import progress' });
  const progressText = el('p', { id: 'import-progress-text', 'aria-live': 'polite' });
  const errors = el('ul', { id: 'import-errors' });
  const file = el('input', { type: 'file', name: 'csv', accept: '.csv,text/csv', required: true });
  const form = el('form', {
    'aria-label': 'Import products from CSV',
    onsubmit: async (event) => {
      event.preventDefault();
      if (!file.files?.length) return;
      try {
        const job = await authed('POST', '/api/v1/products/import', { body: await file.files[0].text(), headers: { 'Content-Type': 'text/csv' } });
        const follow = async () => {
          const state = await authed('GET', `/api/v1/jobs/${encodeURIComponent(job.job_id)}`);
          const percent = state.total > 0 ? Math.floor((state.processed * 100) / state.total) : 0;
          // As an attribute, so the bar's history is observable (tests/web watches it).
          progress.setAttribute('value', String(state.status === 'done' ? 100 : percent));
          replace(progressText, `${state.status}: ${state.processed} of ${state.total} lines, ${state.failed} failed`);
          replace(errors, (Array.isArray(state.errors) ? state.errors : []).slice(0, 100).map((line) => el('li', {}, typeof line === 'string' ? line : JSON.stringify(line))));
          if (state.status === 'queued' || state.status === 'running') setTimeout(() => follow().catch(fail), kJobPoll);
        };
        const fail = (error) => showMessage(message, 'error', describeError(error, 'follow the import'));
        await follow();
      } catch (error) {
        showMessage(message, 'error', describeError(error, 'import the file'));
      }
    },
  }, el('label', {}, 'CSV file (sku,name,description,price_amount,price_currency,stock)', file), el('button', { type: 'submit' }, 'Import'));
  main.append(el('section', { 'aria-labelledby': 'admin-import' }, el('h2', { id: 'admin-import' }, 'Import products'), form, message, progress, progressText, errors));
}

async function deadLetterSection(main) {
  const list = el('div');
  const message = messageBox();
  main.append(el('section', { 'aria-labelledby': 'admin-dlq' }, el('h2', { id: 'admin-dlq' }, 'Dead letters'), message, list));
  const draw = async () => {
    const page = await authed('GET', '/api/v1/admin/dlq');
    if (page.items.length === 0) { replace(list, el('p', {}, 'No dead letters.')); return; }
    const queues = [...new Set(page.items.map((dead) => dead.queue))];
    const replayAll = queues.map((queue) => el('button', { type: 'button', 'aria-label': `Replay all dead letters of ${queue}`, onclick: async () => {
      try {
        const done = await authed('POST', `/api/v1/admin/dlq/replay?queue=${encodeURIComponent(queue)}`);
        showMessage(message, 'success', `Replayed ${done.replayed} message${done.replayed === 1 ? '' : 's'} onto ${queue}.`);
        await draw();
      } catch (error) {
        showMessage(message, 'error', describeError(error, 'replay the messages'));
      }
    } }, `Replay all of ${queue}`));
    replace(list, el('div', { class: 'row' }, replayAll), el('table', {}, el('caption', { class: 'muted' }, 'Messages that ran out of attempts'),
      el('thead', {}, el('tr', {}, ['Queue', 'Type', 'Attempts', 'Last error', 'Age', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, page.items.map((dead) => el('tr', {},
        el('td', {}, dead.queue), el('td', {}, dead.type), el('td', {}, String(dead.attempts)), el('td', {}, dead.last_error),
        el('td', {}, `${Math.max(0, Math.round((Date.now() - Date.parse(dead.created_at)) / 60000))} min`),
        el('td', {}, el('button', { type: 'button', 'aria-label': `Replay ${dead.type} ${dead.id}`, onclick: async () => {
          try {
            await authed('POST', `/api/v1/admin/dlq/${encodeURIComponent(dead.id)}/replay`);
            showMessage(message, 'success', 'Replayed onto its queue.');
            await draw();
          } catch (error) {
            showMessage(message, 'error', describeError(error, 'replay the message'));
          }
        } }, 'Replay')))))));
  };
  await draw();
}

export async function showAdmin(main) {
  setTitle(main, 'Admin');
  if (!requireLogin(main, currentUser(), '#/admin')) return;
  // Ask the API first: it decides, the page only reports.
  try {
    await authed('GET', '/api/v1/admin/dlq?limit=1');
  } catch (error) {
    refusal(main, error);
    return;
  }
  await productsSection(main);
  importSection(main);
  await ordersSection(main);
  await usersSection(main);
  await deadLetterSection(main);
}
