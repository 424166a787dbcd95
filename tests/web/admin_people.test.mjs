// The admin panel's users and orders: an admin finds users by e-mail and
// changes a role; an admin filters the orders by status; a customer gets 403
// from the API on the users listing and the page shows the refusal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newVisitor, screenshots, seriousViolations } from './support/browser.mjs';
import { kAdminEmail, kAdminPassword, newCustomer, signUpInPage, startSuite } from './support/suite.mjs';

let suite;
before(async () => { suite = await startSuite(); });
after(async () => { await suite?.stop(); });

async function logInAsAdmin(page) {
  await page.goto(`${suite.server.url}/#/login`);
  await page.getByLabel('E-mail').fill(kAdminEmail);
  await page.getByLabel('Password').fill(kAdminPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  await page.goto(`${suite.server.url}/#/admin`);
}

async function signUp(customer) {
  const answer = await suite.api.call('POST', '/api/v1/auth/signup', { body: customer });
  assert.equal(answer.status, 201);
  return suite.api.login(customer.email, customer.password);
}

// An order of one unit of the first product in stock, paid or declined; waits until it settled.
async function orderWith(token, card) {
  const products = (await suite.api.call('GET', '/api/v1/products?limit=50')).body.items.filter((product) => product.stock > 0);
  const saved = await suite.api.call('POST', '/api/v1/payment-methods', { token, body: { card: { number: card, exp_month: 12, exp_year: 2040, cvc: '123' } } });
  assert.equal(saved.status, 201);
  const placed = await suite.api.call('POST', '/api/v1/orders', {
    token, headers: { 'Idempotency-Key': `admin-people-${card}-${Date.now()}` },
    body: { items: [{ product_id: products[0].id, quantity: 1 }], payment_method_id: saved.body.id,
      shipping_address: { name: 'Ada', line1: '1 Main St', city: 'London', postal_code: 'N1', country: 'GB' } },
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const order = (await suite.api.call('GET', `/api/v1/orders/${placed.body.id}`, { token })).body;
    if (order.status !== 'pending_payment') return order;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the order never settled');
}

test('a customer gets 403 from the users listing and the page shows the refusal', async () => {
  const token = await signUp(newCustomer());
  assert.equal((await suite.api.call('GET', '/api/v1/admin/users', { token })).status, 403);
  assert.equal((await suite.api.call('GET', '/api/v1/admin/users')).status, 401);
  const { context, page } = await newVisitor(suite.browser);
  try {
    await signUpInPage(page, suite.server.url, newCustomer());
    await page.goto(`${suite.server.url}/#/admin`);
    await page.getByText('Access refused: this page is for administrators').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Users and roles' }).count(), 0);
  } finally {
    await context.close();
  }
});

test('an admin finds users by e-mail, pages through them and makes one an administrator', async () => {
  const tag = `people${Date.now()}`;
  const people = [1, 2, 3].map((n) => ({ name: `Person ${n}`, email: `${tag}-${n}@example.test`, password: 'correct horse battery' }));
  for (const person of people) await signUp(person);
  const adminToken = await suite.adminToken();
  const firstPage = await suite.api.call('GET', `/api/v1/admin/users?email=${tag.toUpperCase()}&limit=2`, { token: adminToken });
  assert.equal(firstPage.status, 200);
  assert.deepEqual(firstPage.body.items.map((user) => user.email), people.slice(0, 2).map((person) => person.email));
  assert.ok(!JSON.stringify(firstPage.body).includes('password'), 'no password hash in the listing');
  const secondPage = await suite.api.call('GET', `/api/v1/admin/users?email=${tag}&limit=2&cursor=${firstPage.body.next_cursor}`, { token: adminToken });
  assert.deepEqual(secondPage.body.items.map((user) => user.email), [people[2].email]);
  assert.equal(secondPage.body.next_cursor, null);
  assert.equal((await suite.api.call('GET', '/api/v1/admin/users?limit=0', { token: adminToken })).status, 422);
  assert.equal((await suite.api.call('GET', '/api/v1/admin/users?cursor=zz', { token: adminToken })).status, 422);

  const { context, page } = await newVisitor(suite.browser);
  try {
    await logInAsAdmin(page);
    await page.getByLabel('E-mail contains').fill(tag);
    await page.getByRole('button', { name: 'Find users' }).click();
    const rows = page.locator('#admin-users-list tbody tr');
    await page.waitForFunction((count) => document.querySelectorAll('#admin-users-list tbody tr').length === count, 3);
    assert.equal(await rows.count(), 3);
    await page.getByRole('button', { name: `Make ${people[1].email} an administrator` }).click();
    await page.getByText(`${people[1].email} is now an administrator.`).waitFor();
    await rows.filter({ hasText: people[1].email }).locator('.roles', { hasText: 'admin' }).waitFor();
    // The new role holds at the API: a fresh token of that user may list users.
    const promoted = await suite.api.login(people[1].email, people[1].password);
    assert.equal((await suite.api.call('GET', '/api/v1/admin/users?limit=1', { token: promoted })).status, 200);
    assert.deepEqual(await seriousViolations(page), []);
    await page.locator('#admin-users').scrollIntoViewIfNeeded();
    await screenshots(page, 'admin-users');
  } finally {
    await context.close();
  }
});

test('an admin filters the orders by status', async () => {
  const token = await signUp(newCustomer());
  const paid = await orderWith(token, '4242424242424242');
  const cancelled = await orderWith(token, '4000000000000002');
  assert.equal(paid.status, 'paid');
  assert.equal(cancelled.status, 'cancelled');
  const adminToken = await suite.adminToken();
  const onlyPaid = (await suite.api.call('GET', '/api/v1/orders?status=paid', { token: adminToken })).body.items;
  assert.ok(onlyPaid.some((order) => order.id === paid.id) && onlyPaid.every((order) => order.status === 'paid'));
  assert.equal((await suite.api.call('GET', '/api/v1/orders?status=lost', { token: adminToken })).status, 422);

  const { context, page } = await newVisitor(suite.browser);
  try {
    await logInAsAdmin(page);
    const list = page.locator('#admin-orders-list');
    await list.getByRole('link', { name: paid.id }).waitFor();
    await list.getByRole('link', { name: cancelled.id }).waitFor();
    await page.getByLabel('Show orders with status').selectOption('cancelled');
    await list.getByRole('link', { name: paid.id }).waitFor({ state: 'detached' });
    await list.getByRole('link', { name: cancelled.id }).waitFor();
    const shown = await list.locator('[data-status]').evaluateAll((nodes) => nodes.map((node) => node.dataset.status));
    assert.ok(shown.length > 0 && shown.every((status) => status === 'cancelled'), `only cancelled orders: ${shown}`);
    await page.getByLabel('Show orders with status').selectOption('paid');
    await list.getByRole('link', { name: paid.id }).waitFor();
    assert.equal(await list.getByRole('link', { name: cancelled.id }).count(), 0);
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await context.close();
  }
});
