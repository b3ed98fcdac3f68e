// Tiny DOM helpers: every text goes in as text (never as HTML), so nothing the API returns can
// inject markup into the console.

/** h('button', { type: 'button', onclick }, 'text', child…) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  append(el, children);
  return el;
}

/** Replaces the contents of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table with a header row; `rows` are arrays of cells (text, nodes, or { cell, class }). */
export function table(headers, rows, caption) {
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      {},
      caption ? h('caption', { class: 'muted' }, caption) : null,
      h('thead', {}, h('tr', {}, headers.map((x) => (typeof x === 'object' && x && !(x instanceof Node) ? h('th', { class: x.class, scope: 'col' }, x.text) : h('th', { scope: 'col' }, x))))),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h('tr', {}, row.map((cell) => (cell && typeof cell === 'object' && !(cell instanceof Node) && 'cell' in cell ? h('td', { class: cell.class }, cell.cell) : h('td', {}, cell)))),
        ),
      ),
    ),
  );
}

/** Masks an ID number on screen: only its last four characters stay visible. */
export function maskId(id) {
  const text = String(id ?? '');
  return text.length <= 4 ? text : `${'*'.repeat(text.length - 4)}${text.slice(-4)}`;
}
