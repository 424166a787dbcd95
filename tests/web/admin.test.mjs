// The admin panel: the API refuses a customer and the page says so; an
// admin sees the panel, edits a product with If-Match, and imports a CSV
// while the progress bar moves.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { newVisitor, screenshots, seriousViolations } from './support/browser.mjs';
import { kAdminEmail, kAdminPassword, newCustomer, signUpInPage, startSuite } from './support/suite.mjs';

let suite;
// Small import batches: each is a durable commit, so a few thousand lines
// take long enough for the page to show values between 0 and 100 %.
// One delivery before the dead-letter queue and a fast poll: a poison
// message is dead-lettered at once.
before(async () => {
  suite = await startSuite({ extraArgs: ['--set', 'catalog.import_batch_size=20', '--set', 'queue.delivery_limit=1',
    '--set', 'notify.poll_interval=20ms'] });
});
after(async () => { await suite?.stop(); });

async function logInInPage(page, email, password) {
  await page.goto(`${suite.server.url}/#/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

test('a customer who opens the admin URL sees a refusal that came from the API', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    await signUpInPage(page, suite.server.url, newCustomer());
    assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0, 'no admin link for a customer');
    const refused = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/admin/dlq');
    await page.goto(`${suite.server.url}/#/admin`);
    assert.equal((await refused).status(), 403);
    await page.getByText('Access refused: this page is for administrators').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Products', exact: true }).count(), 0);
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await context.close();
  }
});

test('an admin edits a product with If-Match and a stale edit gets a clear conflict', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    await logInInPage(page, kAdminEmail, kAdminPassword);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Products', exact: true }).waitFor();
    await page.locator('#admin-products ~ div table tbody tr').first().waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await screenshots(page, 'admin');
    const row = page.locator('tbody tr').first();
    const sku = (await row.locator('td').first().textContent()).trim();
    await row.getByRole('button', { name: /^Edit / }).click();
    // Another admin changes the product meanwhile.
    const token = await suite.adminToken();
    const { body: list } = await suite.api.call('GET', '/api/v1/products?limit=50');
    const product = list.items.find((item) => item.sku === sku);
    const other = await suite.api.call('PATCH', `/api/v1/products/${product.id}`, { token, headers: { 'If-Match': `"v${product.version}"` }, body: { stock: product.stock + 1 } });
    assert.equal(other.status, 200);
    await page.getByLabel('Name', { exact: true }).first().fill('Renamed by the page');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Someone else changed this in the meantime.').waitFor();
    assert.notEqual((await suite.api.product(product.id)).name, 'Renamed by the page');
  } finally {
    await context.close();
  }
});

test('an admin imports a CSV of 5000 lines and the progress bar moves to 100 %', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    await logInInPage(page, kAdminEmail, kAdminPassword);
    await page.goto(`${suite.server.url}/#/admin`);
    await page.getByRole('heading', { name: 'Import products' }).waitFor();
    await page.evaluate(() => {
      window.__progress = [];
      const bar = document.getElementById('import-progress');
      new MutationObserver(() => window.__progress.push(Number(bar.getAttribute('value')))).observe(bar, { attributes: true });
    });
    const lines = ['sku,name,description,price_amount,price_currency,stock'];
    for (let i = 0; i < 5000; i += 1) lines.push(`BULK-${i},Bulk item ${i},Imported,${100 + i},USD,${i % 50}`);
    lines.push('BAD-1,Bad price,oops,-5,USD,1');
    await page.getByLabel(/^CSV file/).setInputFiles({ name: 'products.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-progress-text', { hasText: /^done: 5001 of 5001 lines, 1 failed$/ }).waitFor({ timeout: 60_000 });
    const seen = await page.evaluate(() => window.__progress);
    assert.equal(seen.at(-1), 100);
    assert.ok(seen.some((value) => value > 0 && value < 100), `an intermediate value was shown: ${seen}`);
    assert.equal(await page.locator('#import-errors li').count(), 1, 'the bad line is reported');
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await context.close();
  }
});

