import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GatewayError, isNodeCode, NODE_CODES, type NodeCode } from '#core';
import { GatewayDatabase, type DatabaseOptions, type MessageLogRecord } from '#persistence';
import { SIGNING_ALG, SM2_ALG, suitePolicyOf, loadSignedFederation, readCheckpointClaims, evidenceHash, trustedKeysOf, TrustStore, verifyChain, verifyCheckpoint, verifyCountersignature } from '#signing';
import { checkAgainstCheckpoints, type AuditedCheckpoint, type CheckpointFinding } from './checkpoint-audit.js';

/** Both suites' signature algorithms: the offline verifier checks a log of any suite, or of a move between them. */
const AUDIT_ALGS: readonly string[] = [SIGNING_ALG, SM2_ALG];

/** Exit statuses of `npm run verify-log`: an auditor's script can tell the three apart. */
export const VERIFY_EXIT = { intact: 0, cannotVerify: 1, broken: 2, usage: 64 } as const;

export type LogVerdict =
  | {
      readonly ok: true;
      readonly count: number;
      readonly waiting: number;
      /** The hashes the entries were chained with, in the order the log first used each (`['sha256', 'sm3']` after a move to gm). */
      readonly hashAlgs: readonly string[];
      readonly checkpoints?: { readonly checked: number; readonly latest: AuditedCheckpoint | null };
    }
  | { readonly ok: false; readonly brokenAt: number; readonly reason: 'HASH_MISMATCH' | 'SEQ_GAP' | 'CONTENT_MISMATCH' | CheckpointFinding; readonly detail?: string };

/** A countersigned checkpoint handed to the verifier (the operators' export, one item). */
export interface CheckpointEvidence {
  readonly checkpoint: string;
  readonly countersignature: string;
  /** Where it came from, for the verdict: a file name. */
  readonly source: string;
}

export interface CheckpointAuditOptions {
  /** The node whose log the copy is; by default the one the checkpoints name, or the other of the log's peer. */
  readonly node?: NodeCode;
  /** Countersigned checkpoints from elsewhere (the peer's export); the copy's own are always weighed too. */
  readonly evidence?: readonly CheckpointEvidence[];
  /** The federation's keys: with them every checkpoint and countersignature is verified first (CHECKPOINT_INVALID). */
  readonly trust?: TrustStore;
}

/**
 * `npm run verify-log -- <sqlite file | postgres://…> [--checkpoints <file>]...`: checks a node's
 * message log offline and names the first bad entry: a changed one (its stored message or its
 * chained fields), a removed one (the first seq missing), and, against the countersigned
 * checkpoints kept in the copy and those given (the peer's export), a removed tail (TRUNCATED),
 * a tail written anew (TAIL_REWRITTEN) or a log shown two ways (FORKED). On PostgreSQL it also says how many entries were still
 * waiting to be chained (`waiting`): the chain writer of a running node links them within
 * moments, and the next start of a stopped node does.
 */
export async function verifyMessageLog(options: DatabaseOptions, audit: CheckpointAuditOptions = {}): Promise<LogVerdict> {
  const db = await GatewayDatabase.open(options, { migrate: false });
  try {
    const records = await readLog(db);
    const node = audit.node ?? nodeOf(records, audit.evidence ?? []);
    // The copy's own countersigned checkpoints, and the ones the auditor brought.
    const kept = node === null ? [] : await db.read((s) => s.logCheckpoints.list(node, 100_000));
    const evidence = [...kept.map((k) => ({ checkpoint: k.checkpoint, countersignature: k.countersignature, source: 'the copy' })), ...(audit.evidence ?? [])];
    const checkpoints = node === null ? [] : await weigh(evidence, node, audit.trust);
    const verdict = checkRecords(records);
    // The first bad entry of both checks: a removed tail is found after any break inside the copy.
    const against = checkAgainstCheckpoints(verdict.ok ? records.map((r) => r.hash) : records.filter((r) => r.seq < verdict.brokenAt).map((r) => r.hash), checkpoints);
    if (!verdict.ok) return !against.ok && against.brokenAt < verdict.brokenAt ? against : verdict;
    if (!against.ok) return against;
    const hashAlgs = [...new Set(records.map((r) => r.hashAlg))];
    return { ...verdict, waiting: await db.read((s) => s.messageLog.pendingCount()), hashAlgs, checkpoints: { checked: against.checked, latest: against.latest } };
  } finally {
    await db.close();
  }
}

/**
 * The checkpoints of `node`'s log among the evidence, each verified first when the federation's
 * keys are given (signed by `node`, countersigned by another node over exactly that checkpoint).
 */
