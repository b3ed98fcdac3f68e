import { createHash } from 'node:crypto';
import type { CryptoSuite } from './crypto-suite.js';

/** What each message-log entry's hash covers (besides the previous hash). */
export interface ChainedFields {
  readonly seq: number;
  readonly at: number;
  readonly direction: 'sent' | 'received';
  readonly kind: 'envelope' | 'receipt';
  readonly messageId: string;
  /** base64url hash of the stored message, in the message's own suite (`evidenceHash`). */
  readonly sha256: string;
}

/**
 * The hash an entry is chained with: the hash of the suite in force when it was chained (SHA-256
 * under `intl`, SM3 under `gm`). Each entry records it (`message_log.hash_alg`), so a log that
 * spans a move between suites verifies entry by entry, and the verifier reads it from the log.
 */
export type ChainHashAlg = CryptoSuite['hash'];

/** Every hash an entry may be chained with. */
export const CHAIN_HASH_ALGS: readonly ChainHashAlg[] = Object.freeze(['sha256', 'sm3'] as const);

/** Whether `value` names a hash an entry may be chained with. */
export function isChainHashAlg(value: unknown): value is ChainHashAlg {
  return value === 'sha256' || value === 'sm3';
}

/** The "previous hash" of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of one log entry: `alg` (hex, 32 bytes in both suites) over the previous hash and the
 * entry's fields, encoded unambiguously as a JSON array in a fixed order (no field can run into
 * the next). The encoding is the same in both suites: a SHA-256 log written before the suites
 * verifies unchanged.
 *
 * @example chainHash(GENESIS_HASH, { seq: 1, at: 0, direction: 'sent', kind: 'envelope', messageId: 'm', sha256: 's' }, 'sm3')
 */
export function chainHash(previousHash: string, entry: ChainedFields, alg: ChainHashAlg): string {
  const encoded = JSON.stringify(['cytb-log-v1', previousHash, entry.seq, entry.at, entry.direction, entry.kind, entry.messageId, entry.sha256]);
  return createHash(alg).update(encoded).digest('hex');
}

export type ChainVerdict =
  | { readonly ok: true; readonly count: number }
  | { readonly ok: false; readonly brokenAt: number; readonly reason: 'HASH_MISMATCH' | 'SEQ_GAP' };

/**
 * Walks a log in order and names the first entry that breaks the chain: a changed entry (its
 * hash no longer matches, with the hash it records it was chained with), a removed one (a gap in
 * seq), or a reordered one. An entry that records a hash this code does not know (a changed
 * `hash_alg`) cannot match: HASH_MISMATCH.
 *
 * @example verifyChain(records) // { ok: true, count: records.length }
 */
export function verifyChain(entries: Iterable<ChainedFields & { readonly hash: string; readonly hashAlg: string }>): ChainVerdict {
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) return { ok: false, brokenAt: entry.seq, reason: 'SEQ_GAP' };
    if (!isChainHashAlg(entry.hashAlg) || chainHash(previous, entry, entry.hashAlg) !== entry.hash) return { ok: false, brokenAt: entry.seq, reason: 'HASH_MISMATCH' };
    previous = entry.hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count };
}
