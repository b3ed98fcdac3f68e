import { sign, verify } from 'node:crypto';
import type { CryptoKey } from 'jose';
import { GatewayError, parseStrictJson, type ErrorCode, type FieldProblem } from '#core';
import { decodeBase64url, encodeBase64url } from './base64url.js';
import { okpKeyObject } from './key-objects.js';
import { isKid, SIGNING_ALG, SM2_ALG, suiteOfAlg } from './public-jwk.js';
import type { Signer } from './signing-key.js';
import { Sm2PublicKey, SM2_SIGNATURE_BYTES, sm2Verify } from './sm2.js';
import type { ResolvedKey, TrustStore } from './trust-store.js';

/**
 * The steps shared by envelopes and receipts, each a small function that either returns what it
 * checked or throws. The caller numbers the steps and decides, through `Refuse`, which public code
 * a failure becomes (envelopes: one code per reason; receipts: RECEIPT_INVALID with a detail).
 */

/** The reasons a compact JWS can be refused, named by the envelope code that reports them. */
export type JwsFailure = Extract<
  ErrorCode,
  | 'ENVELOPE_MALFORMED'
  | 'ENVELOPE_ALG_REFUSED'
  | 'ENVELOPE_KEY_UNKNOWN'
  | 'ENVELOPE_SIGNATURE_INVALID'
  | 'ENVELOPE_SENDER_MISMATCH'
  | 'ENVELOPE_WRONG_RECEIVER'
  | 'ENVELOPE_EXPIRED'
  | 'ENVELOPE_NOT_YET_VALID'
  | 'ENVELOPE_CLAIMS_INVALID'
  | 'SUITE_NOT_ACCEPTED'
>;

export type Refuse = (
  failure: JwsFailure,
  detail: string,
  extra?: { readonly cause?: unknown; readonly fields?: readonly FieldProblem[] },
) => GatewayError;

/** The protected header members we act on. */
export interface JwsHeader {
  readonly alg: string;
  readonly kid: string;
  readonly typ: string;
}

/**
 * The allowlist when neither the caller nor the trust store names one: the `intl` suite's EdDSA
 * (docs/security.md; never `none`, never HMAC; RFC 8725 §3.1). A trust store made for a federation names the
 * algorithms of the suites that federation accepts (`TrustStore.acceptedAlgs`).
 */
export const DEFAULT_ALGS: readonly string[] = Object.freeze([SIGNING_ALG]);

/**
 * The protected header is parsed before the signature is checked, so its size is bounded: ours is
 * about 100 characters, and there is no reason to JSON-parse kilobytes from an unauthenticated peer.
 */
const MAX_HEADER_SEGMENT = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks an algorithm allowlist given by configuration. `none` and the HMAC family are refused
 * even if configured: a shared secret cannot prove which node signed (no non-repudiation), and
 * RFC 8725 §2.1 / §3.2 list `none` and alg substitution to HMAC among the known attacks.
 */
export function checkAllowlist(allowed: readonly string[]): readonly string[] {
  if (allowed.length === 0) throw new GatewayError('CONFIG_INVALID', { detail: 'the algorithm allowlist is empty' });
  for (const alg of allowed) {
    if (alg.toLowerCase() === 'none' || /^HS/i.test(alg)) {
      throw new GatewayError('CONFIG_INVALID', { detail: `algorithm ${shown(alg)} may never be allowed` });
    }
  }
  return allowed;
}

/** Splits a compact JWS (RFC 7515 §7.1) and decodes its protected header, unverified. */
export function parseCompact(compact: unknown, refuse: Refuse): Record<string, unknown> {
  if (typeof compact !== 'string') throw refuse('ENVELOPE_MALFORMED', 'a compact JWS must be a string');
  const segments = compact.split('.');
  if (segments.length !== 3) {
    // Five segments is a compact JWE (RFC 7516 §7.1); neither is anything else we accept.
    throw refuse('ENVELOPE_MALFORMED', `a compact JWS has 3 segments, this has ${segments.length}`);
  }
  const [head, payload, signature] = segments as [string, string, string];
  // An empty signature is let through to the algorithm check, so that an unsecured JWS
  // (`alg: none`, RFC 7519 §6) is refused as what it is (ENVELOPE_ALG_REFUSED), not as a typo.
  if (!BASE64URL.test(head) || !BASE64URL.test(payload) || !(signature === '' || BASE64URL.test(signature))) {
    throw refuse('ENVELOPE_MALFORMED', 'the header and payload must be non-empty base64url, the signature base64url');
  }
  if (head.length > MAX_HEADER_SEGMENT) throw refuse('ENVELOPE_MALFORMED', 'the protected header is too large');
  return parseJsonObject(head, 'the protected header', 'header.', refuse);
}

