// A visitor's whole purchase in Chromium against the real binary, and the
// declined card; axe-core and screenshots on every page on the way.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshots, seriousViolations, newVisitor } from './support/browser.mjs';
import { fillAddress, newCustomer, saveCardInPage, signUpInPage, startSuite } from './support/suite.mjs';

let suite;
before(async () => { suite = await startSuite(); });
after(async () => { await suite?.stop(); });

async function checkPage(page, name) {
  assert.deepEqual(await seriousViolations(page), [], `axe-core on ${name}`);
  await screenshots(page, name);
  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${name} scrolls sideways at 375 px by ${overflow} px`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('a new visitor signs up, adds two products, saves a card, checks out and sees the order paid', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    const customer = newCustomer();
    await page.goto(suite.server.url);
    await page.locator('.products .card').first().waitFor();
    await checkPage(page, 'products');

    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByRole('button', { name: 'Create account' }).waitFor();
    await checkPage(page, 'signup');
    await signUpInPage(page, suite.server.url, customer);

    const cards = page.locator('.products .card').filter({ has: page.getByRole('button', { name: /^Add .* to cart$/, disabled: false }) });
    const first = (await cards.nth(0).locator('h2').textContent()).trim();
    const second = (await cards.nth(1).locator('h2').textContent()).trim();
    await cards.nth(0).getByRole('button').click();
    await cards.nth(1).locator('h2 a').click();
    await page.locator('#stock').waitFor();
    assert.match(await page.locator('#stock').textContent(), /^In stock: \d+$/);
    await checkPage(page, 'product');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText(`Added 1 × ${second} to your cart.`).waitFor();
    assert.equal(await page.locator('#cart-link').textContent(), 'Cart (2)');

    await saveCardInPage(page, '4242 4242 4242 4242');
    assert.equal(await page.getByLabel('Card number').inputValue(), '', 'the number is not kept in the page');
    const shown = (await page.locator('#cards').textContent()) + (await page.locator('main [role=status]').allTextContents()).join(' ');
    assert.match(shown, /ending in 4242/);
    assert.ok(!/4242\s*4242/.test(shown), `only the last four are shown: ${shown}`);
    await checkPage(page, 'account');

    await page.getByRole('link', { name: /^Cart/ }).click();
    await page.getByText(first).waitFor();
    await page.getByText(second).waitFor();
    await checkPage(page, 'cart');
    await page.getByRole('link', { name: 'Checkout' }).click();
    await page.getByRole('button', { name: 'Place order' }).waitFor();
    await fillAddress(page);
    await checkPage(page, 'checkout');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/#\/orders\/[^/]+$/);
    await page.locator('#order-status [data-status="paid"]').waitFor({ timeout: 20_000 });
    await page.getByText('Payment received').waitFor();
    await checkPage(page, 'order');
    assert.equal(await page.locator('#cart-link').textContent(), 'Cart (0)', 'the cart empties after the order');
    const token = await suite.api.login(customer.email, customer.password);
    const orders = await suite.api.orders(token);
    assert.equal(orders.length, 1);
    assert.equal(orders[0].status, 'paid');

    // The history lists it, paid, and the e-mail notices show on the account page.
    await page.getByRole('link', { name: 'Orders' }).click();
    await page.locator('#orders li', { hasText: `Order ${orders[0].id}` }).getByText('Paid').waitFor();
    await checkPage(page, 'orders');
    let notices = '';
    for (let visit = 0; visit < 40 && !/Payment confirmed e-mail: sent/.test(notices); visit += 1) {
      await page.getByRole('link', { name: 'Account' }).click();
      await page.locator('#notifications li').first().waitFor();
      notices = await page.locator('#notifications').textContent();
      if (!/Payment confirmed e-mail: sent/.test(notices)) await page.getByRole('link', { name: 'Products' }).click();
    }
    assert.match(notices, /Order received e-mail: sent/);
    assert.match(notices, /Payment confirmed e-mail: sent/);
  } finally {
    await context.close();
  }
});

test('a declined card shows a clear message and the stock comes back', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    await signUpInPage(page, suite.server.url, newCustomer());
    const card = page.locator('.products .card').filter({ has: page.getByRole('button', { name: /^Add .* to cart$/, disabled: false }) }).first();
    const productId = decodeURIComponent((await card.locator('h2 a').getAttribute('href')).split('/').pop());
    const stockBefore = (await suite.api.product(productId)).stock;
    await card.getByRole('button').click();
    await saveCardInPage(page, '4000 0000 0000 0002');
    await page.goto(`${suite.server.url}/#/checkout`);
    await fillAddress(page);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.locator('#order-status [data-status="cancelled"]').waitFor({ timeout: 20_000 });
    await page.getByText('Your card was declined, so nothing was charged and the products went back in stock.').waitFor();
    assert.equal((await suite.api.product(productId)).stock, stockBefore, 'the reserved unit went back');
    await page.getByRole('link', { name: 'Products' }).click();
    await page.locator(`.card:has(a[href="#/product/${productId}"]) .stock`).waitFor();
    assert.equal(await page.locator(`.card:has(a[href="#/product/${productId}"]) .stock`).textContent(), `In stock: ${stockBefore}`);
  } finally {
    await context.close();
  }
});

test('search narrows the list and the pager walks forward and back', async () => {
  const created = await suite.api.call('POST', '/api/v1/products', {
    token: await suite.adminToken(),
    body: { sku: 'PAGER-1', name: 'Paging probe', description: 'The thirteenth product', price: { amount: 500, currency: 'USD' }, stock: 3 },
  });
  assert.equal(created.status, 201);
  const { body: all } = await suite.api.call('GET', '/api/v1/products?limit=100');
  const total = all.items.length;
  assert.ok(total > 12, `more products than one page: ${total}`);
  const { context, page } = await newVisitor(suite.browser);
  try {
    await page.goto(suite.server.url);
    const cards = page.locator('.products .card');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 12);
    const firstPage = await cards.locator('h2').allTextContents();
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.getByRole('link', { name: 'Previous page' }).waitFor();
    await cards.first().waitFor();
    const secondPage = await cards.locator('h2').allTextContents();
    assert.equal(secondPage.length, total - 12);
    assert.deepEqual(secondPage.filter((name) => firstPage.includes(name)), [], 'no product on both pages');
    await page.getByRole('link', { name: 'Previous page' }).click();
    await page.getByRole('link', { name: 'Next page' }).waitFor();
    assert.deepEqual(await cards.locator('h2').allTextContents(), firstPage);

    await page.getByLabel('Search products').fill('mug');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Products matching “mug”' }).waitFor();
    await cards.first().waitFor();
    const found = await cards.locator('h2').allTextContents();
    assert.ok(found.length >= 1 && found.length < 12, `a narrower list: ${found}`);
    for (const name of found) assert.match(name, /mug/i);
    await page.getByLabel('Search products').fill('no-such-thing-anywhere');
    await page.keyboard.press('Enter');
    await page.getByText('No product matches this search.').waitFor();
  } finally {
    await context.close();
  }
});
