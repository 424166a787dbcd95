// The cart, kept in the browser (localStorage) until the server-side cart
// of the commerce-depth issue replaces it. It holds product ids, quantities
// and the name and price seen when added (for display; the server prices the
// order). Never a token or card data.
const kKey = 'orderly.cart';
const listeners = new Set();

function read() {
  try {
    const lines = JSON.parse(localStorage.getItem(kKey) ?? '[]');
    return Array.isArray(lines) ? lines.filter((line) => typeof line?.product_id === 'string' && line.quantity > 0) : [];
  } catch {
    return [];
  }
}

function write(lines) {
  localStorage.setItem(kKey, JSON.stringify(lines));
  for (const listener of listeners) listener(lines);
}

export function cartLines() { return read(); }
export function cartCount() { return read().reduce((sum, line) => sum + line.quantity, 0); }
export function onCartChange(listener) { listeners.add(listener); }

export function addToCart(product, quantity = 1) {
  const lines = read();
  const line = lines.find((entry) => entry.product_id === product.id);
  if (line) {
    line.quantity += quantity;
  } else {
    lines.push({ product_id: product.id, name: product.name, price: product.price, quantity });
  }
  write(lines);
}

export function setQuantity(productId, quantity) {
  const lines = read();
  write(quantity > 0
    ? lines.map((line) => (line.product_id === productId ? { ...line, quantity } : line))
    : lines.filter((line) => line.product_id !== productId));
}

export function clearCart() { write([]); }

export function cartTotal(lines = read()) {
  if (lines.length === 0) return null;
  return { amount: lines.reduce((sum, line) => sum + line.price.amount * line.quantity, 0), currency: lines[0].price.currency };
}
