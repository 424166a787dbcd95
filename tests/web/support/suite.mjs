// What every browser suite needs: the binary and web/ from the environment
// (ctest sets them), one server and one browser per suite file.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api } from './api.mjs';
import { launchBrowser } from './browser.mjs';
import { startOrderly } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const kAdminEmail = 'admin@orderly.local';
export const kAdminPassword = 'web-suite-admin-password';

export async function startSuite({ extraArgs = [] } = {}) {
  const binary = process.env.ORDERLY_BINARY;
  if (!binary) throw new Error('ORDERLY_BINARY is not set (run through ctest -L web)');
  const webRoot = process.env.ORDERLY_WEB_ROOT ?? resolve(join(here, '..', '..', '..', 'web'));
  const server = await startOrderly({ binary, webRoot, adminPassword: kAdminPassword, extraArgs });
  let browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.stop();
    throw error;
  }
  const api = new Api(server.url);
  return {
    server, browser, api,
    adminToken: () => api.login(kAdminEmail, kAdminPassword),
    async stop() {
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}

let counter = 0;
export function newCustomer() {
  counter += 1;
  return { name: `Visitor ${counter}`, email: `visitor-${Date.now()}-${counter}@example.test`, password: 'correct horse battery' };
}

// Signs up through the page and lands back on the product list.
export async function signUpInPage(page, url, customer) {
  await page.goto(`${url}/#/signup`);
  await page.getByLabel('Name').fill(customer.name);
  await page.getByLabel('E-mail').fill(customer.email);
  await page.getByLabel('Password (10 characters or more)').fill(customer.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

export async function saveCardInPage(page, number) {
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry month').fill('12');
  await page.getByLabel('Expiry year').fill('2031');
  await page.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: 'Save card' }).click();
  await page.locator('#cards li', { hasText: `ending in ${number.replaceAll(' ', '').slice(-4)}` }).waitFor();
}

export async function fillAddress(page) {
  await page.getByLabel('Full name').fill('Ada Lovelace');
  await page.getByLabel('Address').fill('1 Main St');
  await page.getByLabel('City').fill('London');
  await page.getByLabel('Postal code').fill('N1 9GU');
  await page.getByLabel('Country (2 letters, e.g. GB)').fill('GB');
}
