// Real answers of `orderly serve` validated against docs/openapi.yaml: one
// purchase (sign up, log in, cards, order, payment, notifications), the
// admin routes, and the problem+json answers of bad input, each checked
// against the schema the document gives for its method, path, status and
// media type. An answer the document does not describe fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { startOrderly } from '../web/support/server.mjs';
import { Api } from '../web/support/api.mjs';
import { kDocument, loadDocument, responseSchema } from './support/openapi.mjs';

const kAdminPassword = 'responses-admin-password';
const document = loadDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// The whole document under one id, so `#/components/...` references resolve.
ajv.addSchema({ $id: 'openapi', ...document });
let server;
let api;
let checked = 0;

// Calls the route and validates the answer against the documented schema.
async function call(method, template, values = {}, options = {}) {
  const path = template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(values[name]));
  const answer = await api.call(method, path, options);
  const mediaType = (answer.headers.get('content-type') ?? '').split(';')[0].trim();
  const found = responseSchema(document, method, template, answer.status, mediaType);
  assert.ok(found, `${method} ${template} → ${answer.status} is not documented in ${kDocument}`);
  assert.ok(!found.wrongMediaType, `${method} ${template} → ${answer.status} answered ${mediaType}, documented ${found.wrongMediaType}`);
  if (found.schema) {
    const validate = ajv.compile({ $ref: 'openapi#' + pointerOf(method, template, answer.status, mediaType) });
    assert.ok(validate(answer.body), `${method} ${template} → ${answer.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(answer.body)}`);
  }
  checked += 1;
  return answer;
}

// The JSON pointer of the documented schema, through a component response if it is one.
function pointerOf(method, template, status, mediaType) {
  const escape = (text) => text.replace(/~/g, '~0').replace(/\//g, '~1');
  const response = document.paths[template][method.toLowerCase()].responses[String(status)];
  const base = response.$ref ? response.$ref.slice(1) : `/paths/${escape(template)}/${method.toLowerCase()}/responses/${status}`;
  return `${base}/content/${escape(mediaType)}/schema`;
}

before(async () => {
  server = await startOrderly({ binary: process.env.ORDERLY_BINARY, webRoot: '', adminPassword: kAdminPassword });
  api = new Api(server.url);
});

after(async () => { await server?.stop(); });

test('a purchase and the admin routes answer as documented', async () => {
  const admin = await api.login('admin@orderly.local', kAdminPassword);
  await call('GET', '/healthz');
  await call('GET', '/readyz');
  await call('GET', '/.well-known/jwks.json');

  const email = `buyer-${Date.now()}@example.com`;
  const signup = await call('POST', '/api/v1/auth/signup', {}, { body: { email, password: 'correct horse battery', name: 'Ada' } });
  assert.equal(signup.status, 201);
  const login = await call('POST', '/api/v1/auth/login', {}, { body: { email, password: 'correct horse battery' } });
  assert.equal(login.status, 200);
  const token = login.body.access_token;
  await call('GET', '/api/v1/auth/me', {}, { token });

  const products = await call('GET', '/api/v1/products', {}, { headers: {} });
  assert.equal(products.status, 200);
  const product = products.body.items[0];
  await call('GET', '/api/v1/products/{id}', { id: product.id });
  const created = await call('POST', '/api/v1/products', {}, {
    token: admin, body: { sku: `SKU-${Date.now()}`, name: 'Lamp', description: 'A lamp', price: { amount: 1999, currency: 'USD' }, stock: 5 },
  });
  assert.equal(created.status, 201);
  await call('PATCH', '/api/v1/products/{id}', { id: created.body.id }, { token: admin, body: { stock: 7 } });

  const card = await call('POST', '/api/v1/payment-methods', {}, {
    token, body: { card: { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2030, cvc: '123' } },
  });
  assert.equal(card.status, 201);
  await call('GET', '/api/v1/payment-methods', {}, { token });

  const order = await call('POST', '/api/v1/orders', {}, {
    token,
    headers: { 'Idempotency-Key': `responses-${Date.now()}` },
    body: {
      items: [{ product_id: created.body.id, quantity: 1 }], payment_method_id: card.body.id,
      shipping_address: { name: 'Ada', line1: '1 Main St', city: 'London', postal_code: 'N1 9GU', country: 'GB' },
    },
  });
  assert.equal(order.status, 201);
  await call('GET', '/api/v1/orders/{id}', { id: order.body.id }, { token });
  await call('GET', '/api/v1/orders', {}, { token });
  await call('GET', '/api/v1/orders/{id}/payment', { id: order.body.id }, { token });
  await call('GET', '/api/v1/notifications', {}, { token });
  await call('GET', '/api/v1/admin/dlq', {}, { token: admin });
  await call('DELETE', '/api/v1/products/{id}', { id: product.id }, { token: admin });
});

test('bad input answers the documented problem+json', async () => {
  const weak = await call('POST', '/api/v1/auth/signup', {}, { body: { email: 'x@example.com', password: 'short', name: 'X' } });
  assert.equal(weak.status, 422);
  assert.ok(weak.body.errors.length > 0);
  const anonymous = await call('GET', '/api/v1/auth/me');
  assert.equal(anonymous.status, 401);
  const missing = await call('GET', '/api/v1/products/{id}', { id: 'no-such-product' });
  assert.equal(missing.status, 404);
  const wrong = await call('POST', '/api/v1/auth/login', {}, { body: { email: 'nobody@example.com', password: 'wrong password!' } });
  assert.equal(wrong.status, 401);
  const admin = await api.login('admin@orderly.local', kAdminPassword);
  const noKey = await call('POST', '/api/v1/orders', {}, { token: admin, body: { items: [] } });
  assert.equal(noKey.status, 400);
  assert.ok(checked >= 24, `${checked} answers checked`);
});
