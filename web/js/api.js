// fetch() for the public API of API.md: JSON in and out, problem+json errors
// turned into ApiError, and one sentence per error for the visitor.

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
    this.retryAfter = retryAfter;
  }
}

// options: body (JSON-encoded unless a string), token, headers, raw (return
// {status, headers, body} instead of the body).
export async function api(method, path, options = {}) {
  const headers = { Accept: 'application/json', ...options.headers };
  let body;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (cause) {
    throw Object.assign(new ApiError(0, { title: 'Network error' }), { cause });
  }
  const text = await response.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = null; }
  }
  if (!response.ok && response.status !== 304) {
    const retry = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    throw new ApiError(response.status, parsed, Number.isFinite(retry) ? retry : undefined);
  }
  return options.raw ? { status: response.status, headers: response.headers, body: parsed } : parsed;
}

// The sentence shown for a failed request. `context` names what was being
// done ("sign up", "save the card", "place the order").
export function describeError(error, context = 'do that') {
  const type = error?.problem?.type ?? '';
  switch (error?.status) {
    case 0:
      return `The shop cannot be reached right now, so we could not ${context}. Check your connection and try again.`;
    case 400:
      return `We could not ${context}: the request was not understood (${error.problem.detail || error.problem.title || 'bad request'}).`;
    case 401:
      if (type === '/problems/invalid-credentials') return 'Wrong e-mail or password.';
      return `Please log in to ${context}.`;
    case 403:
      return `Your account is not allowed to ${context}.`;
    case 404:
      return 'This was not found. It may have been removed.';
    case 409:
      if (type === '/problems/out-of-stock') {
        return 'Out of stock: there is not enough left of a product in your cart. Lower the quantity or remove it, then try again. Nothing was ordered.';
      }
      if (type === '/problems/email-taken') return 'An account with this e-mail already exists. Log in instead.';
      if (type === '/problems/idempotency-key-in-use') return 'Your order is still being placed. Wait a moment.';
      if (type === '/problems/sku-taken') return 'Another product already has this SKU.';
      return `We could not ${context}: ${error.problem.detail || 'it conflicts with the current state'}.`;
    case 412:
      return 'Someone else changed this in the meantime. Reload it to see their changes, then edit again.';
    case 413:
      return `We could not ${context}: the upload is too large.`;
    case 422: {
      const fields = Array.isArray(error.problem.errors) ? error.problem.errors : [];
      const details = fields.map((entry) => `${entry.field}: ${entry.message}`).join('; ');
      return `Please check what you entered${details ? ` (${details})` : error.problem.detail ? ` (${error.problem.detail})` : ''}.`;
    }
    case 429: {
      const wait = error.retryAfter;
      return `Too many attempts. Please wait ${wait ? `${wait} second${wait === 1 ? '' : 's'}` : 'a moment'} and try again.`;
    }
    case 503:
      return `The shop is busy, so we could not ${context}. Try again in ${error.retryAfter ?? 'a few'} seconds.`;
    default:
      return `Something went wrong, so we could not ${context}. Try again later.`;
  }
}
