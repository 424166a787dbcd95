// Builds elements without ever parsing HTML: every dynamic value becomes a
// text node or an attribute, so a product named "<img src=x onerror=...>"
// shows as those characters. Nothing in web/ may use innerHTML,
// outerHTML, insertAdjacentHTML or document.write (tests/web checks this).

// el('p', {class: 'price'}, 'Price: ', amount) -> <p class="price">Price: 12.00</p>
// Attributes: `on<event>` takes a listener, `class`/`for`/aria-* etc. are set
// with setAttribute, booleans (disabled, required, checked) as properties.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (name === 'value' || name === 'checked' || name === 'disabled' || name === 'selected') {
      node[name] = value;
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces the children of `node` with `children` (text or nodes).
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

// A live region for one form's outcome: screen readers announce its text.
export function messageBox() {
  return el('div', { class: 'message', role: 'status', 'aria-live': 'polite' });
}

export function showMessage(box, kind, text) {
  box.className = `message ${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  replace(box, text);
}

export function clearMessage(box) {
  box.className = 'message';
  replace(box);
}

// A labelled input: <label>Text <input ...></label>.
export function field(text, attributes) {
  return el('label', {}, text, el('input', attributes));
}