// A message no consumer understands, written the way the embedded outbox
// writes one (a row of queue_messages), from outside the process.
function enqueuePoison(id) {
  const payload = JSON.stringify({ order_id: 'ord_web_1', user_id: 'usr_web', email: 'poison@example.test', name: 'Poison', total: { amount: 1, currency: 'USD' } });
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', join(suite.server.dataDir, 'data', 'orderly.db'),
    `INSERT INTO queue_messages (id, queue, type, schema_version, payload, created_at, visible_at) VALUES ('${id}', 'notifications', 'order.exploded', 1, '${payload}', '2024-01-01T00:00:00Z', 0);`]);
}

test('an admin sees a dead letter (never its payload) and replays it', async () => {
  enqueuePoison('evt-web-poison-1');
  const token = await suite.adminToken();
  let listed = [];
  for (let attempt = 0; attempt < 100 && listed.length === 0; attempt += 1) {
    listed = (await suite.api.call('GET', '/api/v1/admin/dlq', { token })).body.items;
    if (listed.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(listed.length, 1, 'the poison message was dead-lettered');
  const { context, page } = await newVisitor(suite.browser);
  try {
    await logInInPage(page, kAdminEmail, kAdminPassword);
    await page.goto(`${suite.server.url}/#/admin`);
    const row = page.locator('#admin-dlq ~ div tbody tr', { hasText: 'order.exploded' });
    await row.waitFor();
    assert.match(await row.textContent(), /notifications.*order\.exploded.*1.*unknown event type/);
    assert.ok(!(await page.locator('main').textContent()).includes('poison@example.test'), 'never the payload');
    const replayed = page.waitForResponse((response) => response.url().endsWith('/api/v1/admin/dlq/evt-web-poison-1/replay'));
    await row.getByRole('button', { name: /^Replay / }).click();
    assert.equal((await replayed).status(), 202);
    await page.getByText('Replayed onto its queue.').waitFor();
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await context.close();
  }
});

test('an admin replays every dead letter of a queue with one button', async () => {
  const token = await suite.adminToken();
  const deadOf = async () => (await suite.api.call('GET', '/api/v1/admin/dlq?queue=notifications', { token })).body.items;
  const before = (await deadOf()).length;  // the message replayed above may be back already
  for (const n of [1, 2]) enqueuePoison(`evt-web-many-${n}`);
  let listed = [];
  for (let attempt = 0; attempt < 100; attempt += 1) {
    listed = await deadOf();
    if (listed.some((dead) => dead.id === 'evt-web-many-1') && listed.some((dead) => dead.id === 'evt-web-many-2')) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(listed.length >= before + 2, 'both poison messages were dead-lettered');
  const customer = await suite.api.call('POST', '/api/v1/auth/signup', { body: newCustomer() });
  assert.equal(customer.status, 201);
  const customerToken = await suite.api.login(customer.body.email, 'correct horse battery');
  assert.equal((await suite.api.call('POST', '/api/v1/admin/dlq/replay?queue=notifications', { token: customerToken })).status, 403);

  const { context, page } = await newVisitor(suite.browser);
  try {
    await logInInPage(page, kAdminEmail, kAdminPassword);
    await page.goto(`${suite.server.url}/#/admin`);
    await page.getByRole('button', { name: 'Replay all dead letters of notifications' }).waitFor();
    const replayed = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/admin/dlq/replay');
    await page.getByRole('button', { name: 'Replay all dead letters of notifications' }).click();
    const answer = await replayed;
    assert.equal(answer.status(), 202);
    const { replayed: count } = await answer.json();
    assert.ok(count >= 2, `at least the two new ones were replayed (${count})`);
    await page.getByText(`Replayed ${count} messages onto notifications.`).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await context.close();
  }
});
