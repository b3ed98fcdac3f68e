import { existsSync, statSync } from 'node:fs';
import { outboxMessage, temporarySqlite } from './records.fixtures.js';

describe('WAL checkpoints on a worker (SQLite file)', () => {
  const message = (n: number) => outboxMessage(n, { payload: 'x'.repeat(4_000) });

  it('copies committed pages into the database file though no commit took the WAL to its checkpoint size', async () => {
    const temp = await temporarySqlite('gw-wal-');
    const { db, file } = temp;
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
      // The node's connection closes last: SQLite checkpoints and removes the WAL.
      await db.close();
      expect(existsSync(`${file}-wal`)).toBe(false);
    } finally {
      await temp.dispose();
    }
  });
});
