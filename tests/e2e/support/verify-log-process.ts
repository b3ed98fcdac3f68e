import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayDatabase, type MessageLogRecord } from '#persistence';
import { chainAfter } from '../../../apps/gateway/src/message-log/message-log.service.js';
import { INTL_SUITE, suiteHash, suiteNamed, type SuiteName } from '#signing';

/** The built verifier: the tests run the command an auditor runs, as a process (CI builds first). */
const VERIFIER = join(process.cwd(), 'dist/apps/gateway/src/message-log/verify-log.js');

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run verify-log -- ...args` as its own Node process and answers its exit code and output. */
export async function runVerifyLog(args: readonly string[]): Promise<ProcessResult> {
  if (!existsSync(VERIFIER)) throw new Error('dist/ is missing: `npm test` builds first; run `npm run build` before this suite alone');
  return new Promise((resolve) => {
    execFile(process.execPath, [VERIFIER, ...args], { env: { PATH: process.env['PATH'] ?? '' }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The suite each entry of a written copy is signed and chained in: one for all, or by entry number (from 1). */
export type CopySuite = SuiteName | ((entry: number) => SuiteName);

/**
 * Writes a SQLite copy whose message log holds `count` chained entries (sent envelopes to `peer`),
 * each an EdDSA or SM2 token hashed and chained in its suite (intl by default; a function of the
 * entry number for a log that moved between suites part-way).
 */
export async function writeLogCopy(file: string, count: number, peer = 'CQ', suite: CopySuite = 'intl'): Promise<void> {
  const db = await GatewayDatabase.open({ kind: 'sqlite', file }, { migrate: true });
  const suiteOf = (n: number) => (typeof suite === 'function' ? suite(n) : suite);
  try {
    let head: MessageLogRecord | null = null;
    for (let i = 0; i < count; i += 1) {
      const s = suiteNamed(suiteOf(i + 1)) ?? INTL_SUITE;
      const header = Buffer.from(JSON.stringify({ alg: s.signatureAlg })).toString('base64url');
      const content = `${header}.entry-${i + 1}.signature`;
      const entry = { at: Date.UTC(2026, 10, 23, 1, 0, i), direction: 'sent' as const, kind: 'envelope' as const, messageId: `m-${i + 1}`, peer, sha256: suiteHash(s, content), content };
      const [record] = chainAfter(head, [entry], s.hash);
      await db.transaction(async (tx) => tx.messageLog.append([record]));
      head = record;
    }
  } finally {
    await db.close();
  }
}
