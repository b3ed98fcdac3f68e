/**
 * JSON that names every member once. RFC 8259 §4 only says names SHOULD be unique, and
 * `JSON.parse` keeps the last of two equal names; two readers of the same signed bytes can then
 * disagree on what was signed (one sees `alg: none`, the other `alg: EdDSA`). RFC 7515 §4 (JOSE
 * header) and RFC 7519 §4 (JWT claims set): "JWS parsers MUST either reject JWSs with duplicate
 * Header Parameter names or use a JSON parser that returns only the lexically last duplicate
 * member name". We reject, at any depth, in everything a peer, an agency adapter or the
 * federation authority sends us, so that there is exactly one reading of it.
 */

/** A member name given twice in one object. */
export interface DuplicateMember {
  /** The repeated name, decoded (`"\u0061"` and `"a"` are the same name). */
  readonly name: string;
  /**
   * Where the repeated member is: the member names and array indices from the top-level value
   * down to it, ending with `name` (`['body', 'items', 1, 'a']`). Names only, never values.
   */
  readonly path: readonly (string | number)[];
  /**
   * The member of the top-level object under which the repetition sits, or `name` itself when the
   * repetition is in the top-level object: the "field at fault" of a message. Undefined when the
   * top-level value is not an object.
   */
  readonly field: string | undefined;
  /** 1 when the repetition is in the top-level object, 2 one object or array below, and so on. */
  readonly depth: number;
}

export type StrictJsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'syntax'; readonly cause: unknown }
  | { readonly ok: false; readonly reason: 'duplicate'; readonly duplicate: DuplicateMember };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * Parses JSON like `JSON.parse`, and refuses a text in which any object names a member twice.
 * Never throws: the result says why a text was refused.
 *
 * @example parseStrictJson('{"a":1}') // { ok: true, value: { a: 1 } }
 * @example parseStrictJson('{"alg":"none","alg":"EdDSA"}') // { ok: false, reason: 'duplicate', duplicate: { name: 'alg', path: ['alg'], field: 'alg', depth: 1 } }
 */
export function parseStrictJson(text: string): StrictJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return { ok: false, reason: 'syntax', cause };
  }
  const duplicate = findDuplicateMember(text);
  return duplicate === undefined ? { ok: true, value } : { ok: false, reason: 'duplicate', duplicate };
}

/**
 * The first member name repeated within one object of `text`, or `undefined`. `text` must be
 * valid JSON (`JSON.parse` accepted it): this is a scanner over tokens, not a second parser. It
 * keeps one set of names per open object; names are compared decoded, as `JSON.parse` would
 * produce them, so an escaped spelling of a name is the same name.
 *
 * @example findDuplicateMember('{"a":{"x":1},"b":{"x":2}}') // undefined: two objects, one x each
 * @example findDuplicateMember('{"a":1,"\\u0061":2}') // { name: 'a', path: ['a'], field: 'a', depth: 1 }
 */
export function findDuplicateMember(text: string): DuplicateMember | undefined {
  // One frame per open container: an object's names so far and the member being read, or an
  // array's index (names: null).
  const open: Frame[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN_OBJECT) {
      open.push({ names: new Set(), at: '' });
      expectName = true;
    } else if (c === OPEN_ARRAY) {
      open.push({ names: null, at: 0 });
      expectName = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      open.pop();
      expectName = false;
    } else if (c === COMMA) {
      const top = open[open.length - 1];
      if (typeof top.at === 'number') top.at += 1;
      expectName = top.names !== null;
    } else if (c === QUOTE) {
      const end = closingQuote(text, i);
      if (expectName) {
        const raw = text.slice(i + 1, end);
        // Most names have no escape: decode only those that do, exactly as JSON.parse does.
        const name = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        const top = open[open.length - 1];
        const names = top.names ?? new Set<string>(); // expectName is only ever set inside an object
        if (names.has(name)) {
          const path = [...open.slice(0, -1).map((frame) => frame.at), name];
          const field = open[0]?.names === null ? undefined : (path[0] as string);
          return { name, path, field, depth: open.length };
        }
        names.add(name);
        top.at = name;
        expectName = false;
      }
      i = end;
    }
    // Anything else (`:`, white space, numbers, true/false/null) neither opens nor names.
  }
  return undefined;
}

/** An open object (the names seen so far, the member being read) or array (names null, the index). */
interface Frame {
  readonly names: Set<string> | null;
  at: string | number;
}

/** The index of the quote that closes the string opened at `start`, skipping escaped characters. */
function closingQuote(text: string, start: number): number {
  let j = start + 1;
  for (;;) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) j += 2;
    else if (c === QUOTE || Number.isNaN(c)) return j;
    else j++;
  }
}