/**
 * Decodes a base64url segment as a UTF-8 JSON object in which no object names a member twice.
 * RFC 7515 §4: "The Header Parameter names within the JOSE Header MUST be unique; JWS parsers MUST
 * either reject JWSs with duplicate Header Parameter names or use a JSON parser that returns only
 * the lexically last duplicate member name"; RFC 7519 §4 says the same of the claims. We reject
 * (ENVELOPE_MALFORMED), at any depth: `{"alg":"none","alg":"EdDSA"}` must not mean EdDSA to us and
 * `none` to another reader of the same bytes, nor a repeated `aud` or body member mean two things.
 */
function parseJsonObject(segment: string, what: string, fieldPrefix: string, refuse: Refuse): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(Buffer.from(segment, 'base64url'));
  } catch (cause) {
    throw refuse('ENVELOPE_MALFORMED', `${what} is not UTF-8 JSON`, { cause });
  }
  const parsed = parseStrictJson(text);
  if (!parsed.ok && parsed.reason === 'syntax') throw refuse('ENVELOPE_MALFORMED', `${what} is not UTF-8 JSON`, { cause: parsed.cause });
  if (!parsed.ok) {
    // The name is shown only if it is a plain short token: it comes from an unauthenticated peer.
    const { name, field, depth } = parsed.duplicate;
    const where = depth === 1 ? `member ${shown(name)}` : `a member name inside ${shown(field)}`;
    const fields = field !== undefined && PLAIN_NAME.test(field)
      ? [{ field: `${fieldPrefix}${field}`, code: 'ENVELOPE_MALFORMED' as const, message: 'repeats a member name (RFC 7515 §4, RFC 7519 §4)' }]
      : undefined;
    throw refuse('ENVELOPE_MALFORMED', `${what} repeats ${where} (RFC 7515 §4, RFC 7519 §4)`, { fields });
  }
  if (!isPlainObject(parsed.value)) throw refuse('ENVELOPE_MALFORMED', `${what} is not a JSON object`);
  return parsed.value;
}

const PLAIN_NAME = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * The algorithm allowlist, checked on the unverified header BEFORE any key is looked up, so that
 * the token cannot choose how it is verified (RFC 8725 §3.1: the verifier specifies the allowed
 * algorithms and uses no other; §2.1: `alg: none` and the swap of a public key for an HMAC secret).
 */
export function checkAlgorithm(header: Record<string, unknown>, allowed: readonly string[], refuse: Refuse): string {
  const { alg } = header;
  if (typeof alg !== 'string' || !allowed.includes(alg)) {
    // The algorithm of a suite the federation does not accept (now) is a message of the other
    // suite: its own code, so that a node still signing in the old suite after the overlap, or
    // already in the new one before it, is told exactly that (issue 17).
    const suite = suiteOfAlg(alg);
    if (suite !== undefined && allowed.some((a) => suiteOfAlg(a) !== undefined)) throw refuse('SUITE_NOT_ACCEPTED', `alg ${shown(alg)} belongs to the ${suite} suite, which the federation does not accept now`);
    throw refuse('ENVELOPE_ALG_REFUSED', `alg ${shown(alg)} is not allowed (RFC 8725 §3.1)`);
  }
  return alg;
}

/**
 * Explicit typing (RFC 8725 §3.11) keeps envelopes and receipts apart (§3.12): a receipt replayed
 * as an envelope, or an envelope as a receipt, is refused here. A wrong or missing `typ` is
 * reported as ENVELOPE_MALFORMED: the token is not an envelope at all, whatever its claims say.
 * Compared as RFC 7515 §4.1.9 asks: case-insensitively, with `application/` implied.
 */
export function checkType(header: Record<string, unknown>, expected: string, refuse: Refuse): string {
  const { typ } = header;
  if (typeof typ !== 'string' || mediaType(typ) !== mediaType(expected)) {
    throw refuse('ENVELOPE_MALFORMED', `typ must be ${expected}, not ${shown(typ)}`);
  }
  return typ;
}

