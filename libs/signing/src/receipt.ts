import { GatewayError, isNodeCode, type NodeCode } from '#core';
import {
  checkAllowlist,
  checkTime,
  ClaimProblems,
  isSeconds,
  isToken,
  signCompact,
  verifyCompactJws,
  type Refuse,
} from './compact-jws.js';
import { SM2_ALG } from './public-jwk.js';
import type { SigningKey } from './signing-key.js';
import type { TrustStore } from './trust-store.js';

/** The JWS `typ` of a receipt (RFC 8725 §3.11): never mistaken for an envelope, nor one for it. */
export const RECEIPT_TYP = 'cytb-receipt+jws';

export const RECEIPT_RESULTS = ['accepted', 'duplicate'] as const;
export type ReceiptResult = (typeof RECEIPT_RESULTS)[number];

/**
 * A signed receipt: the receiver's proof that it took exactly these bytes (like an AS4
 * non-repudiation receipt, bound to what was received as X-Road binds a response to the hash of
 * its request).
 */
export interface ReceiptClaims {
  /** Receipt id. */
  readonly jti: string;
  /** The receiver, who signs. */
  readonly iss: NodeCode;
  /** The original sender. */
  readonly aud: NodeCode;
  readonly iat: number;
  /** The message id (`jti`) of the envelope received. */
  readonly msg: string;
  /**
   * base64url hash of the exact envelope bytes received, in the receipt's suite. On the wire the
   * claim is named after the hash: `sha256` in an EdDSA receipt (intl), `sm3` in an SM2 receipt
   * (gm), so that no reader takes one hash for the other (contracts/crypto-suites.md).
   */
  readonly sha256: string;
  readonly result: ReceiptResult;
}

/** The wire name of the receipt's hash claim for a receipt signed with `alg`. */
function hashClaimOf(alg: string): 'sha256' | 'sm3' {
  return alg === SM2_ALG ? 'sm3' : 'sha256';
}

export interface VerifyReceiptOptions {
  readonly trust: TrustStore;
  /** The node the envelope was sent to: only its keys may sign the receipt. */
  readonly expectedSigner: NodeCode;
  /** This node, the envelope's sender. */
  readonly expectedAudience: NodeCode;
  /** The message id we sent. */
  readonly messageId: string;
  /** base64url hash of the envelope we sent, in its suite (`evidenceHash(compact)`). */
  readonly sha256: string;
  readonly nowMs: number;
  readonly maxSkewSeconds: number;
  /** Default: the algorithms the trust store's federation accepts at `nowMs`. */
  readonly allowedAlgs?: readonly string[];
}

/** Every reason becomes RECEIPT_INVALID; the detail says which check failed. */
const refuseReceipt: Refuse = (failure, detail, extra) =>
  new GatewayError('RECEIPT_INVALID', { detail: `${reasonOf[failure]}: ${detail}`, cause: extra?.cause, fields: extra?.fields });

const reasonOf: Record<Parameters<Refuse>[0], string> = {
  ENVELOPE_MALFORMED: 'malformed',
  ENVELOPE_ALG_REFUSED: 'algorithm refused',
  ENVELOPE_KEY_UNKNOWN: 'unknown key',
  ENVELOPE_SIGNATURE_INVALID: 'bad signature',
  ENVELOPE_SENDER_MISMATCH: 'wrong signer',
  ENVELOPE_WRONG_RECEIVER: 'wrong audience',
  ENVELOPE_EXPIRED: 'expired',
  ENVELOPE_NOT_YET_VALID: 'issued in the future',
  ENVELOPE_CLAIMS_INVALID: 'claims invalid',
  SUITE_NOT_ACCEPTED: 'suite not accepted',
};

const SHA256_B64URL = /^[A-Za-z0-9_-]{43}$/;

/**
 * Signs a receipt for an envelope just received (or the original one again for a duplicate).
 *
 * @example
 *   const receipt = await signReceipt(keys.current(), {
 *     jti: newMessageId(now), iss: 'SC', aud: verified.claims.iss, iat: Math.floor(now / 1000),
 *     msg: verified.claims.jti, sha256: verified.sha256, result: 'accepted',
 *   });
 */
export async function signReceipt(key: SigningKey, claims: ReceiptClaims): Promise<string> {
  const problems = receiptClaimProblems(claims);
  if (problems.fields.length > 0) {
    throw new GatewayError('INTERNAL', { detail: `refusing to sign: ${problems.detail}`, fields: problems.fields });
  }
  if (claims.iss !== key.node) {
    throw new GatewayError('INTERNAL', { detail: `refusing to sign: iss ${claims.iss} does not own key ${key.kid}` });
  }
  const { jti, iss, aud, iat, msg, sha256, result } = claims;
  return signCompact(key, RECEIPT_TYP, { jti, iss, aud, iat, msg, [hashClaimOf(key.alg)]: sha256, result });
}

