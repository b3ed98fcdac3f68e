import { createHash } from 'node:crypto';
import { GatewayError } from '#core';

/** The request header a window sends once per form submission (lower case, as Node keeps it). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** The response header set on an answer replayed from an earlier request with the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

/** The longest key kept (the draft sets no bound; a UUID is 36 characters). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

// An RFC 8941 §3.3.3 String: printable ASCII (0x20-0x7E), `"` and `\` escaped by `\`.
const SF_STRING = /^"((?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\["\\])*)"$/;
// Lenient: a bare key made of token characters (RFC 9110 tchar, with RFC 8941's `:` and `/`, and `=` for base64).
const BARE_KEY = /^[A-Za-z0-9!#$%&'*+.^_`|~:/=-]+$/;

const invalid = (message: string) => GatewayError.field('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key', message);

/**
 * The key of an `Idempotency-Key` header, or null when the request has none (the key is
 * optional: a request without one is processed as before).
 *
 * The draft (draft-ietf-httpapi-idempotency-key-header §2) makes the field an Item Structured
 * Header whose value is a String, sent quoted. A bare token is accepted too, since clients
 * commonly send a UUID without quotes and nothing can be mistaken by reading it as the key.
 * Parameters, lists (the header sent twice) and keys longer than 255 characters are refused.
 *
 * @example parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"') // '8e03978e-40d5-43e8-bc93-6894a57f9324'
 */
export function parseIdempotencyKey(raw: string | readonly string[] | undefined): string | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string') {
    if (raw.length !== 1) throw invalid('send one Idempotency-Key header');
    return parseIdempotencyKey(raw[0]);
  }
  const value = raw.replace(/^[ \t]+|[ \t]+$/g, '');
  let key: string;
  if (value.startsWith('"')) {
    const quoted = SF_STRING.exec(value);
    if (!quoted) throw invalid('the key must be one quoted string of printable ASCII, e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324"');
    key = quoted[1].replace(/\\(["\\])/g, '$1');
  } else {
    if (!BARE_KEY.test(value)) throw invalid('the key must be a quoted string, or a bare token such as a UUID');
    key = value;
  }
  if (key.length === 0) throw invalid('the key must not be empty');
  if (key.length > IDEMPOTENCY_KEY_MAX_LENGTH) throw invalid(`the key must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`);
  return key;
}

/**
 * The fingerprint a key is bound to: SHA-256 (hex) of the method, the path and the body in a
 * canonical JSON form (object keys sorted at every level, arrays in order), so a retry that
 * serialises the same form differently (key order, spacing) is still the same request, and any
 * other value, path or method is not.
 *
 * @example requestFingerprint('POST', '/api/v1/applications', { service: 'ssc.apply' }) // 64 hex digits
 */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${path}\n${canonicalJson(body)}`).digest('hex');
}

/** JSON with object keys sorted; `undefined` (no body) is written as nothing, unlike `null`. */
function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