async function weigh(evidence: readonly CheckpointEvidence[], node: NodeCode, trust: TrustStore | undefined): Promise<AuditedCheckpoint[]> {
  const out: AuditedCheckpoint[] = [];
  const seen = new Set<string>();
  for (const e of evidence) {
    if (seen.has(e.checkpoint)) continue;
    seen.add(e.checkpoint);
    const unverified = readCheckpointClaims(e.checkpoint);
    if (unverified === null) throw new GatewayError('CHECKPOINT_INVALID', { detail: `a checkpoint in ${e.source} cannot be read` });
    if (unverified.node !== node) continue;
    if (trust) {
      // An audit reads history: each checkpoint in the suite it was signed in (its own alg, pinned
      // to its kid by the federation's keys), whichever suite the federation uses today.
      const claims = await verifyCheckpoint(e.checkpoint, { trust, expectedSigner: node, allowedAlgs: AUDIT_ALGS });
      const { node: countersigner } = await verifyCountersignature(e.countersignature, { trust, checkpoint: e.checkpoint, allowedAlgs: AUDIT_ALGS });
      out.push({ count: claims.count, headHash: claims.headHash, at: claims.at, countersigner, source: e.source });
      continue;
    }
    // Without keys, at least the binding: the countersignature names the SHA-256 of this checkpoint.
    const countersigner = unverifiedCountersigner(e.countersignature, e.checkpoint);
    if (countersigner === null) throw new GatewayError('CHECKPOINT_INVALID', { detail: `a countersignature in ${e.source} cannot be read or names another checkpoint` });
    out.push({ count: unverified.count, headHash: unverified.headHash, at: unverified.at, countersigner, source: e.source });
  }
  return out;
}

/** The `node` claim of a countersignature bound to `checkpoint`, unverified (when no keys are given). */
function unverifiedCountersigner(compact: string, checkpoint: string): NodeCode | null {
  try {
    const claims = JSON.parse(Buffer.from(compact.split('.')[1] ?? '', 'base64url').toString('utf8')) as { node?: unknown; checkpoint?: unknown };
    return isNodeCode(claims.node) && claims.checkpoint === evidenceHash(checkpoint) ? claims.node : null;
  } catch {
    return null;
  }
}

/** Whose log a copy is: the one node the evidence is about, else the other of the one peer its entries name. */
function nodeOf(records: readonly MessageLogRecord[], evidence: readonly CheckpointEvidence[]): NodeCode | null {
  const named = new Set(evidence.map((e) => readCheckpointClaims(e.checkpoint)?.node).filter(isNodeCode));
  if (named.size === 1) return [...named][0];
  const peers = new Set(records.map((r) => r.peer));
  if (peers.size !== 1) return null;
  const others = NODE_CODES.filter((n) => !peers.has(n));
  return others.length === 1 ? others[0] : null;
}

async function readLog(db: GatewayDatabase): Promise<MessageLogRecord[]> {
  const records: MessageLogRecord[] = [];
  for (let after = 0; ; ) {
    const page = await db.read((s) => s.messageLog.page(after, 1000));
    if (page.length === 0) return records;
    records.push(...page);
    after = page.at(-1)!.seq;
  }
}

/**
 * The chain and each stored message against its hash; the lower of the two breaks is the first
 * bad entry. Each entry is checked with the hash it records it was chained with (`hash_alg`:
 * SHA-256 or SM3), never with one from this process's environment, so a gm log, an intl log and
 * a log that moved between them verify alike.
 */
function checkRecords(records: readonly MessageLogRecord[]): { ok: true; count: number } | Extract<LogVerdict, { ok: false }> {
  const chain = verifyChain(records.map((r) => ({ seq: r.seq, at: r.at, direction: r.direction, kind: r.kind, messageId: r.messageId, sha256: r.sha256, hash: r.hash, hashAlg: r.hashAlg })));
  // A gap is named by the first seq missing (the removed entry), not by the entry after it.
  const chainBreak = chain.ok ? null : { brokenAt: chain.reason === 'SEQ_GAP' ? missingBefore(records, chain.brokenAt) : chain.brokenAt, reason: chain.reason };
  // The stored message must still hash to what the chain recorded.
  const altered = records.find((r) => evidenceHash(r.content) !== r.sha256);
  if (altered && (!chainBreak || altered.seq < chainBreak.brokenAt)) return { ok: false, brokenAt: altered.seq, reason: 'CONTENT_MISMATCH' };
  if (chainBreak) return { ok: false, ...chainBreak };
  return { ok: true, count: records.length };
}

function missingBefore(records: readonly MessageLogRecord[], seq: number): number {
  const index = records.findIndex((r) => r.seq === seq);
  return index <= 0 ? 1 : records[index - 1].seq + 1;
}

const USAGE =
  'usage: npm run verify-log -- <sqlite file | postgres://…> [--checkpoints <exported file>]... [--node SC|CQ]\n' +
  '         [--federation <federation.jws> --federation-authority <authority jwks file>]\n';

