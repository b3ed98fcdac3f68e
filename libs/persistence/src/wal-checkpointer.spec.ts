import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayDatabase } from './gateway-database.js';

describe('WAL checkpoints on a worker (SQLite file)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-wal-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const message = (n: number) => ({
    messageId: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    destination: 'peer:CQ',
    messageType: 'ssc.apply.request',
    contractVersion: 1,
    caseId: 'SC-20261122-0000000001',
    payload: 'x'.repeat(4_000),
    nextAttemptAt: 0,
    createdAt: 1,
  });

  it('copies committed pages into the database file though no commit took the WAL to its checkpoint size', async () => {
    const file = join(dir, 'gw.db');
    const db = await GatewayDatabase.open({ kind: 'sqlite', file }, { migrate: true });
    try {
      const before = statSync(file).size;
      // About 500 pages (2 MB): SQLite's own checkpoint in a commit waits for 1,000.
      for (let batch = 0; batch < 10; batch += 1) {
        await db.transaction(async (tx) => {
          for (let i = 0; i < 50; i += 1) await tx.outbox.enqueue(message(batch * 50 + i));
        });
      }
      const deadline = Date.now() + 5_000;
      while (statSync(file).size < before + 1_500_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(statSync(file).size).toBeGreaterThan(before + 1_500_000);
      expect(await db.read((s) => s.outbox.backlog())).toBe(500);
    } finally {
      await db.close();
    }
    // The node's connection closed last: SQLite checkpointed and removed the WAL.
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
