import { createHash } from 'node:crypto';

/**
 * Batch receipts: one signature proves every message of a peer batch.
 *
 * The receiver takes the batch's envelopes, and for each one it received it forms a leaf
 * `H(0x00 ‖ "cytb-batch-leaf" ‖ 0x00 ‖ message id ‖ 0x00 ‖ hash of exactly the envelope bytes)`.
 * The leaves, in batch order, make a Merkle tree (inner node `H(0x01 ‖ left ‖ right)`; an odd
 * node at the end of a level moves up unchanged, never paired with itself, which avoids the
 * duplicate-leaf ambiguity of CVE-2012-2459). The receiver signs ONE ordinary receipt whose `msg`
 * is `batch:<batch id>` and whose hash claim is the tree's root.
 *
 * `H` is the hash of the suite the receipt is signed in (issue 17): SHA-256 under `intl` (an
 * EdDSA receipt, claim `sha256`), SM3 under `gm` (an SM2 receipt, claim `sm3`). Whoever checks a
 * proof takes the hash from the receipt's own `alg`, so a proof keeps verifying after the
 * federation moved suites.
 *
 * Each message keeps, as its proof, that receipt and its path to the root: anyone holding the
 * envelope can recompute its leaf, fold the path and compare with the signed root. So every
 * message is still bound to the hash of exactly the bytes received, and the proof stays small
 * (log₂ n hashes).
 */

/** node:crypto's name of the tree's hash: the suite's (libs/signing crypto-suite.ts `hash`). */
export type BatchHash = 'sha256' | 'sm3';

/** What each message stores as its proof when it was delivered in a batch (JSON, `kind: 'batch'`). */
export interface BatchProof {
  readonly v: 1;
  readonly kind: 'batch';
  /** The receiver's signed receipt: `msg` = `batch:<id>`, its hash claim (`sha256` or `sm3`) = the Merkle root. */
  readonly receipt: string;
  /** This message's place among the batch's received messages, and how many there were. */
  readonly index: number;
  readonly count: number;
  /** Sibling hashes from the leaf up (base64url). */
  readonly path: readonly string[];
}

export interface BatchEntry {
  readonly messageId: string;
  /** base64url hash of exactly the envelope bytes, in the envelope's suite (`evidenceHash`). */
  readonly sha256: string;
}

/** The `msg` claim of a batch receipt; no message id has this form (they are UUIDv7). */
export function batchReceiptSubject(batchId: string): string {
  return `batch:${batchId}`;
}

function leaf(entry: BatchEntry, hash: BatchHash): Buffer {
  return createHash(hash).update(Buffer.from([0])).update(`cytb-batch-leaf\u0000${entry.messageId}\u0000${entry.sha256}`).digest();
}

function inner(left: Buffer, right: Buffer, hash: BatchHash): Buffer {
  return createHash(hash).update(Buffer.from([1])).update(left).update(right).digest();
}

function levels(entries: readonly BatchEntry[], hash: BatchHash): Buffer[][] {
  const out: Buffer[][] = [entries.map((e) => leaf(e, hash))];
  while (out[out.length - 1].length > 1) {
    const level = out[out.length - 1];
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? inner(level[i], level[i + 1], hash) : level[i]);
    out.push(next);
  }
  return out;
}

/**
 * The Merkle root (base64url) over the entries in order, with the suite's hash: what the batch
 * receipt signs.
 *
 * @example batchRoot([{ messageId: '019a…', sha256: evidenceHash(compact) }], suiteOfSignatureAlg(key.alg).hash)
 */
export function batchRoot(entries: readonly BatchEntry[], hash: BatchHash): string {
  if (entries.length === 0) throw new RangeError('a batch root needs at least one entry');
  const all = levels(entries, hash);
  return all[all.length - 1][0].toString('base64url');
}

/** Every entry's proof under one receipt (signed over `batchRoot(entries, hash)`), in order. */
export function batchProofs(entries: readonly BatchEntry[], receipt: string, hash: BatchHash): BatchProof[] {
  const all = levels(entries, hash);
  return entries.map((_, index) => {
    const path: string[] = [];
    let i = index;
    for (let l = 0; l < all.length - 1; l += 1) {
      const sibling = i % 2 === 0 ? i + 1 : i - 1;
      if (sibling < all[l].length) path.push(all[l][sibling].toString('base64url'));
      i = Math.floor(i / 2);
    }
    return { v: 1, kind: 'batch', receipt, index, count: entries.length, path };
  });
}

/**
 * The root a proof leads to from one message (its id and the hash of its envelope), folded with
 * `hash` (the suite of the proof's receipt), or null when the proof's shape does not fit its
 * count. Compare the result with the signed receipt's hash claim.
 *
 * @example rootFromProof({ messageId, sha256: evidenceHash(payload) }, proof, evidenceSuite(proof.receipt).hash)
 */
export function rootFromProof(entry: BatchEntry, proof: Pick<BatchProof, 'index' | 'count' | 'path'>, hash: BatchHash): string | null {
  const { index, count, path } = proof;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 0 || index >= count || !Array.isArray(path)) return null;
  let node = leaf(entry, hash);
  let i = index;
  let n = count;
  let used = 0;
  while (n > 1) {
    const sibling = i % 2 === 0 ? i + 1 : i - 1;
    if (sibling < n) {
      const next: unknown = path[used];
      if (typeof next !== 'string') return null;
      const other = Buffer.from(next, 'base64url');
      if (other.length !== 32) return null;
      node = i % 2 === 0 ? inner(node, other, hash) : inner(other, node, hash);
      used += 1;
    }
    i = Math.floor(i / 2);
    n = Math.ceil(n / 2);
  }
  return used === path.length ? node.toString('base64url') : null;
}

/** Reads a stored proof: a batch proof (JSON) or null for anything else (a single receipt is a compact JWS). */
export function parseBatchProof(text: string): BatchProof | null {
  if (!text.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(text) as Partial<BatchProof>;
    if (parsed.v !== 1 || parsed.kind !== 'batch' || typeof parsed.receipt !== 'string') return null;
    if (typeof parsed.index !== 'number' || typeof parsed.count !== 'number' || !Array.isArray(parsed.path)) return null;
    return parsed as BatchProof;
  } catch {
    return null;
  }
}
