import { GatewayError, isNodeCode, type NodeCode } from '#core';
import {
  checkAllowlist,
  checkTime,
  ClaimProblems,
  signCompact,
  verifyCompactJws,
  type Refuse,
} from './compact-jws.js';
import { GENESIS_HASH, isChainHashAlg, type ChainHashAlg } from './hash-chain.js';
import { evidenceHash } from './crypto-suite.js';
import type { SigningKey } from './signing-key.js';
import type { TrustStore } from './trust-store.js';

/** The JWS `typ` of a checkpoint (RFC 8725 §3.11): never taken for an envelope or a receipt. */
export const CHECKPOINT_TYP = 'cytb-log-checkpoint+jws';
/** The JWS `typ` of a peer's countersignature of a checkpoint. */
export const COUNTERSIGNATURE_TYP = 'cytb-log-countersignature+jws';

/**
 * A node's signed word on its own message log: it held `count` entries, the last one hashing to
 * `headHash`, at `at`. The hash chain shows a changed or removed entry in the middle; only a
 * checkpoint held by someone else shows entries removed from the end (truncation), a tail
 * written anew, or two different logs shown to two auditors (a fork).
 */
export interface CheckpointClaims {
  /** The node whose log this is, and who signs. */
  readonly node: NodeCode;
  /** The node asked to countersign it. */
  readonly peer: NodeCode;
  /** Entries in the chain (the head's seq); 0 for an empty log. */
  readonly count: number;
  /** The hash (hex) of entry `count`; GENESIS_HASH for an empty log. */
  readonly headHash: string;
  /**
   * The hash `headHash` was chained with (the head entry's `hash_alg`: `sha256` under intl, `sm3`
   * under gm; for an empty log, the suite's in force). A checkpoint signed before the suites has
   * none and is read as `sha256`.
   */
  readonly hashAlg: ChainHashAlg;
  /** When the head was read, in milliseconds since the epoch (as the log entries' `at`). */
  readonly at: number;
}

/** The peer's signed word that it received exactly that checkpoint, and when. */
export interface CountersignatureClaims {
  /** The countersigning node. */
  readonly node: NodeCode;
  /** The node whose log the checkpoint is about (its signer). */
  readonly of: NodeCode;
  /** base64url hash of the exact checkpoint (compact JWS) received, in the checkpoint's suite (`evidenceHash`: SM3 for an SM2 checkpoint). */
  readonly checkpoint: string;
  /** The checkpoint's count, head (and its hash) and time, repeated so the countersignature reads on its own. */
  readonly count: number;
  readonly headHash: string;
  readonly hashAlg: ChainHashAlg;
  readonly at: number;
  /** When the peer countersigned, in milliseconds since the epoch. */
  readonly countersignedAt: number;
}

export interface VerifyCheckpointOptions {
  readonly trust: TrustStore;
  /** Only this node may have signed it (the node whose log an auditor checks); default any node in the trust store. */
  readonly expectedSigner?: NodeCode;
  /** It must ask this node to countersign (the receiving node); default any. */
  readonly expectedPeer?: NodeCode;
  /** With `maxSkewSeconds`: refuse a checkpoint dated in the future. Offline audits leave both out. */
  readonly nowMs?: number;
  readonly maxSkewSeconds?: number;
  /**
   * Default: what the trust store's federation accepts at `nowMs` (or at any time of its overlap,
   * for an offline audit without `nowMs`).
   */
  readonly allowedAlgs?: readonly string[];
}

export interface VerifyCountersignatureOptions {
  readonly trust: TrustStore;
  /** The checkpoint (compact JWS) it must be bound to. */
  readonly checkpoint: string;
  /** The node that must have countersigned; default any node other than the checkpoint's signer. */
  readonly expectedSigner?: NodeCode;
  readonly allowedAlgs?: readonly string[];
}

/** Every refusal is CHECKPOINT_INVALID; the detail names the check that failed. */
const refuseCheckpoint: Refuse = (failure, detail, extra) =>
  new GatewayError('CHECKPOINT_INVALID', { detail: `${failure.replace('ENVELOPE_', '').toLowerCase().replaceAll('_', ' ')}: ${detail}`, cause: extra?.cause, fields: extra?.fields });

const HEX_HASH = /^[0-9a-f]{64}$/;
const HASH_B64URL = /^[A-Za-z0-9_-]{43}$/;

/**
 * Signs a checkpoint of this node's log head.
 *
 * @example
 *   const checkpoint = await signCheckpoint(keys.current(), { node: 'SC', peer: 'CQ', count: head.seq, headHash: head.hash, at: clock.nowMs() });
 */
