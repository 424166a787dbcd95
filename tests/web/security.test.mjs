// The pages' security: a hostile product name renders as text, the CSP
// blocks an injected inline script (seen as the browser's console
// violation), the headers are there, and no page code parses HTML.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newVisitor, screenshots, seriousViolations } from './support/browser.mjs';
import { startSuite } from './support/suite.mjs';

const kProbe = '<img src=x onerror=alert(1)>';
let suite;
let probeId;
before(async () => {
  suite = await startSuite();
  const created = await suite.api.call('POST', '/api/v1/products', {
    token: await suite.adminToken(),
    body: { sku: 'XSS-PROBE', name: kProbe, description: '<script>alert(2)</script>', price: { amount: 100, currency: 'USD' }, stock: 5 },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  probeId = created.body.id;
});
after(async () => { await suite?.stop(); });

test('a product named like an HTML tag shows as text, on the list and on its page', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    await page.goto(`${suite.server.url}/#/product/${encodeURIComponent(probeId)}`);
    await page.locator('main h1').waitFor();
    assert.equal(await page.locator('main h1').textContent(), kProbe);
    await page.getByText('<script>alert(2)</script>').waitFor();
    assert.equal(await page.locator('main img').count(), 0, 'no element was made from the name');
    assert.equal(await page.locator('main script').count(), 0);
    await page.goto(`${suite.server.url}/#/?q=XSS`);
    await page.goto(suite.server.url);
    await page.locator('.products .card').first().waitFor();
    assert.equal(await page.locator('.products img').count(), 0);
    assert.deepEqual(page.dialogs, [], 'no alert() ran');
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await context.close();
  }
});

test('the Content-Security-Policy blocks an inline script injected into the page', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    await page.goto(suite.server.url);
    await page.locator('#nav a').first().waitFor();
    const violation = page.waitForEvent('console', { predicate: (message) => /Content Security Policy/.test(message.text()), timeout: 5_000 });
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true;';
      document.body.append(script);
    });
    const message = await violation;
    // Chromium 156's wording: "Executing inline script violates ... 'script-src 'self'' ... The action has been blocked."
    assert.match(message.text(), /inline script violates the following Content Security Policy directive 'script-src 'self''.*blocked/s);
    assert.equal(await page.evaluate(() => window.__injected), undefined, 'the injected script did not run');
  } finally {
    await context.close();
  }
});

test('pages and assets carry the security and caching headers', async () => {
  const index = await fetch(`${suite.server.url}/`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(index.status, 200);
  const csp = index.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/, 'no unsafe-inline, no other origin');
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(index.headers.get('cache-control'), 'no-cache', 'the page is revalidated, so a deploy shows at once');
  const etag = index.headers.get('etag');
  assert.ok(etag);
  const again = await fetch(`${suite.server.url}/`, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const script = await fetch(`${suite.server.url}/js/app.js`);
  assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
  const api = await fetch(`${suite.server.url}/api/v1/nothing-here`);
  assert.equal(api.status, 404);
  assert.equal(api.headers.get('content-type'), 'application/problem+json', 'an unknown API path is not the web page');
});

test('no page code parses HTML (innerHTML, outerHTML, insertAdjacentHTML, document.write)', () => {
  const root = process.env.ORDERLY_WEB_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
  const offenders = [];
  const walk = (folder) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) { walk(path); continue; }
      if (!name.endsWith('.js') && !name.endsWith('.html')) continue;
      const code = readFileSync(path, 'utf8').split('\n').filter((line) => !line.trimStart().startsWith('//')).join('\n');
      if (/\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|<script>[^<]/.test(code)) offenders.push(path);
    }
  };
  walk(root);
  assert.deepEqual(offenders, []);
});
