import { GatewayError, isNodeCode, type NodeCode } from '#core';
import {
  checkAllowlist,
  checkTime,
  ClaimProblems,
  isSeconds,
  isToken,
  signCompact,
  verifyCompactJws,
  type JwsHeader,
  type Refuse,
} from './compact-jws.js';
import { suiteHash, suiteOfSignatureAlg, INTL_SUITE } from './crypto-suite.js';
import type { SigningKey } from './signing-key.js';
import type { TrustStore } from './trust-store.js';

/** The JWS `typ` of an envelope (RFC 8725 §3.11 explicit typing). */
export const ENVELOPE_TYP = 'cytb-envelope+jws';

/**
 * The claims of an envelope between two nodes. `iat` and `exp` are NumericDates (RFC 7519 §2):
 * whole seconds since the epoch.
 */
export interface EnvelopeClaims {
  /** Message id, unique and time-ordered (UUIDv7 from `newMessageId`). */
  readonly jti: string;
  /** Sender node; must own the signing key. */
  readonly iss: NodeCode;
  /** Receiver node. */
  readonly aud: NodeCode;
  readonly iat: number;
  readonly exp: number;
  /** Case number (业务协同编号). */
  readonly case: string;
  /** Message type, e.g. `ssc.apply.request`. */
  readonly mtype: string;
  /** Contract major version. */
  readonly ver: number;
  readonly body: unknown;
}

export interface VerifiedEnvelope {
  readonly claims: EnvelopeClaims;
  readonly header: JwsHeader;
  /**
   * base64url hash of the compact envelope exactly as received, in the suite it is signed in
   * (SHA-256 for EdDSA, SM3 for SM2): what the receipt names. The name is the first version's.
   */
  readonly sha256: string;
}

export interface VerifyEnvelopeOptions {
  readonly trust: TrustStore;
  /** This node: the only acceptable `aud`. */
  readonly self: NodeCode;
  readonly nowMs: number;
  /** Leeway for clock differences between nodes, applied to `exp` and `iat`. */
  readonly maxSkewSeconds: number;
  /**
   * The longest lifetime (`exp − iat`) accepted, plus `maxSkewSeconds`: the federation's
   * ENVELOPE_TTL_SECONDS. Without a bound, an envelope with an `exp` a century ahead could be
   * replayed into the inbox for as long as its key is trusted.
   */
  readonly maxLifetimeSeconds: number;
  /**
   * Default: the algorithms of the suites the trust store's federation accepts at `nowMs`
   * (`trust.acceptedAlgs`). `none` and HS* are refused even if listed (CONFIG_INVALID).
   */
  readonly allowedAlgs?: readonly string[];
}

const refuseEnvelope: Refuse = (failure, detail, extra) =>
  new GatewayError(failure, { detail, cause: extra?.cause, fields: extra?.fields });

/**
 * Signs an envelope with this node's current key. The claims are checked first with the same
 * rules the receiver applies, so that a malformed envelope fails here (INTERNAL) rather than at
 * the peer.
 *
 * @example
 *   const compact = await signEnvelope(keys.current(), {
 *     jti: newMessageId(now), iss: 'CQ', aud: 'SC', iat, exp: iat + 3600,
 *     case: 'CQ-20261122-7K3F9ZQ2M8', mtype: 'ssc.apply.request', ver: 1, body,
 *   });
 */
export async function signEnvelope(key: SigningKey, claims: EnvelopeClaims): Promise<string> {
  const problems = envelopeClaimProblems(claims);
  if (problems.fields.length > 0) {
    throw new GatewayError('INTERNAL', { detail: `refusing to sign: ${problems.detail}`, fields: problems.fields });
  }
  if (claims.iss !== key.node) {
    throw new GatewayError('INTERNAL', { detail: `refusing to sign: iss ${claims.iss} does not own key ${key.kid}` });
  }
  // Exactly the claim names of the contract, in a fixed order: nothing extra travels by accident.
  const { jti, iss, aud, iat, exp, mtype, ver, body } = claims;
  return signCompact(key, ENVELOPE_TYP, { jti, iss, aud, iat, exp, case: claims.case, mtype, ver, body });
}

/**
 * Verifies an envelope from a peer, as a checklist. Each failure is a GatewayError with its own
 * stable code; no jose error and no bare Error leaves this function.
 *
 * Pass the envelope exactly as received: its SHA-256 is computed over this string.
 *
 * @example
 *   const { claims, sha256 } = await verifyEnvelope(compact, {
 *     trust, self: 'SC', nowMs: clock.nowMs(), maxSkewSeconds: 60, maxLifetimeSeconds: 7 * 24 * 3600,
 *   });
 */
