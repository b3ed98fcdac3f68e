// Tiny DOM helpers: every text goes in as text (never as HTML), so nothing the API returns can
// inject markup into the console.
// @ts-check

/** @typedef {Node | string | number | boolean | null | undefined | Children} Child What h(), s(), mount() take as children. */
/** @typedef {ReadonlyArray<Child>} Children Nested lists are flattened. */
/** @typedef {{ [event: `on${string}`]: ((event: never) => void) | undefined } & Record<string, unknown>} Attrs Attributes; `on…` functions become listeners (returning nothing: a promise would go unwatched), `class` the class name, `dataset` data-*. */
/** @typedef {{ text: string, class: string }} HeaderCell A table header with a class. */
/** @typedef {{ cell: Child, class: string }} TableCell A table cell with a class. */

/**
 * h('button', { type: 'button', onclick }, 'text', child…)
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else if (name === 'class') el.className = /** @type {string} */ (value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, '');
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a value here is text, a number or true: listeners and dataset are taken above
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Children} children
 */
function append(el, children) {
  // Flattened as unknown: TypeScript cannot compute flat(Infinity) of a recursive type.
  for (const child of /** @type {Array<Exclude<Child, Children>>} */ (/** @type {unknown[]} */ (children).flat(Infinity))) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An SVG element with attributes.
 * @param {string} tag
 * @param {Record<string, string | number | null | undefined>} [attrs]
 * @param {...Child} children
 * @returns {SVGElement}
 */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  append(el, children);
  return el;
}

/**
 * Replaces the contents of `el`.
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * A table with a header row; `rows` are arrays of cells (text, nodes, or { cell, class }).
 * @param {ReadonlyArray<string | Node | HeaderCell>} headers
 * @param {ReadonlyArray<ReadonlyArray<Child | TableCell>>} rows
 * @param {string} [caption]
 */
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

/**
 * Masks an ID number on screen: only its last four characters stay visible.
 * @param {string | null | undefined} id
 */
export function maskId(id) {
  const text = String(id ?? '');
  return text.length <= 4 ? text : `${'*'.repeat(text.length - 4)}${text.slice(-4)}`;
}

/**
 * The element with this id, which the page or the view itself put there: a missing one is a
 * bug of the console, said by name rather than as a TypeError on null.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`no element #${id}`);
  return el;
}