export async function signCheckpoint(key: SigningKey, claims: CheckpointClaims): Promise<string> {
  const problems = checkpointProblems(claims);
  if (problems.fields.length > 0) throw new GatewayError('INTERNAL', { detail: `refusing to sign: ${problems.detail}`, fields: problems.fields });
  if (claims.node !== key.node) throw new GatewayError('INTERNAL', { detail: `refusing to sign: node ${claims.node} does not own key ${key.kid}` });
  const { node, peer, count, headHash, hashAlg, at } = claims;
  return signCompact(key, CHECKPOINT_TYP, { node, peer, count, headHash, hashAlg, at });
}

/**
 * Verifies a checkpoint, as a checklist: a compact JWS of the checkpoint type, EdDSA, signed by a
 * federation key of the node it names. Any failure is CHECKPOINT_INVALID with a detail.
 *
 * @example const claims = await verifyCheckpoint(body, { trust, expectedPeer: 'CQ', nowMs: clock.nowMs(), maxSkewSeconds: 120 });
 */
export async function verifyCheckpoint(compact: string, opts: VerifyCheckpointOptions): Promise<CheckpointClaims> {
  const payload = await verifySigned(compact, CHECKPOINT_TYP, opts.trust, opts.allowedAlgs ?? opts.trust.acceptedAlgs(opts.nowMs ?? Number.NEGATIVE_INFINITY), opts.expectedSigner);
  const problems = checkpointProblems(payload.claims);
  if (problems.fields.length > 0) throw refuseCheckpoint('ENVELOPE_CLAIMS_INVALID', problems.detail, { fields: problems.fields });
  const claims = withHashAlg(payload.claims) as unknown as CheckpointClaims;
  // The key's owner is the log's owner: nobody signs a checkpoint of another node's log.
  if (claims.node !== payload.signer) throw refuseCheckpoint('ENVELOPE_SENDER_MISMATCH', `signed by ${payload.signer}, about the log of ${claims.node}`);
  if (opts.expectedPeer !== undefined && claims.peer !== opts.expectedPeer) {
    throw refuseCheckpoint('ENVELOPE_WRONG_RECEIVER', `addressed to ${claims.peer}, not ${opts.expectedPeer}`);
  }
  if (opts.nowMs !== undefined && opts.maxSkewSeconds !== undefined) {
    const nowSeconds = checkTime(opts.nowMs, opts.maxSkewSeconds);
    if (claims.at / 1000 > nowSeconds + opts.maxSkewSeconds) throw refuseCheckpoint('ENVELOPE_NOT_YET_VALID', 'dated in the future');
  }
  return claims;
}

/**
 * Countersigns a checkpoint received (and verified) from `of`: binds the hash of its exact bytes
 * (in the checkpoint's suite: SM3 for an SM2 checkpoint), so the countersignature vouches for that
 * checkpoint and no other.
 *
 * @example const countersignature = await countersignCheckpoint(keys.current(), received, claims, clock.nowMs());
 */
export async function countersignCheckpoint(key: SigningKey, checkpoint: string, claims: CheckpointClaims, nowMs: number): Promise<string> {
  if (claims.node === key.node) throw new GatewayError('INTERNAL', { detail: 'refusing to countersign a checkpoint of our own log' });
  const countersignature: CountersignatureClaims = {
    node: key.node,
    of: claims.node,
    checkpoint: evidenceHash(checkpoint),
    count: claims.count,
    headHash: claims.headHash,
    hashAlg: claims.hashAlg,
    at: claims.at,
    countersignedAt: nowMs,
  };
  return signCompact(key, COUNTERSIGNATURE_TYP, countersignature);
}

/**
 * Verifies a countersignature against the checkpoint it must vouch for: signed by a federation
 * key of a node other than the checkpoint's, naming the hash of exactly that checkpoint and the
 * same count, head, head hash algorithm and time. CHECKPOINT_INVALID otherwise.
 *
 * @example await verifyCountersignature(answer, { trust, checkpoint, expectedSigner: 'CQ' });
 */
