import { existsSync } from 'node:fs';
import { GatewayError } from '#core';
import { GatewayDatabase, type DatabaseOptions, type MessageLogRecord } from '#persistence';
import { sha256Base64url, verifyChain } from '#signing';

/** Exit statuses of `npm run verify-log`: an auditor's script can tell the three apart. */
export const VERIFY_EXIT = { intact: 0, cannotVerify: 1, broken: 2, usage: 64 } as const;

export type LogVerdict =
  | { readonly ok: true; readonly count: number; readonly waiting: number }
  | { readonly ok: false; readonly brokenAt: number; readonly reason: 'HASH_MISMATCH' | 'SEQ_GAP' | 'CONTENT_MISMATCH' };

/**
 * `npm run verify-log -- <sqlite file | postgres://…>`: checks a node's message log offline and
 * names the first bad entry: a changed one (its stored message or its chained fields), or a
 * removed one (the first seq missing). On PostgreSQL it also says how many entries were still
 * waiting to be chained (`waiting`): the chain writer of a running node links them within
 * moments, and the next start of a stopped node does.
 */
export async function verifyMessageLog(options: DatabaseOptions): Promise<LogVerdict> {
  const db = await GatewayDatabase.open(options, { migrate: false });
  try {
    const records = await readLog(db);
    const verdict = checkRecords(records);
    if (!verdict.ok) return verdict;
    return { ...verdict, waiting: await db.read((s) => s.messageLog.pendingCount()) };
  } finally {
    await db.close();
  }
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

/** The chain and each stored message against its hash; the lower of the two breaks is the first bad entry. */
function checkRecords(records: readonly MessageLogRecord[]): { ok: true; count: number } | Extract<LogVerdict, { ok: false }> {
  const chain = verifyChain(records.map((r) => ({ seq: r.seq, at: r.at, direction: r.direction, kind: r.kind, messageId: r.messageId, sha256: r.sha256, hash: r.hash })));
  // A gap is named by the first seq missing (the removed entry), not by the entry after it.
  const chainBreak = chain.ok ? null : { brokenAt: chain.reason === 'SEQ_GAP' ? missingBefore(records, chain.brokenAt) : chain.brokenAt, reason: chain.reason };
  // The stored message must still hash to what the chain recorded.
  const altered = records.find((r) => sha256Base64url(r.content) !== r.sha256);
  if (altered && (!chainBreak || altered.seq < chainBreak.brokenAt)) return { ok: false, brokenAt: altered.seq, reason: 'CONTENT_MISMATCH' };
  if (chainBreak) return { ok: false, ...chainBreak };
  return { ok: true, count: records.length };
}

function missingBefore(records: readonly MessageLogRecord[], seq: number): number {
  const index = records.findIndex((r) => r.seq === seq);
  return index <= 0 ? 1 : records[index - 1].seq + 1;
}

const USAGE = 'usage: npm run verify-log -- <sqlite file | postgres://…>\n';

/**
 * The command. Every path writes its verdict before it sets the exit status, and the status is
 * set with `process.exitCode` (not `process.exit`) so that nothing written is cut off.
 */
async function main(argv: readonly string[]): Promise<number> {
  const target = argv[0];
  if (!target || argv.length > 1 || target.startsWith('-')) {
    process.stderr.write(USAGE);
    return VERIFY_EXIT.usage;
  }
  const options: DatabaseOptions = /^postgres(ql)?:\/\//.test(target) ? { kind: 'postgres', url: target } : { kind: 'sqlite', file: target };
  // Opening a SQLite path that does not exist would create an empty database there.
  if (options.kind === 'sqlite' && !existsSync(options.file)) {
    process.stderr.write('cannot verify: no such file\n');
    return VERIFY_EXIT.cannotVerify;
  }
  const result = await verifyMessageLog(options);
  if (result.ok) {
    const waiting = result.waiting > 0 ? ` (${result.waiting} more waiting to be chained)` : '';
    process.stdout.write(`message log intact: ${result.count} entries${waiting}\n`);
    return VERIFY_EXIT.intact;
  }
  process.stdout.write(`message log BROKEN at entry ${result.brokenAt}: ${result.reason} (${EXPLAIN[result.reason]})\n`);
  return VERIFY_EXIT.broken;
}

const EXPLAIN: Record<Extract<LogVerdict, { ok: false }>['reason'], string> = {
  CONTENT_MISMATCH: 'the stored message no longer hashes to what the chain recorded',
  HASH_MISMATCH: 'its chained fields or hash were changed',
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
