import { createHash } from 'node:crypto';

/** What each message-log entry's hash covers (besides the previous hash). */
export interface ChainedFields {
  readonly seq: number;
  readonly at: number;
  readonly direction: 'sent' | 'received';
  readonly kind: 'envelope' | 'receipt';
  readonly messageId: string;
  /** base64url SHA-256 of the stored message. */
  readonly sha256: string;
}

/** The "previous hash" of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of one log entry: SHA-256 (hex) over the previous hash and the entry's fields,
 * encoded unambiguously as a JSON array in a fixed order (no field can run into the next).
 *
 * @example chainHash(GENESIS_HASH, { seq: 1, at: 0, direction: 'sent', kind: 'envelope', messageId: 'm', sha256: 's' })
 */
export function chainHash(previousHash: string, entry: ChainedFields): string {
  const encoded = JSON.stringify(['cytb-log-v1', previousHash, entry.seq, entry.at, entry.direction, entry.kind, entry.messageId, entry.sha256]);
  return createHash('sha256').update(encoded).digest('hex');
}

export type ChainVerdict =
  | { readonly ok: true; readonly count: number }
  | { readonly ok: false; readonly brokenAt: number; readonly reason: 'HASH_MISMATCH' | 'SEQ_GAP' };

/**
 * Walks a log in order and names the first entry that breaks the chain: a changed entry (its
 * hash no longer matches), a removed one (a gap in seq), or a reordered one.
 */
export function verifyChain(entries: Iterable<ChainedFields & { readonly hash: string }>): ChainVerdict {
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) return { ok: false, brokenAt: entry.seq, reason: 'SEQ_GAP' };
    if (chainHash(previous, entry) !== entry.hash) return { ok: false, brokenAt: entry.seq, reason: 'HASH_MISMATCH' };
    previous = entry.hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count };
}
