import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runVerifyLog, writeLogCopy } from './support/verify-log-process.js';

/**
 * `npm run verify-log` as an auditor runs it: a process, its exit code (0 intact, 2 broken,
 * 1 cannot verify, 64 usage) and what it prints.
 */
describe('verify-log, run as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cytb-verify-'));
  let copy = 0;

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function logCopy(tamper?: (raw: Database.Database) => void): Promise<string> {
    copy += 1;
    const file = join(dir, `copy-${copy}.db`);
    await writeLogCopy(file, 6);
    if (tamper) {
      const raw = new Database(file);
      tamper(raw);
      raw.close();
    }
    return file;
  }

  it('says an intact copy is intact and exits 0', async () => {
    const result = await runVerifyLog([await logCopy()]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('message log intact: 6 entries\n');
  });

  it('names the entry whose stored message lost one byte, exits 2', async () => {
    const file = await logCopy((raw) => raw.prepare('UPDATE message_log SET content = substr(content, 2) WHERE seq = 3').run());
    const result = await runVerifyLog([file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^message log BROKEN at entry 3: CONTENT_MISMATCH/);
  });

  it('names the entry whose hash column was changed, exits 2', async () => {
    const file = await logCopy((raw) => raw.prepare("UPDATE message_log SET hash = '" + 'f'.repeat(64) + "' WHERE seq = 4").run());
    const result = await runVerifyLog([file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^message log BROKEN at entry 4: HASH_MISMATCH/);
  });

  it('names where a removed record is missing, exits 2', async () => {
    const file = await logCopy((raw) => raw.prepare('DELETE FROM message_log WHERE seq = 2').run());
    const result = await runVerifyLog([file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^message log BROKEN at entry 2: SEQ_GAP/);
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
