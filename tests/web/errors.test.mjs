// What a visitor reads when the API says no: 409 (e-mail taken, out of
// stock), 422 (a card number that fails Luhn) and 429 (with the wait).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newVisitor } from './support/browser.mjs';
import { fillAddress, newCustomer, saveCardInPage, signUpInPage, startSuite } from './support/suite.mjs';

let suite;
// Three login attempts per account and address a minute: the fourth is a 429.
before(async () => { suite = await startSuite({ extraArgs: ['--set', 'auth.login_per_account_and_address=3/1m'] }); });
after(async () => { await suite?.stop(); });

test('signing up with a taken e-mail says so', async () => {
  const customer = newCustomer();
  const { context, page } = await newVisitor(suite.browser);
  try {
    await signUpInPage(page, suite.server.url, customer);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in' }).waitFor();
    await page.goto(`${suite.server.url}/#/signup`);
    await page.getByLabel('Name').fill('Someone else');
    await page.getByLabel('E-mail').fill(customer.email);
    await page.getByLabel('Password (10 characters or more)').fill('another long password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').filter({ hasText: 'An account with this e-mail already exists. Log in instead.' }).waitFor();
  } finally {
    await context.close();
  }
});

test('a card number that fails the check is a 422 with the field named', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    await signUpInPage(page, suite.server.url, newCustomer());
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel('Card number').fill('4242 4242 4242 4241');
    await page.getByLabel('Expiry month').fill('12');
    await page.getByLabel('Expiry year').fill('2031');
    await page.getByLabel('CVC').fill('123');
    const answer = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/payment-methods' && response.request().method() === 'POST');
    await page.getByRole('button', { name: 'Save card' }).click();
    assert.equal((await answer).status(), 422);
    const alert = page.getByRole('alert').filter({ hasText: 'Please check what you entered' });
    await alert.waitFor();
    assert.match(await alert.textContent(), /number/);
    assert.ok(!(await alert.textContent()).includes('4241'), 'the number is not echoed');
  } finally {
    await context.close();
  }
});

test('ordering more than the stock is a 409 out of stock, and nothing is reserved', async () => {
  const created = await suite.api.call('POST', '/api/v1/products', {
    token: await suite.adminToken(),
    body: { sku: 'LAST-ONE', name: 'The last one', description: 'Only one left', price: { amount: 900, currency: 'USD' }, stock: 1 },
  });
  assert.equal(created.status, 201);
  const { context, page } = await newVisitor(suite.browser);
  try {
    await signUpInPage(page, suite.server.url, newCustomer());
    await page.goto(`${suite.server.url}/#/product/${encodeURIComponent(created.body.id)}`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('link', { name: /^Cart/ }).click();
    await page.getByLabel('Quantity of The last one').fill('2');
    await page.getByLabel('Quantity of The last one').press('Enter');
    await page.getByText('Total: $18.00').waitFor();
    await saveCardInPage(page, '4242 4242 4242 4242');
    await page.goto(`${suite.server.url}/#/checkout`);
    await fillAddress(page);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByRole('alert').filter({ hasText: 'Out of stock: there is not enough left of a product in your cart.' }).waitFor();
    assert.equal((await suite.api.product(created.body.id)).stock, 1);
  } finally {
    await context.close();
  }
});

test('too many logins are a 429 and the page tells how long to wait', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    await page.goto(`${suite.server.url}/#/login`);
    await page.getByLabel('E-mail').fill('nobody@example.test');
    await page.getByLabel('Password').fill('not the password');
    let status = 0;
    let retryAfter = null;
    for (let attempt = 0; attempt < 6 && status !== 429; attempt += 1) {
      const answer = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/auth/login');
      await page.getByRole('button', { name: 'Log in' }).click();
      const response = await answer;
      status = response.status();
      retryAfter = response.headers()['retry-after'];
      if (status !== 429) await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password.' }).waitFor();
    }
    assert.equal(status, 429);
    assert.match(retryAfter, /^\d+$/);
    const seconds = Number(retryAfter);
    await page.getByRole('alert').filter({ hasText: `Too many attempts. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.` }).waitFor();
  } finally {
    await context.close();
  }
});
