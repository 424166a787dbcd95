// The order page follows the status live: through the Server-Sent Events
// route (GET /api/v1/orders/{id}/events) while the page stays as it is, and
// by polling with back-off when the stream is refused. The slow test card
// answers after 2.5 s, so the page shows the pending order first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newVisitor, seriousViolations } from './support/browser.mjs';
import { fillAddress, newCustomer, saveCardInPage, signUpInPage, startSuite } from './support/suite.mjs';

let suite;
before(async () => {
  suite = await startSuite({
    extraArgs: ['--set', 'payments.simulator_slow_answer=2500ms', '--set', 'payments.provider_timeout=6000ms'],
  });
});
after(async () => { await suite?.stop(); });

async function placeWithSlowCard(page) {
  await signUpInPage(page, suite.server.url, newCustomer());
  await page.locator('.products .card').filter({ has: page.getByRole('button', { name: /^Add .* to cart$/, disabled: false }) })
    .first().getByRole('button').click();
  await saveCardInPage(page, '4000 0000 0000 3220');
  await page.goto(`${suite.server.url}/#/checkout`);
  await fillAddress(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(/#\/orders\/[^/]+$/);
}

// The plain GETs of one order (not its /events stream), with their times.
function orderReads(page) {
  const reads = [];
  page.on('request', (request) => {
    if (request.method() === 'GET' && /^\/api\/v1\/orders\/[^/]+$/.test(new URL(request.url()).pathname)) reads.push(Date.now());
  });
  return reads;
}

test('the order turns paid on the page through the event stream, without a reload or a poll', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    const reads = orderReads(page);
    const streams = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.endsWith('/events')) streams.push({ status: response.status(), type: response.headers()['content-type'] });
    });
    await placeWithSlowCard(page);
    await page.locator('#order-status [data-status="pending_payment"]').waitFor({ timeout: 5_000 });
    await page.evaluate(() => { window.stillTheSamePage = true; });
    await page.locator('#order-status [data-status="paid"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.evaluate(() => window.stillTheSamePage), true, 'the page was not reloaded');
    assert.equal(streams.length, 1, 'one stream was opened');
    assert.equal(streams[0].status, 200);
    assert.match(streams[0].type, /^text\/event-stream/);
    assert.equal(reads.length, 1, `the order was read once, then followed by the stream (reads: ${reads.length})`);
    await page.getByText('Payment received. Thank you!').waitFor();
    assert.equal(await page.locator('.history li').count(), 2, 'the paid step joined the history');
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await context.close();
  }
});

test('when the stream is refused the page polls with back-off until the order is paid', async () => {
  const { context, page } = await newVisitor(suite.browser);
  try {
    await page.route('**/api/v1/orders/*/events', (route) => route.fulfill({
      status: 503, contentType: 'application/problem+json', headers: { 'Retry-After': '5' },
      body: JSON.stringify({ type: '/problems/too-many-streams', title: 'Service Unavailable', status: 503 }),
    }));
    const reads = orderReads(page);
    await placeWithSlowCard(page);
    await page.locator('#order-status [data-status="paid"]').waitFor({ timeout: 20_000 });
    assert.ok(reads.length >= 2, `the page polled (reads: ${reads.length})`);
    const gaps = reads.slice(1).map((at, index) => at - reads[index]);
    assert.ok(gaps.every((gap) => gap >= 400), `no tight polling loop (gaps: ${gaps})`);
    assert.ok(gaps.length < 2 || gaps.at(-1) > gaps[0], `the waits grow (gaps: ${gaps})`);
  } finally {
    await context.close();
  }
});
