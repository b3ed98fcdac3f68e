import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runVerifyLog, writeLogCopy, type CopySuite } from './support/verify-log-process.js';

/**
 * `npm run verify-log` as an auditor runs it: a process, its exit code (0 intact, 2 broken,
 * 1 cannot verify, 64 usage) and what it prints.
 */
/**
 * The logs a node may hold (issue 17.1/4): chained in SHA-256 (intl), in SM3 (gm), or in
 * SHA-256 and then SM3 after the federation moved part-way (entries 1-3 intl, 4-6 gm). The
 * verifier reads each entry's hash from the log, never from its environment.
 */
const LOGS: readonly (readonly [string, CopySuite, string])[] = [
  ['an intl log', 'intl', 'sha256'],
  ['a gm log', 'gm', 'sm3'],
  ['a log that moved from intl to gm', (n: number) => (n <= 3 ? 'intl' : 'gm'), 'sha256, then sm3'],
];

describe.each(LOGS)('verify-log, run as a process, on %s', (_name, suite, chainedWith) => {
  const dir = mkdtempSync(join(tmpdir(), 'cytb-verify-'));
  let copy = 0;

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function logCopy(tamper?: (raw: Database.Database) => void): Promise<string> {
    copy += 1;
    const file = join(dir, `copy-${copy}.db`);
    await writeLogCopy(file, 6, 'CQ', suite);
    if (tamper) {
      const raw = new Database(file);
      tamper(raw);
      raw.close();
    }
    return file;
  }

  it('says an intact copy is intact, with the hashes it was chained with, and exits 0', async () => {
    // Fails before issue 17.1/4 for the gm and mixed logs: the verifier checked every entry with SHA-256.
    const result = await runVerifyLog([await logCopy()]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`message log intact: 6 entries\n  chained with ${chainedWith}\n`);
  });

  it('names the entry whose stored message lost one byte, exits 2', async () => {
    const file = await logCopy((raw) => raw.prepare('UPDATE message_log SET content = substr(content, 2) WHERE seq = 5').run());
    const result = await runVerifyLog([file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^message log BROKEN at entry 5: CONTENT_MISMATCH/);
  });

  it('names the entry whose hash column was changed, exits 2', async () => {
    const file = await logCopy((raw) => raw.prepare("UPDATE message_log SET hash = '" + 'f'.repeat(64) + "' WHERE seq = 4").run());
    const result = await runVerifyLog([file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^message log BROKEN at entry 4: HASH_MISMATCH/);
  });

  it('names the entry whose recorded hash algorithm was changed, exits 2', async () => {
    const file = await logCopy((raw) => raw.prepare("UPDATE message_log SET hash_alg = CASE hash_alg WHEN 'sm3' THEN 'sha256' ELSE 'sm3' END WHERE seq = 5").run());
    const result = await runVerifyLog([file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^message log BROKEN at entry 5: HASH_MISMATCH/);
  });

  it('names where a removed record is missing, exits 2', async () => {
    const file = await logCopy((raw) => raw.prepare('DELETE FROM message_log WHERE seq = 4').run());
    const result = await runVerifyLog([file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^message log BROKEN at entry 4: SEQ_GAP/);
  });

  it('names the first bad entry when a later entry is broken too', async () => {
    const file = await logCopy((raw) => {
      raw.prepare("UPDATE message_log SET content = content || 'x' WHERE seq = 2").run();
      raw.prepare('DELETE FROM message_log WHERE seq = 5').run();
    });
    const result = await runVerifyLog([file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^message log BROKEN at entry 2: CONTENT_MISMATCH/);
  });
});

describe('verify-log, run as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cytb-verify-'));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a copy written before migration 0011 as chained with SHA-256', async () => {
    const file = join(dir, 'before-0011.db');
    await writeLogCopy(file, 3);
    const raw = new Database(file);
    // The column as migration 0011 leaves an older copy: every row at its default.
    raw.prepare('ALTER TABLE message_log DROP COLUMN hash_alg').run();
    raw.prepare("ALTER TABLE message_log ADD COLUMN hash_alg varchar(8) NOT NULL DEFAULT 'sha256'").run();
    raw.close();
    const result = await runVerifyLog([file]);
    expect(result).toMatchObject({ code: 0, stdout: 'message log intact: 3 entries\n  chained with sha256\n' });
  });

  it('exits 64 with a usage line when no copy is named', async () => {
    const result = await runVerifyLog([]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/^usage: npm run verify-log -- /);
  });

  it('exits 1 when the copy cannot be read', async () => {
    const result = await runVerifyLog([join(dir, 'no-such-dir', 'none.db')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cannot verify: /);
  });
});
