// The test's own calls to the public API (as an admin or as the visitor),
// to set up data and to check what the pages did.
export class Api {
  constructor(baseUrl) { this.baseUrl = baseUrl; }

  async call(method, path, { body, token, headers = {} } = {}) {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': typeof body === 'string' ? 'text/csv' : 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  async login(email, password) {
    const answer = await this.call('POST', '/api/v1/auth/login', { body: { email, password } });
    if (answer.status !== 200) throw new Error(`login ${email}: ${answer.status}`);
    return answer.body.access_token;
  }

  async product(id) {
    const answer = await this.call('GET', `/api/v1/products/${id}`);
    if (answer.status !== 200) throw new Error(`product ${id}: ${answer.status}`);
    return answer.body;
  }

  async orders(token) {
    const answer = await this.call('GET', '/api/v1/orders', { token });
    if (answer.status !== 200) throw new Error(`orders: ${answer.status}`);
    return answer.body.items;
  }
}
