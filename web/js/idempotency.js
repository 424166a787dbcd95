// One Idempotency-Key per checkout form state: the same cart, card and
// address keep the key (a double click, a retry after a timeout or a lost
// answer repeat the same request, which the server answers once), and any
// change to them draws a new one, so a real second order is never mistaken
// for a repeat.
// 128 random bits as hex. getRandomValues, unlike randomUUID, also works on
// a page served over plain HTTP from a non-loopback address.
function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export class CheckoutKey {
  #state = null;
  #key = null;

  keyFor(state) {
    const text = JSON.stringify(state);
    if (text !== this.#state) {
      this.#state = text;
      this.#key = randomKey();
    }
    return this.#key;
  }
}

// Runs `task` once per key at a time: a second call while the first is in
// flight gets the same promise instead of a second request.
export class SingleFlight {
  #running = new Map();

  run(key, task) {
    let promise = this.#running.get(key);
    if (!promise) {
      promise = task().finally(() => this.#running.delete(key));
      this.#running.set(key, promise);
    }
    return promise;
  }
}
