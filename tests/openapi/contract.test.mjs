// The OpenAPI contract: every route a running `orderly serve` and `orderly
// gateway` register (their orderly_http_route_info series) is documented in
// docs/openapi.yaml, and every documented operation is registered by the
// process it names, or answers 200 on the operations listener it names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrderly, startOrderlyCommand } from '../web/support/server.mjs';
import { compareRoutes, documentedRoutes, loadDocument, registeredRoutes } from './support/openapi.mjs';

const kBinary = process.env.ORDERLY_BINARY;
const document = loadDocument();
const documented = documentedRoutes(document);
let serve;
let gateway;

function gatewayConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'orderly-openapi-gateway-'));
  writeFileSync(join(dir, 'gateway.yaml'), [
    'listeners: [{name: public, address: "127.0.0.1:0"}]',
    'ops_listen: 127.0.0.1:0',
    'threads: 1',
    'upstreams:',
    '  catalog: {instances: ["127.0.0.1:9"], health: {enabled: false}}',
    'routes:',
    '  - {name: catalog, match: {prefix: /api/v1/products}, upstream: catalog}',
    '',
  ].join('\n'));
  return dir;
}

async function routesOf(server) {
  const answer = await fetch(`${server.opsUrl}/metrics`);
  assert.equal(answer.status, 200);
  return registeredRoutes(await answer.text());
}

function documentedFor(process, listener = 'public') {
  return new Set([...documented].filter(([, where]) => where.process === process && where.listener === listener).map(([route]) => route));
}

before(async () => {
  assert.ok(kBinary, 'ORDERLY_BINARY names the orderly binary');
  serve = await startOrderly({ binary: kBinary, webRoot: '', adminPassword: 'contract-admin-password' });
  const dir = gatewayConfig();
  gateway = await startOrderlyCommand({ binary: kBinary, args: ['gateway', '--config', join(dir, 'gateway.yaml')], dataDir: dir });
});

after(async () => {
  await serve?.stop();
  await gateway?.stop();
});

test('every route orderly serve registers is documented, and every documented platform route is registered', async () => {
  const registered = await routesOf(serve);
  assert.ok(registered.size > 20, `orderly_http_route_info lists ${registered.size} routes`);
  // /healthz and /readyz are documented once for both processes.
  const expected = new Set([...documentedFor('platform')]);
  assert.deepEqual(compareRoutes(expected, registered), { undocumented: [], unserved: [] });
});

test('every route orderly gateway registers is documented, and its documented routes are registered', async () => {
  const registered = await routesOf(gateway);
  const expected = new Set([...documentedFor('gateway'), 'GET /healthz', 'GET /readyz']);
  assert.deepEqual(compareRoutes(expected, registered), { undocumented: [], unserved: [] });
});

test('every path documented on the operations listener answers 200 there, in both processes', async () => {
  const opsRoutes = [...documented].filter(([, where]) => where.listener === 'ops').map(([route]) => route);
  assert.ok(opsRoutes.length > 0);
  for (const route of opsRoutes) {
    const [method, path] = route.split(' ');
    for (const server of [serve, gateway]) {
      const answer = await fetch(server.opsUrl + path, { method });
      assert.equal(answer.status, 200, `${route} on ${server.opsUrl}`);
    }
  }
});

test('a route registered without documentation is reported by name', async () => {
  // The same comparison with one operation taken out of the document, as if
  // its route had been added to the code without documenting it.
  const registered = await routesOf(serve);
  const trimmed = new Set([...documentedFor('platform')].filter((route) => route !== 'POST /api/v1/orders/{id}/ship'));
  assert.deepEqual(compareRoutes(trimmed, registered), { undocumented: ['POST /api/v1/orders/{id}/ship'], unserved: [] });
  const extra = new Set([...documentedFor('platform'), 'GET /api/v1/nowhere']);
  assert.deepEqual(compareRoutes(extra, registered), { undocumented: [], unserved: ['GET /api/v1/nowhere'] });
});