export async function verifyEnvelope(compact: string, opts: VerifyEnvelopeOptions): Promise<VerifiedEnvelope> {
  const refuse = refuseEnvelope;
  const allowed = opts.allowedAlgs === undefined ? opts.trust.acceptedAlgs(opts.nowMs) : checkAllowlist(opts.allowedAlgs);
  const nowSeconds = checkTime(opts.nowMs, opts.maxSkewSeconds);
  if (!(Number.isFinite(opts.maxLifetimeSeconds) && opts.maxLifetimeSeconds > 0)) {
    throw new GatewayError('INTERNAL', { detail: 'maxLifetimeSeconds must be a positive number of seconds' });
  }

  // 1–6. A compact JWS of our envelope type, its header checked before any key is looked up,
  //      signed by a key the federation lists for its algorithm (verifyCompactJws).
  const { header, key, payload } = await verifyCompactJws(compact, { typ: ENVELOPE_TYP, trust: opts.trust, allowed, refuse });
  const { alg, kid } = header;

  // 7. Claims present and well typed (ENVELOPE_CLAIMS_INVALID, naming every claim at fault). The
  //    payload named each member once, at any depth (RFC 7519 §4; ENVELOPE_MALFORMED in step 6).
  const problems = envelopeClaimProblems(payload);
  if (problems.fields.length > 0) {
    throw refuse('ENVELOPE_CLAIMS_INVALID', problems.detail, { fields: problems.fields });
  }
  const claims = payload as unknown as EnvelopeClaims;

  // 8. Sender: the key's owner is the claimed sender (ENVELOPE_SENDER_MISMATCH). A node cannot
  //    speak for another with its own valid key.
  if (key.node !== claims.iss) {
    throw refuse('ENVELOPE_SENDER_MISMATCH', `key ${kid} belongs to ${key.node}, the envelope claims ${claims.iss}`);
  }

  // 9. Receiver: addressed to this node (RFC 8725 §3.9; ENVELOPE_WRONG_RECEIVER).
  if (claims.aud !== opts.self) {
    throw refuse('ENVELOPE_WRONG_RECEIVER', `addressed to ${claims.aud}, this node is ${opts.self}`);
  }

  // 10. Expiry: now must be before exp, give or take the skew (RFC 7519 §4.1.4; ENVELOPE_EXPIRED).
  if (nowSeconds >= claims.exp + opts.maxSkewSeconds) {
    throw refuse('ENVELOPE_EXPIRED', `expired ${Math.floor(nowSeconds - claims.exp)} s ago`);
  }

  // 11. Issued-at not in the future beyond the skew (ENVELOPE_NOT_YET_VALID): a sender whose
  //     clock runs ahead would otherwise extend its envelopes' lifetime.
  if (claims.iat > nowSeconds + opts.maxSkewSeconds) {
    throw refuse('ENVELOPE_NOT_YET_VALID', `issued ${Math.ceil(claims.iat - nowSeconds)} s in the future`);
  }

  // 12. Lifetime no longer than the configured one, give or take the skew (ENVELOPE_CLAIMS_INVALID
  //     on exp). Checking only "not yet expired" would let a sender (or whoever holds a leaked
  //     key) mint an envelope that stays acceptable for a century: the receiver bounds the
  //     lifetime itself rather than take the token's word for it. With step 11, exp is at most
  //     now + 2 × skew + TTL.
  if (claims.exp - claims.iat > opts.maxLifetimeSeconds + opts.maxSkewSeconds) {
    const fields = [{ field: 'exp', code: 'ENVELOPE_CLAIMS_INVALID' as const, message: `must be at most ${opts.maxLifetimeSeconds} s after iat` }];
    throw refuse('ENVELOPE_CLAIMS_INVALID', `lifetime ${claims.exp - claims.iat} s exceeds the ${opts.maxLifetimeSeconds} s allowed`, { fields });
  }

  // 13. The hash of exactly what was received, for the receipt and the inbox, in the envelope's suite.
  return { claims, header, sha256: suiteHash(suiteOfSignatureAlg(alg) ?? INTL_SUITE, compact) };
}

function envelopeClaimProblems(claims: object): ClaimProblems {
  const c = claims as Partial<Record<keyof EnvelopeClaims, unknown>>;
  const p = new ClaimProblems('ENVELOPE_CLAIMS_INVALID');
  p.need(isToken(c.jti, 128), 'jti', 'must be a printable string of 1 to 128 characters');
  p.need(isNodeCode(c.iss), 'iss', 'must be a node code (SC or CQ)');
  p.need(isNodeCode(c.aud), 'aud', 'must be a node code (SC or CQ)');
  p.need(isSeconds(c.iat), 'iat', 'must be whole seconds since the epoch');
  p.need(isSeconds(c.exp) && (!isSeconds(c.iat) || c.exp > c.iat), 'exp', 'must be whole seconds since the epoch, after iat');
  p.need(isToken(c.case, 64), 'case', 'must be a printable string of 1 to 64 characters');
  p.need(isToken(c.mtype, 64), 'mtype', 'must be a printable string of 1 to 64 characters');
  p.need(typeof c.ver === 'number' && Number.isSafeInteger(c.ver) && c.ver >= 1, 'ver', 'must be a positive integer');
  p.need('body' in claims && c.body !== undefined, 'body', 'is required');
  return p;
}
