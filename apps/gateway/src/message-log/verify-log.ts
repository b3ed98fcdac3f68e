import { GatewayError } from '#core';
import { GatewayDatabase, type DatabaseOptions } from '#persistence';
import { sha256Base64url, verifyChain } from '#signing';

/**
 * `npm run verify-log -- <sqlite file | postgres://…>`: checks a node's message log offline and
 * names the first broken entry (a changed, removed or reordered record). Exit 0 when intact, 2
 * when broken, 1 when the log cannot be read. On PostgreSQL it also says how many entries were
 * still waiting to be chained (`waiting`): the chain writer of a running node links them within
 * moments, and the next start of a stopped node does.
 */
export async function verifyMessageLog(options: DatabaseOptions): Promise<{ ok: true; count: number; waiting: number } | { ok: false; brokenAt: number; reason: string }> {
  const db = await GatewayDatabase.open(options, { migrate: false });
  try {
    const records = [];
    for (let after = 0; ; ) {
      const page = await db.read((s) => s.messageLog.page(after, 1000));
      if (page.length === 0) break;
      records.push(...page);
      after = page.at(-1)!.seq;
    }
    // The stored message must still hash to what the chain recorded.
    const altered = records.find((r) => sha256Base64url(r.content) !== r.sha256);
    const chain = verifyChain(records.map((r) => ({ seq: r.seq, at: r.at, direction: r.direction, kind: r.kind, messageId: r.messageId, sha256: r.sha256, hash: r.hash })));
    if (!chain.ok) return chain;
    if (altered) return { ok: false, brokenAt: altered.seq, reason: 'CONTENT_MISMATCH' };
    return { ...chain, waiting: await db.read((s) => s.messageLog.pendingCount()) };
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: npm run verify-log -- <sqlite file | postgres://…>\n');
    process.exit(1);
  }
  const options: DatabaseOptions = /^postgres(ql)?:\/\//.test(target) ? { kind: 'postgres', url: target } : { kind: 'sqlite', file: target };
  const result = await verifyMessageLog(options);
  if (result.ok) {
    const waiting = result.waiting > 0 ? ` (${result.waiting} more waiting to be chained)` : '';
    process.stdout.write(`message log intact: ${result.count} entries${waiting}\n`);
    return;
  }
  process.stdout.write(`message log BROKEN at entry ${result.brokenAt}: ${result.reason}\n`);
  process.exit(2);
}

if (process.argv[1]?.endsWith('verify-log.js')) {
  main().catch((error: unknown) => {
    process.stderr.write(`cannot verify: ${error instanceof GatewayError ? `${error.code} ${error.detail ?? ''}` : String(error)}\n`);
    process.exit(1);
  });
}