/**
 * Verifies a receipt against what we sent: signed by a key of the node we sent to, addressed to
 * us, naming our message id and the SHA-256 of exactly our envelope. Any failure is
 * RECEIPT_INVALID with a detail naming the check.
 *
 * A receipt has no expiry: it is evidence, re-verified later in a dispute for as long as its key
 * is trusted. Only an `iat` in the future (beyond the skew) is refused.
 *
 * @example
 *   await verifyReceipt(receipt, {
 *     trust, expectedSigner: 'SC', expectedAudience: 'CQ', messageId, sha256: evidenceHash(compact),
 *     nowMs: clock.nowMs(), maxSkewSeconds: 60,
 *   });
 */
export async function verifyReceipt(compact: string, opts: VerifyReceiptOptions): Promise<ReceiptClaims> {
  const refuse = refuseReceipt;
  const allowed = opts.allowedAlgs === undefined ? opts.trust.acceptedAlgs(opts.nowMs) : checkAllowlist(opts.allowedAlgs);
  const nowSeconds = checkTime(opts.nowMs, opts.maxSkewSeconds);

  // 1–6. A compact JWS of the receipt type, its header checked before any key is looked up,
  //      signed by a key the federation lists for its algorithm and owned by the node we sent
  //      to: a valid receipt from any other node proves nothing about delivery (verifyCompactJws).
  const { header, payload } = await verifyCompactJws(compact, {
    typ: RECEIPT_TYP,
    trust: opts.trust,
    allowed,
    refuse,
    acceptKey: (key, kid) => {
      if (key.node !== opts.expectedSigner) {
        throw refuse('ENVELOPE_SENDER_MISMATCH', `key ${kid} belongs to ${key.node}, the receipt must come from ${opts.expectedSigner}`);
      }
    },
  });
  const { alg } = header;

  // 7. Claims present and well typed; the hash claim is the one of the receipt's suite, and
  //    only that one (a `sha256` claim in an SM2 receipt is refused, not read).
  const hashClaim = hashClaimOf(alg);
  const { [hashClaim]: hash, sha256: _sha256, sm3: _sm3, ...rest } = payload;
  const problems = receiptClaimProblems({ ...rest, sha256: hash });
  const other = hashClaim === 'sha256' ? 'sm3' : 'sha256';
  problems.need(!(other in payload), other, `is not a claim of a ${alg} receipt (its hash claim is ${hashClaim})`);
  if (problems.fields.length > 0) throw refuse('ENVELOPE_CLAIMS_INVALID', problems.detail, { fields: problems.fields });
  const claims = { ...rest, sha256: hash } as unknown as ReceiptClaims;

  // 8. Signer and audience as claimed: the receiver signed it, for us.
  if (claims.iss !== opts.expectedSigner) {
    throw refuse('ENVELOPE_SENDER_MISMATCH', `iss is ${claims.iss}, expected ${opts.expectedSigner}`);
  }
  if (claims.aud !== opts.expectedAudience) {
    throw refuse('ENVELOPE_WRONG_RECEIVER', `aud is ${claims.aud}, expected ${opts.expectedAudience}`);
  }

  // 9. Binding: the receipt names our message and the hash of exactly what we sent.
  if (claims.msg !== opts.messageId) throw refuse('ENVELOPE_CLAIMS_INVALID', 'the receipt names another message id');
  if (claims.sha256 !== opts.sha256) {
    throw refuse('ENVELOPE_CLAIMS_INVALID', `the receipt names another ${hashClaim === 'sm3' ? 'SM3' : 'SHA-256'}: the peer did not receive what we sent`);
  }

  // 10. Not issued in the future.
  if (claims.iat > nowSeconds + opts.maxSkewSeconds) {
    throw refuse('ENVELOPE_NOT_YET_VALID', `issued ${Math.ceil(claims.iat - nowSeconds)} s in the future`);
  }
  return claims;
}

function receiptClaimProblems(claims: object): ClaimProblems {
  const c = claims as Partial<Record<keyof ReceiptClaims, unknown>>;
  const p = new ClaimProblems('RECEIPT_INVALID');
  p.need(isToken(c.jti, 128), 'jti', 'must be a printable string of 1 to 128 characters');
  p.need(isNodeCode(c.iss), 'iss', 'must be a node code (SC or CQ)');
  p.need(isNodeCode(c.aud), 'aud', 'must be a node code (SC or CQ)');
  p.need(isSeconds(c.iat), 'iat', 'must be whole seconds since the epoch');
  p.need(isToken(c.msg, 128), 'msg', 'must be a printable string of 1 to 128 characters');
  p.need(typeof c.sha256 === 'string' && SHA256_B64URL.test(c.sha256), 'sha256', 'must be a base64url SHA-256 (43 characters)');
  p.need(RECEIPT_RESULTS.includes(c.result as ReceiptResult), 'result', `must be one of ${RECEIPT_RESULTS.join(', ')}`);
  return p;
}
