// Follows an order's status live through GET /api/v1/orders/{id}/events
// (API.md, "Live order status"). fetch() reads the stream rather than
// EventSource, because EventSource cannot send an Authorization header and
// the access token lives in the page's memory only (never in a cookie or the
// URL, where EventSource could carry it).
import { token } from './session.js';

// Calls onStatus({id, status, at, reason}) for every status event. Resolves
// when the server ends the stream; rejects when it cannot be opened (not
// signed in, 503 too many streams, no stream support) or breaks, so the
// caller can fall back to polling. `signal` aborts it. `seen` is the number
// of history steps the page has shown: the server sends the ones after it.
export async function followOrderStatus(orderId, onStatus, signal, seen) {
  const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token()}` };
  if (Number.isInteger(seen)) headers['Last-Event-ID'] = String(seen);
  const response = await fetch(`/api/v1/orders/${encodeURIComponent(orderId)}/events`, {
    headers,
    cache: 'no-store', credentials: 'same-origin', signal,
  });
  const type = response.headers.get('Content-Type') ?? '';
  if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
    throw Object.assign(new Error(`the stream was refused (HTTP ${response.status})`), { status: response.status });
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value.replace(/\r\n?/g, '\n');
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const event = parseEvent(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
      if (event.type === 'status' && event.data) onStatus({ ...JSON.parse(event.data), id: event.id });
    }
  }
}

// One event block of the text/event-stream format; comment lines (": heartbeat") are skipped.
function parseEvent(block) {
  const event = { type: 'message', id: null, data: '' };
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event.type = value;
    else if (field === 'id') event.id = Number.parseInt(value, 10);
    else if (field === 'data') event.data += (event.data ? '\n' : '') + value;
  }
  return event;
}
