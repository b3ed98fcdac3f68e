import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayDatabase } from './gateway-database.js';

describe('GatewayDatabase on SQLite', () => {
  let dir: string;
  let db: GatewayDatabase;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-db-'));
    db = await GatewayDatabase.open({ kind: 'sqlite', file: join(dir, 'gw.db') }, { migrate: true });
  });

  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const message = (id: string, nextAttemptAt: number) => ({
    messageId: id,
    destination: 'peer:CQ',
    messageType: 'ssc.apply.request',
    contractVersion: 1,
    caseId: 'SC-20261122-0000000001',
    payload: 'x',
    nextAttemptAt,
    createdAt: 1,
  });

  it('rolls back every write of a failed transaction', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000001', 0));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.read((s) => s.outbox.backlog())).toBe(0);
  });

  it('claims only due messages and re-claims one whose lease expired', async () => {
    await db.transaction(async (tx) => {
      await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000001', 100));
      await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000002', 5_000));
    });
    const first = await db.transaction((tx) => tx.outbox.claimDue(1_000, 2_000, 10));
    expect(first.map((m) => m.messageId)).toEqual(['00000000-0000-7000-8000-000000000001']);
    expect(first[0].state).toBe('in-flight');
    // claimed and leased: not claimable again until the lease expires
    expect(await db.transaction((tx) => tx.outbox.claimDue(1_500, 3_000, 10))).toHaveLength(0);
    const again = await db.transaction((tx) => tx.outbox.claimDue(2_500, 4_000, 10));
    expect(again.map((m) => m.messageId)).toEqual(['00000000-0000-7000-8000-000000000001']);
  });

  it('refuses to open a database whose schema is behind when not told to migrate', async () => {
    const file = join(dir, 'empty.db');
    await expect(GatewayDatabase.open({ kind: 'sqlite', file }, { migrate: false })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