/** Reads the operators' export (GET /api/v1/operator/checkpoints: `{ items: [...] }`) or a plain array of its items. */
function readEvidence(file: string): CheckpointEvidence[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new GatewayError('CHECKPOINT_INVALID', { detail: `${file} is not a JSON export of checkpoints`, cause });
  }
  const items = Array.isArray(parsed) ? parsed : (parsed as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) throw new GatewayError('CHECKPOINT_INVALID', { detail: `${file} has no items` });
  return items.map((item: unknown, i) => {
    const { checkpoint, countersignature } = (item ?? {}) as { checkpoint?: unknown; countersignature?: unknown };
    if (typeof checkpoint !== 'string' || typeof countersignature !== 'string') throw new GatewayError('CHECKPOINT_INVALID', { detail: `${file} item ${i}: checkpoint and countersignature must be compact JWS` });
    return { checkpoint, countersignature, source: file };
  });
}

/**
 * The command. Every path writes its verdict before it sets the exit status, and the status is
 * set with `process.exitCode` (not `process.exit`) so that nothing written is cut off.
 */
async function main(argv: readonly string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch {
    process.stderr.write(USAGE);
    return VERIFY_EXIT.usage;
  }
  const { positionals, values } = args;
  const target = positionals[0];
  const node = values.node;
  if (positionals.length !== 1 || !target || (node !== undefined && !isNodeCode(node)) || (values.federation === undefined) !== (values['federation-authority'] === undefined)) {
    process.stderr.write(USAGE);
    return VERIFY_EXIT.usage;
  }
  const options: DatabaseOptions = /^postgres(ql)?:\/\//.test(target) ? { kind: 'postgres', url: target } : { kind: 'sqlite', file: target };
  // Opening a SQLite path that does not exist would create an empty database there.
  if (options.kind === 'sqlite' && !existsSync(options.file)) {
    process.stderr.write('cannot verify: no such file\n');
    return VERIFY_EXIT.cannotVerify;
  }
  const evidence = (values.checkpoints ?? []).flatMap(readEvidence);
  const trust = values.federation === undefined ? undefined : await federationTrust(values.federation, values['federation-authority'] ?? '');
  const result = await verifyMessageLog(options, { evidence, ...(trust ? { trust } : {}), ...(node !== undefined && isNodeCode(node) ? { node } : {}) });
  if (result.ok) {
    const waiting = result.waiting > 0 ? ` (${result.waiting} more waiting to be chained)` : '';
    process.stdout.write(`message log intact: ${result.count} entries${waiting}\n`);
    if (result.hashAlgs.length > 0) process.stdout.write(`  chained with ${result.hashAlgs.join(', then ')}\n`);
    const latest = result.checkpoints?.latest;
    if (result.checkpoints && latest) {
      process.stdout.write(`  against ${result.checkpoints.checked} countersigned checkpoints, the latest of entry ${latest.count} countersigned by ${latest.countersigner} (${latest.source})\n`);
      if (!trust) process.stdout.write('  signatures not checked: give --federation and --federation-authority to check them\n');
    }
    return VERIFY_EXIT.intact;
  }
  process.stdout.write(`message log BROKEN at entry ${result.brokenAt}: ${result.reason} (${result.detail ?? EXPLAIN[result.reason as keyof typeof EXPLAIN]})\n`);
  return VERIFY_EXIT.broken;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      checkpoints: { type: 'string', multiple: true },
      node: { type: 'string' },
      federation: { type: 'string' },
      'federation-authority': { type: 'string' },
    },
  });
}

/** The keys of the signed federation (checked against the authority's keys), to verify checkpoints with. */
async function federationTrust(federationFile: string, authorityFile: string): Promise<TrustStore> {
  let authority: unknown;
  try {
    authority = JSON.parse(readFileSync(authorityFile, 'utf8'));
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: 'the federation authority JWKS cannot be read', cause });
  }
  const federation = await loadSignedFederation(federationFile, authority);
  return TrustStore.create(trustedKeysOf(federation), undefined, suitePolicyOf(federation));
}

const EXPLAIN: Record<'HASH_MISMATCH' | 'SEQ_GAP' | 'CONTENT_MISMATCH', string> = {
  CONTENT_MISMATCH: 'the stored message no longer hashes to what the chain recorded',
  HASH_MISMATCH: 'its chained fields, its hash or the hash algorithm it records were changed',
  SEQ_GAP: 'this entry was removed',
};

if (process.argv[1]?.endsWith('verify-log.js')) {
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`cannot verify: ${error instanceof GatewayError ? `${error.code} ${error.detail ?? ''}` : String(error)}\n`);
      process.exitCode = VERIFY_EXIT.cannotVerify;
    },
  );
}
