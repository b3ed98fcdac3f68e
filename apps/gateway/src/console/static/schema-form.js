// Application forms generated from the JSON Schemas the node publishes (/api/v1/contracts): a
// service added to /contracts appears here without a change to the console. Labels come from
// each property's `title`, else the console's field dictionary (i18n.js).
// @ts-check

import { h, mount } from './dom.js';
import { fieldLabel, getLang, problemMessage, t, valueLabel } from './i18n.js';

/**
 * The part of JSON Schema (draft 2020-12) the form generator reads.
 * @typedef {{ $id?: string, $ref?: string, title?: string, const?: unknown, enum?: unknown[], oneOf?: SchemaNode[], anyOf?: SchemaNode[], allOf?: SchemaNode[], type?: string | string[], properties?: Record<string, SchemaNode>, required?: string[], items?: SchemaNode, minItems?: number, maxLength?: number, format?: string, pattern?: string }} SchemaNode
 */
/** @typedef {import('./api.js').Problem} Problem */
/** @typedef {{ el: HTMLElement | null, collect: () => unknown }} Rendered A drawn schema node: its element, and what it reads from the form. */
/** @typedef {{ input?: HTMLElement, error: HTMLElement, label: string | undefined, focus: () => void }} Field */
/** @typedef {{ path: string, label: string | undefined, message: string, focus: () => void }} PlacedProblem */

const WINDOW_SCHEMA_ID = /^urn:cytb:contract:([a-z0-9]+(?:-[a-z0-9]+)*):v1$/; // not `<service>.request`: that is the forwarded form

/**
 * The service of a window request schema (`$id` urn:cytb:contract:<name>:v1 with a `service` const), or null.
 * @param {SchemaNode | null | undefined} schema
 * @returns {string | null}
 */
export function windowServiceOf(schema) {
  if (!schema || typeof schema !== 'object' || !WINDOW_SCHEMA_ID.test(schema.$id ?? '')) return null;
  const service = schema.properties?.service?.const;
  return typeof service === 'string' ? service : null;
}

/**
 * @param {SchemaNode} root
 * @param {SchemaNode | undefined} node
 * @returns {SchemaNode}
 */
function resolve(root, node) {
  let current = node ?? {};
  for (let depth = 0; depth < 10 && typeof current.$ref === 'string' && current.$ref.startsWith('#/'); depth += 1) {
    const target = current.$ref
      .slice(2)
      .split('/')
      .reduce((/** @type {any} */ at, part) => at?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], root);
    const { $ref: _ignored, ...rest } = current;
    current = { ...(target ?? {}), ...rest };
  }
  if (Array.isArray(current.allOf)) current = current.allOf.reduce((acc, part) => merge(acc, resolve(root, part)), { ...current, allOf: undefined });
  return current;
}

/**
 * @param {SchemaNode} a
 * @param {SchemaNode} b
 * @returns {SchemaNode}
 */
function merge(a, b) {
  return { ...a, ...b, properties: { ...(a.properties ?? {}), ...(b.properties ?? {}) }, required: [...(a.required ?? []), ...(b.required ?? [])] };
}

/** @param {SchemaNode} node */
function typeOf(node) {
  if (node.const !== undefined) return 'const';
  if (Array.isArray(node.enum)) return 'enum';
  const options = node.oneOf ?? node.anyOf;
  if (Array.isArray(options) && options.length > 0 && options.every((o) => o && o.const !== undefined)) return 'choice';
  const type = Array.isArray(node.type) ? node.type.find((x) => x !== 'null') : node.type;
  if (type === 'object' || (type === undefined && node.properties)) return node.properties ? 'object' : 'json';
  if (type === 'array') return 'array';
  if (type === 'integer' || type === 'number' || type === 'boolean' || type === 'string') return type;
  return 'json';
}

/**
 * A choice's label: its (Chinese) title in Chinese, the value's dictionary label in English.
 * @param {SchemaNode} option
 */
function choiceLabel(option) {
  if (getLang() === 'zh' && option.title) return option.title;
  const known = valueLabel(option.const);
  return known !== String(option.const) ? known : (option.title ?? String(option.const));
}

/**
 * `a.b[0].c` → `a.b[0]` → `a.b` → `a` → ''.
 * @param {string} path
 */
