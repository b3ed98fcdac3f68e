import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayDatabase } from '#persistence';
import { chainAfter } from '../../../apps/gateway/src/message-log/message-log.service.js';
import { sha256Base64url } from '#signing';

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

/** Writes a SQLite copy whose message log holds `count` chained entries (sent envelopes to `peer`). */
export async function writeLogCopy(file: string, count: number, peer = 'CQ'): Promise<void> {
  const db = await GatewayDatabase.open({ kind: 'sqlite', file }, { migrate: true });
  try {
    const entries = Array.from({ length: count }, (_, i) => {
      const content = `eyJhbGciOiJFZERTQSJ9.entry-${i + 1}.signature`;
      return { at: Date.UTC(2026, 10, 23, 1, 0, i), direction: 'sent' as const, kind: 'envelope' as const, messageId: `m-${i + 1}`, peer, sha256: sha256Base64url(content), content };
    });
    await db.transaction(async (tx) => tx.messageLog.append(chainAfter(null, entries)));
  } finally {
    await db.close();
  }
}