/**
 * No extension is understood, so any `crit` is refused (RFC 7515 §4.1.11: a recipient that does
 * not understand a critical extension MUST reject the JWS). jose refuses unknown `crit` names too,
 * but it understands `b64` (RFC 7797, unencoded payload), which would change what the signature
 * covers; we want exactly one way to read an envelope, so `crit` and `b64` never pass.
 */
export function checkCritical(header: Record<string, unknown>, refuse: Refuse): void {
  if ('crit' in header) throw refuse('ENVELOPE_MALFORMED', 'critical header extensions (crit) are not supported');
  if ('b64' in header) throw refuse('ENVELOPE_MALFORMED', 'the b64 header (RFC 7797) is not supported');
}

/** The `kid` (RFC 7515 §4.1.4): required, since it is the only way a key is chosen. */
export function checkKid(header: Record<string, unknown>, refuse: Refuse): string {
  const { kid } = header;
  if (!isKid(kid)) throw refuse('ENVELOPE_MALFORMED', 'kid is missing or not a plain string of at most 128 characters');
  return kid;
}

/**
 * Finds the key in the trust store, and checks it is a key for this algorithm (RFC 8725 §3.1:
 * each key is used with exactly one algorithm).
 */
export function resolveKey(trust: TrustStore, kid: string, alg: string, refuse: Refuse): ResolvedKey {
  const key = trust.resolve(kid);
  if (key === undefined) throw refuse('ENVELOPE_KEY_UNKNOWN', `kid ${kid} is not in the federation`);
  if (key.alg !== alg) throw refuse('ENVELOPE_ALG_REFUSED', `kid ${kid} signs with ${key.alg}, not ${shown(alg)}`);
  return key;
}

/** An Ed25519 signature is 64 bytes (RFC 8032 §5.1.6), 86 characters of base64url. */
const ED25519_SIGNATURE_BYTES = 64;

/** A key to verify with: a CryptoKey for EdDSA, an SM2 point for SM2. */
export interface VerificationKey {
  readonly key: CryptoKey | Sm2PublicKey;
}

/**
 * Verifies the signature with node:crypto (EdDSA: RFC 8037 §3.1; SM2: GB/T 32918.2 §7 with SM3
 * and the default user ID, sm2.ts) over the signing input (RFC 7515 §5.2) and returns the payload
 * as a JSON object. Keys are made once per key, never per message.
 *
 * The header checks run again here, as the second line that jose's own checks used to be: the
 * caller has done them already, but a caller that forgot one must not get a signature verified
 * under an algorithm nobody allowed.
 *
 * @example const claims = await verifySignature(compact, trust.resolve(kid)!, DEFAULT_ALGS, refuse);
 */
export async function verifySignature(
  compact: string,
  key: VerificationKey,
  allowed: readonly string[],
  refuse: Refuse,
): Promise<Record<string, unknown>> {
  // 1. Shape, allowlist and crit again; EdDSA and SM2 are the algorithms verified here (RFC 8725 §3.1).
  const header = parseCompact(compact, refuse);
  const alg = checkAlgorithm(header, allowed, refuse);
  checkCritical(header, refuse);
  if (alg !== SIGNING_ALG && alg !== SM2_ALG) throw refuse('ENVELOPE_ALG_REFUSED', `alg ${shown(alg)} is not verified here (RFC 8725 §3.1)`);
  const lastDot = compact.lastIndexOf('.');
  const firstDot = compact.indexOf('.');
  const payloadSegment = compact.slice(firstDot + 1, lastDot);
  const signatureSegment = compact.slice(lastDot + 1);

  // 2. The signature: exactly one spelling of exactly 64 bytes (Ed25519, and SM2's r ‖ s: a DER
  //    SM2Signature is refused). A second spelling of the same signature would give the same
  //    envelope a second hash, the hash that receipts name.
  if (signatureSegment.length % 4 === 1) throw refuse('ENVELOPE_MALFORMED', 'the signature is not base64url');
  const signature = decodeBase64url(signatureSegment);
  const bytes = alg === SM2_ALG ? SM2_SIGNATURE_BYTES : ED25519_SIGNATURE_BYTES;
  if (signature === undefined || signature.length !== bytes) {
    const der = alg === SM2_ALG && signature !== undefined && signature[0] === 0x30 && signature.length > 64;
    throw refuse('ENVELOPE_SIGNATURE_INVALID', der ? 'an SM2 signature is the 64 bytes r||s (raw, not DER)' : 'the signature does not verify with the named key');
  }

  // 3. Verify over the signing input, the ASCII of `header.payload` (RFC 7515 §5.2 step 8).
  const input = Buffer.from(compact.slice(0, lastDot), 'latin1');
  let ok: boolean;
  if (alg === SM2_ALG) {
    if (!(key.key instanceof Sm2PublicKey)) throw new GatewayError('INTERNAL', { detail: 'the verification key is not an SM2 public key' });
    ok = sm2Verify(key.key, input, signature);
  } else {
    const verifier = key.key instanceof Sm2PublicKey ? undefined : okpKeyObject(key.key, 'ed25519', 'public');
    if (verifier === undefined) throw new GatewayError('INTERNAL', { detail: 'the verification key is not a public Ed25519 key' });
    try {
      ok = verify(null, input, verifier, signature);
    } catch (cause) {
      // Not a verdict on the token: a fault of ours (or of the runtime). The peer may retry.
      throw new GatewayError('INTERNAL', { detail: 'signature verification failed unexpectedly', cause });
    }
  }
  if (!ok) throw refuse('ENVELOPE_SIGNATURE_INVALID', 'the signature does not verify with the named key');

  // 4. The payload, read only now: a JSON object in UTF-8.
  //    No member name twice, at any depth (RFC 7519 §4; see parseJsonObject).
  if (payloadSegment.length % 4 === 1) throw refuse('ENVELOPE_MALFORMED', 'the payload is not base64url');
  return parseJsonObject(payloadSegment, 'the payload', '', refuse);
}