function parentPath(path) {
  const match = /^(.*)(\.[^.[\]]+|\[\d+\])$/.exec(path);
  return match ? match[1] : '';
}

const idOf = (/** @type {string} */ path) => `f-${path.replace(/[^A-Za-z0-9]/g, '_')}`;

/**
 * Builds the form of one window request schema. Returns the element and:
 * collect() → the request body; showProblems(problems) → the problems not tied to a field;
 * clearProblems(); focusField(path).
 * @param {SchemaNode} schema
 */
export function buildSchemaForm(schema) {
  /** @type {Map<string, Field>} */
  const fields = new Map(); // path → { input?, error, focus() }
  const root = schema;

  /**
   * @param {string} path
   * @param {string | undefined} label
   * @param {boolean} required
   * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} control
   * @param {string} [hint]
   */
  function fieldShell(path, label, required, control, hint) {
    const id = control.id;
    const error = h('div', { class: 'field-error', id: `${id}-error`, role: 'alert' });
    control.setAttribute('aria-describedby', `${id}-error${hint ? ` ${id}-hint` : ''}`);
    if (required) control.setAttribute('aria-required', 'true');
    fields.set(path, { input: control, error, label, focus: () => control.focus() });
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
      control,
      hint ? h('div', { class: 'hint', id: `${id}-hint` }, hint) : null,
      error,
    );
  }

  /**
   * Renders `node` at `path`; returns { el, collect } (collect → value or undefined).
   * @param {SchemaNode} rawNode
   * @param {string} path
   * @param {boolean} required
   * @returns {Rendered}
   */
  function render(rawNode, path, required) {
    const node = resolve(root, rawNode);
    const label = fieldLabel(path, node.title);
    const id = idOf(path);
    // Each case reads what typeOf found there (properties, enum, oneOf/anyOf): the casts say so.
    switch (typeOf(node)) {
      case 'const':
        return { el: null, collect: () => node.const };
      case 'object': {
        const requiredSet = new Set(node.required ?? []);
        const children = Object.entries(/** @type {Record<string, SchemaNode>} */ (node.properties)).map(([name, child]) => ({ name, ...render(child, path ? `${path}.${name}` : name, requiredSet.has(name)) }));
        const body = children.map((c) => c.el).filter(Boolean);
        const collect = () => {
          /** @type {Record<string, unknown>} */
          const out = {};
          for (const c of children) {
            const value = c.collect();
            if (value !== undefined) out[c.name] = value;
          }
          return Object.keys(out).length === 0 && !required && path ? undefined : out;
        };
        if (!path) return { el: h('div', { class: 'grid-root' }, body), collect };
        const error = h('div', { class: 'field-error', id: `${id}-error`, role: 'alert' });
        const legend = h('legend', { id: `${id}-legend`, tabindex: '-1' }, label);
        fields.set(path, { error, label, focus: () => legend.focus() });
        return { el: h('fieldset', { id, 'aria-describedby': `${id}-error` }, legend, error, h('div', { class: 'grid' }, body)), collect };
      }
      case 'array': {
        const items = resolve(root, node.items ?? {});
        const list = h('div', {});
        /** @type {Array<Rendered & { title: HTMLElement }>} */
        const entries = [];
        const error = h('div', { class: 'field-error', id: `${id}-error`, role: 'alert' });
        const legend = h('legend', { id: `${id}-legend`, tabindex: '-1' }, label);
        fields.set(path, { error, label, focus: () => legend.focus() });
        const relabel = () =>
          entries.forEach((entry, index) => {
            entry.title.textContent = t('item', { n: index + 1 });
          });
        const add = () => {
          const index = entries.length;
          const itemPath = `${path}[${index}]`;
          const rendered = render(items, itemPath, true);
          const title = h('h3', {}, t('item', { n: index + 1 }));
          const entry = { ...rendered, title };
          const box = h(
            'div',
            { class: 'array-item' },
            title,
            rendered.el,
            h('button', {
              type: 'button',
              onclick: () => {
                entries.splice(entries.indexOf(entry), 1);
                box.remove();
                relabel();
              },
            }, t('removeItem')),
          );
          entries.push(entry);
          list.append(box);
        };
        for (let i = 0; i < (node.minItems ?? 0); i += 1) add();
        const el = h('fieldset', { id, 'aria-describedby': `${id}-error` }, legend, error, list, h('button', { type: 'button', onclick: add }, t('addItem')));
        return { el, collect: () => entries.map((e) => e.collect()) };
      }
      case 'enum': {
        const select = h('select', { id, name: path }, h('option', { value: '' }, '—'), /** @type {unknown[]} */ (node.enum).map((v) => h('option', { value: String(v) }, valueLabel(v))));
        return { el: fieldShell(path, label, required, select), collect: () => (select.value === '' ? undefined : /** @type {unknown[]} */ (node.enum).find((v) => String(v) === select.value)) };
      }
      case 'choice': {
        // oneOf of consts, each with its own title: a closed list with labelled values.
        const options = /** @type {SchemaNode[]} */ (node.oneOf ?? node.anyOf);
        const select = h(
          'select',
          { id, name: path },
          h('option', { value: '' }, '—'),
          options.map((o) => h('option', { value: String(o.const) }, choiceLabel(o))),
        );
        return { el: fieldShell(path, label, required, select), collect: () => (select.value === '' ? undefined : options.find((o) => String(o.const) === select.value)?.const) };
      }
      case 'boolean': {
        const box = h('input', { id, name: path, type: 'checkbox' });
        return { el: fieldShell(path, label, required, box), collect: () => box.checked };
      }
      case 'integer':
      case 'number': {
        const input = h('input', { id, name: path, type: 'text', inputmode: node.type === 'integer' ? 'numeric' : 'decimal', autocomplete: 'off' });
        return { el: fieldShell(path, label, required, input), collect: () => (input.value.trim() === '' ? undefined : Number(input.value.trim())) };
      }
      case 'string': {
        const long = (node.maxLength ?? 0) > 120;
        const format = node.format === 'date' ? 'date' : 'text';
        const input = long
          ? h('textarea', { id, name: path, rows: '2', autocomplete: 'off' })
          : h('input', { id, name: path, type: format, autocomplete: 'off', inputmode: /^\^\\d\{\d+\}\$$/.test(node.pattern ?? '') ? 'numeric' : undefined });
        // A field whose contract refuses line breaks (a name, an address line) takes a typed Enter
        // in its box as a space, instead of sending what intake refuses (TEXT_CHARACTERS_INVALID).
        const oneLine = long && !acceptsLineBreak(node.pattern);
        const value = () => (oneLine ? input.value.replace(/\s*[\r\n]+\s*/g, ' ') : input.value).trim();
        return { el: fieldShell(path, label, required, input), collect: () => (value() === '' ? undefined : value()) };
      }
      case 'json':
      default: {
        // A shape the generator does not draw (oneOf, free objects): typed as JSON.
        const area = h('textarea', { id, name: path, rows: '3', class: 'mono', autocomplete: 'off' });
        const collect = () => {
          if (area.value.trim() === '') return undefined;
          try {
            return JSON.parse(area.value);
          } catch {
            return area.value;
          }
        };
        return { el: fieldShell(path, label, required, area, 'JSON'), collect };
      }
    }
  }

  const rendered = render(schema, '', true);

  function clearProblems() {
    for (const f of fields.values()) {
      mount(f.error);
      f.input?.removeAttribute('aria-invalid');
    }
  }

  /**
   * Puts each problem next to its field (or the nearest enclosing one); returns what has no field.
   * @param {Problem[]} problems
   */
  function showProblems(problems) {
    clearProblems();
    /** @type {PlacedProblem[]} */
    const placed = [];
    /** @type {Problem[]} */
    const unplaced = [];
    for (const problem of problems) {
      let path = problem.field ?? '';
      while (path && !fields.has(path)) path = parentPath(path);
      const field = path ? fields.get(path) : null;
      if (!field) {
        unplaced.push(problem);
        continue;
      }
      const message = problemMessage(problem);
      field.error.append(h('div', {}, message));
      field.input?.setAttribute('aria-invalid', 'true');
      placed.push({ path, label: field.label, message, focus: field.focus });
    }
    return { placed, unplaced };
  }

  return { element: rendered.el, collect: rendered.collect, showProblems, clearProblems };
}

/**
 * Whether a string schema's pattern lets a line break through (no pattern: it does).
 * @param {string | undefined} pattern
 */
function acceptsLineBreak(pattern) {
  if (!pattern) return true;
  try {
    return new RegExp(pattern, 'u').test('a\nb');
  } catch {
    return true;
  }
}