export async function verifyCountersignature(compact: string, opts: VerifyCountersignatureOptions): Promise<CountersignatureClaims> {
  const payload = await verifySigned(compact, COUNTERSIGNATURE_TYP, opts.trust, opts.allowedAlgs ?? opts.trust.acceptedAlgs(Number.NEGATIVE_INFINITY), opts.expectedSigner);
  const c = payload.claims as Partial<Record<keyof CountersignatureClaims, unknown>>;
  const problems = new ClaimProblems('CHECKPOINT_INVALID');
  problems.need(isNodeCode(c.node), 'node', 'must be a node code (SC or CQ)');
  problems.need(isNodeCode(c.of), 'of', 'must be a node code (SC or CQ)');
  problems.need(typeof c.checkpoint === 'string' && HASH_B64URL.test(c.checkpoint), 'checkpoint', 'must be a base64url SHA-256 or SM3 (43 characters)');
  problems.need(c.hashAlg === undefined || isChainHashAlg(c.hashAlg), 'hashAlg', 'must be sha256 or sm3');
  problems.need(isMillis(c.countersignedAt), 'countersignedAt', 'must be whole milliseconds since the epoch');
  if (problems.fields.length > 0) throw refuseCheckpoint('ENVELOPE_CLAIMS_INVALID', problems.detail, { fields: problems.fields });
  const claims = withHashAlg(payload.claims) as unknown as CountersignatureClaims;
  if (claims.node !== payload.signer) throw refuseCheckpoint('ENVELOPE_SENDER_MISMATCH', `signed by ${payload.signer}, in the name of ${claims.node}`);
  // Bound to exactly the checkpoint it is kept with.
  if (claims.checkpoint !== evidenceHash(opts.checkpoint)) throw refuseCheckpoint('ENVELOPE_CLAIMS_INVALID', 'it names the SHA-256 of another checkpoint');
  const decoded = decodePayload(opts.checkpoint);
  const signed = decoded === null ? null : withHashAlg(decoded);
  if (
    signed === null ||
    claims.of !== signed['node'] ||
    claims.count !== signed['count'] ||
    claims.headHash !== signed['headHash'] ||
    claims.hashAlg !== signed['hashAlg'] ||
    claims.at !== signed['at']
  ) {
    throw refuseCheckpoint('ENVELOPE_CLAIMS_INVALID', 'its count, head (or its hash algorithm) or time differ from the checkpoint');
  }
  if (claims.node === claims.of) throw refuseCheckpoint('ENVELOPE_SENDER_MISMATCH', 'a node cannot countersign its own checkpoint');
  return claims;
}

/**
 * The claims of a checkpoint without verifying it (to know which key to expect, or to show it).
 *
 * @example readCheckpointClaims(stored.checkpoint)?.count
 */
export function readCheckpointClaims(compact: string): CheckpointClaims | null {
  const payload = decodePayload(compact);
  return payload !== null && checkpointProblems(payload).fields.length === 0 ? (withHashAlg(payload) as unknown as CheckpointClaims) : null;
}

/** Claims with `hashAlg` as signed, or `sha256` for those signed before the suites (which had none). */
function withHashAlg(claims: Record<string, unknown>): Record<string, unknown> {
  return claims['hashAlg'] === undefined ? { ...claims, hashAlg: 'sha256' } : claims;
}

/** Steps 1 to 6 shared by checkpoints and countersignatures. */
async function verifySigned(
  compact: string,
  typ: string,
  trust: TrustStore,
  allowedAlgs: readonly string[],
  expectedSigner: NodeCode | undefined,
): Promise<{ readonly claims: Record<string, unknown>; readonly signer: NodeCode }> {
  const refuse = refuseCheckpoint;
  const allowed = checkAllowlist(allowedAlgs);
  const { key, payload: claims } = await verifyCompactJws(compact, {
    typ,
    trust,
    allowed,
    refuse,
    acceptKey: (k, kid) => {
      if (expectedSigner !== undefined && k.node !== expectedSigner) throw refuse('ENVELOPE_SENDER_MISMATCH', `key ${kid} belongs to ${k.node}, not ${expectedSigner}`);
    },
  });
  return { claims, signer: key.node };
}

function checkpointProblems(claims: object): ClaimProblems {
  const c = claims as Partial<Record<keyof CheckpointClaims, unknown>>;
  const p = new ClaimProblems('CHECKPOINT_INVALID');
  p.need(isNodeCode(c.node), 'node', 'must be a node code (SC or CQ)');
  p.need(isNodeCode(c.peer) && c.peer !== c.node, 'peer', 'must be the code of another node');
  p.need(typeof c.count === 'number' && Number.isSafeInteger(c.count) && c.count >= 0, 'count', 'must be a whole number ≥ 0');
  p.need(typeof c.headHash === 'string' && HEX_HASH.test(c.headHash) && (c.count !== 0 || c.headHash === GENESIS_HASH), 'headHash', 'must be a SHA-256 or SM3 in hex (the genesis hash for an empty log)');
  p.need(c.hashAlg === undefined || isChainHashAlg(c.hashAlg), 'hashAlg', 'must be sha256 or sm3 (the hash the head was chained with)');
  p.need(isMillis(c.at), 'at', 'must be whole milliseconds since the epoch');
  return p;
}

function isMillis(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function decodePayload(compact: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(compact.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