/** What `verifyCompactJws` checks a token against. */
export interface CompactJwsCheck {
  /** The explicit type expected (RFC 8725 §3.11): an envelope's, a receipt's, a checkpoint's. */
  readonly typ: string;
  readonly trust: TrustStore;
  /** The algorithm allowlist, already checked by the caller (`checkAllowlist` or the trust store's). */
  readonly allowed: readonly string[];
  readonly refuse: Refuse;
  /**
   * Step 5's last check, the caller's: refuse (by throwing) a key of the wrong owner before the
   * signature is checked. A receipt or checkpoint signed by any other node proves nothing.
   */
  readonly acceptKey?: (key: ResolvedKey, kid: string) => void;
}

/** A compact JWS whose header, key and signature passed: the payload may be read now. */
export interface VerifiedCompactJws {
  readonly header: JwsHeader;
  readonly key: ResolvedKey;
  readonly payload: Record<string, unknown>;
}

/**
 * Steps 1 to 6 of every signed token between nodes (envelopes, receipts, log checkpoints), as a
 * checklist; the caller goes on with its claims. Each failure goes through `check.refuse`, which
 * decides the public code.
 *
 * @example const { header, key, payload } = await verifyCompactJws(compact, { typ: RECEIPT_TYP, trust, allowed, refuse });
 */
export async function verifyCompactJws(compact: string, check: CompactJwsCheck): Promise<VerifiedCompactJws> {
  const { trust, allowed, refuse } = check;

  // 1. Shape: three base64url segments and a protected header that is a JSON object naming each
  //    member once (RFC 7515 §4; ENVELOPE_MALFORMED).
  const rawHeader = parseCompact(compact, refuse);

  // 2. Algorithm allowlist, before any key lookup: no `none`, no HS*, nothing outside the list
  //    (RFC 8725 §3.1 and §2.1; ENVELOPE_ALG_REFUSED); the algorithm of a suite the federation
  //    does not accept now is SUITE_NOT_ACCEPTED (issue 17).
  const alg = checkAlgorithm(rawHeader, allowed, refuse);

  // 3. Explicit type: this kind of token, not another JWS of the federation (RFC 8725 §3.11,
  //    §3.12; ENVELOPE_MALFORMED).
  const typ = checkType(rawHeader, check.typ, refuse);

  // 4. No critical extensions: we understand none (RFC 7515 §4.1.11; ENVELOPE_MALFORMED).
  checkCritical(rawHeader, refuse);

  // 5. The key: named by kid, listed by the federation, bound to this algorithm
  //    (ENVELOPE_MALFORMED without a kid, ENVELOPE_KEY_UNKNOWN, ENVELOPE_ALG_REFUSED), and of the
  //    owner the caller expects, where it expects one.
  const kid = checkKid(rawHeader, refuse);
  // A kid the federation does not list may be a key the peer rotated to and publishes at its
  // jwksUrl: the trust store fetches it at most once per interval (a no-op without jwksUrl).
  await trust.ensure(kid);
  const key = resolveKey(trust, kid, alg, refuse);
  check.acceptKey?.(key, kid);

  // 6. Signature (ENVELOPE_SIGNATURE_INVALID). Nothing in the payload is read before this.
  const payload = await verifySignature(compact, key, allowed, refuse);
  return { header: { alg, kid, typ }, key, payload };
}

