// The whole purchase with the keyboard alone: Tab (or Shift+Tab) to each
// control, type, Enter. No mouse click and no focus() from the test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newVisitor } from './support/browser.mjs';
import { newCustomer, startSuite } from './support/suite.mjs';

const kMaxTabs = 60;
let suite;
before(async () => { suite = await startSuite(); });
after(async () => { await suite?.stop(); });

// The focused element's name as a user hears it: its label, aria-label or text.
function focusedName(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return '';
    const label = element.labels?.[0]?.firstChild?.textContent;
    return (element.getAttribute('aria-label') ?? label ?? element.textContent ?? '').trim();
  });
}

async function tabTo(page, name, key = 'Tab') {
  for (let press = 0; press < kMaxTabs; press += 1) {
    await page.keyboard.press(key);
    if ((await focusedName(page)) === name) return;
  }
  throw new Error(`no control named "${name}" within ${kMaxTabs} presses of ${key}`);
}

async function typeInto(page, name, text) {
  await tabTo(page, name);
  await page.keyboard.type(text);
}

test('a visitor signs up, buys and pays with the keyboard only', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    const customer = newCustomer();
    await page.goto(`${suite.server.url}/#/signup`);
    await page.getByRole('button', { name: 'Create account' }).waitFor();
    await typeInto(page, 'Name', customer.name);
    await typeInto(page, 'E-mail', customer.email);
    await typeInto(page, 'Password (10 characters or more)', customer.password);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.locator('.products .card').first().waitFor();

    const first = (await page.locator('.products .card h2').first().textContent()).trim();
    await tabTo(page, `Add ${first} to cart`);
    await page.keyboard.press('Enter');
    await page.getByText(`Added ${first} to your cart.`).waitFor();

    await tabTo(page, 'Account', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByLabel('Card number').waitFor();
    await typeInto(page, 'Card number', '4242424242424242');
    await typeInto(page, 'Expiry month', '12');
    await typeInto(page, 'Expiry year', '2031');
    await typeInto(page, 'CVC', '123');
    await page.keyboard.press('Enter');
    await page.locator('#cards li', { hasText: 'ending in 4242' }).waitFor();

    await tabTo(page, 'Cart (1)', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Checkout');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Place order' }).waitFor();
    await typeInto(page, 'Full name', 'Ada Lovelace');
    await typeInto(page, 'Address', '1 Main St');
    await typeInto(page, 'City', 'London');
    await typeInto(page, 'Postal code', 'N1 9GU');
    await typeInto(page, 'Country (2 letters, e.g. GB)', 'GB');
    await tabTo(page, 'Place order');
    await page.keyboard.press('Enter');
    await page.locator('#order-status [data-status="paid"]').waitFor({ timeout: 20_000 });
    const token = await suite.api.login(customer.email, customer.password);
    assert.equal((await suite.api.orders(token)).length, 1);
  } finally {
    await context.close();
  }
});
