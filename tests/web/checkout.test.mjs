// One order per checkout form state: a double click on Place order, and a
// retry after a lost answer, each make exactly one order, with one
// Idempotency-Key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newVisitor } from './support/browser.mjs';
import { fillAddress, newCustomer, saveCardInPage, signUpInPage, startSuite } from './support/suite.mjs';

let suite;
before(async () => { suite = await startSuite(); });
after(async () => { await suite?.stop(); });

async function readyToPlace(page, customer) {
  await signUpInPage(page, suite.server.url, customer);
  await page.locator('.products .card').filter({ has: page.getByRole('button', { name: /^Add .* to cart$/, disabled: false }) })
    .first().getByRole('button').click();
  await saveCardInPage(page, '4242 4242 4242 4242');
  await page.goto(`${suite.server.url}/#/checkout`);
  await fillAddress(page);
}

function orderPosts(page) {
  const posts = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/orders') posts.push(request.headers()['idempotency-key']);
  });
  return posts;
}

test('a double click on Place order creates exactly one order', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    const customer = newCustomer();
    await readyToPlace(page, customer);
    const posts = orderPosts(page);
    await page.getByRole('button', { name: 'Place order' }).dblclick();
    await page.waitForURL(/#\/orders\/[^/]+$/);
    await page.locator('#order-status [data-status="paid"]').waitFor({ timeout: 20_000 });
    const token = await suite.api.login(customer.email, customer.password);
    assert.equal((await suite.api.orders(token)).length, 1);
    assert.ok(posts.length >= 1);
    assert.equal(new Set(posts).size, 1, `every POST carried the same Idempotency-Key: ${posts}`);
  } finally {
    await context.close();
  }
});

test('a retry after a lost answer reuses the key and still makes one order; a changed form gets a new key', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    const customer = newCustomer();
    await readyToPlace(page, customer);
    const posts = orderPosts(page);
    // The first answer is lost on the way back: the server made the order,
    // the page saw a network error.
    let lost = false;
    await page.route('**/api/v1/orders', async (route) => {
      if (lost || route.request().method() !== 'POST') return route.continue();
      lost = true;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByText('The shop cannot be reached right now, so we could not place the order.').waitFor();
    const token = await suite.api.login(customer.email, customer.password);
    assert.equal((await suite.api.orders(token)).length, 1, 'the lost request did make the order');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/#\/orders\/[^/]+$/);
    assert.equal(posts.length, 2);
    assert.equal(posts[0], posts[1], 'the retry repeated the key');
    assert.equal((await suite.api.orders(token)).length, 1, 'the retry was answered from the first order');

    // Same cart again, another address: a new order, so a new key.
    // In the page (a reload would sign the visitor out: the token is in memory only).
    await page.getByRole('link', { name: 'Products' }).click();
    await page.locator('.products .card').filter({ has: page.getByRole('button', { name: /^Add .* to cart$/, disabled: false }) })
      .first().getByRole('button').click();
    await page.goto(`${suite.server.url}/#/checkout`);
    await fillAddress(page);
    await page.getByLabel('City').fill('Paris');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/#\/orders\/[^/]+$/);
    assert.equal(posts.length, 3);
    assert.notEqual(posts[2], posts[0]);
    assert.equal((await suite.api.orders(token)).length, 2);
  } finally {
    await context.close();
  }
});