/**
 * Signs `claims` as a compact JWS with the header `{ alg, kid, typ }` and nothing else.
 * Failures here are ours, not a peer's: they are INTERNAL.
 *
 * @example const compact = await signCompact(keys.current(), ENVELOPE_TYP, { jti, iss, aud });
 */
export async function signCompact(key: Signer, typ: string, claims: object): Promise<string> {
  let json: string;
  try {
    json = JSON.stringify(claims);
  } catch (cause) {
    throw new GatewayError('INTERNAL', { detail: 'the claims cannot be written as JSON', cause });
  }
  return signSegments(key, typ, encodeBase64url(json));
}

/**
 * Signs exactly `bytes` as the payload, with the header `{ alg, kid, typ }` and nothing else.
 *
 * @example const compact = await signCompactBytes(keys.current(), FEDERATION_TYP, fileBytes);
 */
export async function signCompactBytes(key: Signer, typ: string, bytes: Uint8Array): Promise<string> {
  return signSegments(key, typ, encodeBase64url(bytes));
}

/**
 * The header `{ alg, kid, typ }` in that order, the payload, and the signature over both (RFC 7515
 * §5.1). Ed25519: byte for byte what jose's CompactSign gives, as Ed25519 is deterministic (RFC
 * 8032 §5.1.6), with the key's own KeyObject (`okpKeyObject`). SM2: r ‖ s (sm2.ts), randomised.
 */
function signSegments(key: Signer, typ: string, payloadSegment: string): string {
  const signingInput = `${encodeBase64url(JSON.stringify({ alg: key.alg, kid: key.kid, typ }))}.${payloadSegment}`;
  const input = Buffer.from(signingInput, 'latin1');
  try {
    if (key.alg === SM2_ALG) {
      return `${signingInput}.${key.privateKey.sign(input).toString('base64url')}`;
    }
    const signer = okpKeyObject(key.privateKey, 'ed25519', 'private');
    if (key.alg !== SIGNING_ALG || signer === undefined) {
      throw new GatewayError('INTERNAL', { detail: `signing with ${key.kid} failed: not a private Ed25519 key for ${SIGNING_ALG}` });
    }
    return `${signingInput}.${sign(null, input, signer).toString('base64url')}`;
  } catch (cause) {
    if (cause instanceof GatewayError) throw cause;
    throw new GatewayError('INTERNAL', { detail: `signing with ${key.kid} failed`, cause });
  }
}

// --- claim checks, shared by envelopes and receipts ---

/** The caller's clock and skew are configuration, not peer input: wrong values are INTERNAL. */
export function checkTime(nowMs: number, maxSkewSeconds: number): number {
  if (!Number.isFinite(nowMs) || !Number.isFinite(maxSkewSeconds) || maxSkewSeconds < 0) {
    throw new GatewayError('INTERNAL', { detail: 'nowMs and maxSkewSeconds must be finite, the skew not negative' });
  }
  return nowMs / 1000;
}


/** Printable ASCII without spaces, bounded: safe to store, index and write in a log line. */
export function isToken(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && /^[\x21-\x7e]+$/.test(value);
}

/** A NumericDate (RFC 7519 §2) in whole seconds; fractions are not used in this federation. */
export function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Collects claim problems so that one refusal names every claim at fault. */
export class ClaimProblems {
  readonly fields: FieldProblem[] = [];

  constructor(private readonly code: ErrorCode) {}

  need(ok: boolean, field: string, message: string): void {
    if (!ok) this.fields.push({ field, code: this.code, message });
  }

  get detail(): string {
    return `missing or ill-typed claims: ${this.fields.map((f) => f.field).join(', ')}`;
  }
}

/** A value from an unauthenticated or foreign source, shown in a detail only if short and plain. */
export function shown(value: unknown): string {
  return typeof value === 'string' && /^[\x21-\x7e]{1,40}$/.test(value) ? JSON.stringify(value) : `(${value === null ? 'null' : typeof value})`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}
