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

  it('keeps the WAL bounded under commits that never pause (truncating it past the limit)', async () => {
    const temp = await temporarySqlite('gw-wal-', { walTruncateBytes: 1024 * 1024 });
    const { db, file } = temp;
    try {
      let largest = 0;
      let n = 0;
      // Back-to-back commits for 1.5 s (the worker looks every 100 ms): a PASSIVE checkpoint never
      // finds the log fully copied when the next commit starts, so without truncation SQLite never
      // starts it over and it grows by all that is written (tens of MB here).
      const until = Date.now() + 1_500;
      while (Date.now() < until) {
        await Promise.all(Array.from({ length: 50 }, () => db.transaction((tx) => tx.outbox.enqueue(outboxMessage((n += 1), { payload: 'x'.repeat(1_000) })))));
        largest = Math.max(largest, existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
      }
      // Bounded by what is written between two looks of the worker (about 250 MB without truncation).
      expect(largest).toBeLessThan(64 * 1024 * 1024);
      expect(await db.read((s) => s.outbox.backlog())).toBe(n);
    } finally {
      await temp.dispose();
    }
  });
});
