import { GatewayDatabase } from '#persistence';
import { dropPostgresDatabase, freshPostgresDatabase } from './support/postgres.js';

/**
 * The same stores and migrations as the embedded default, against a real PostgreSQL: the
 * relay's claim must never hand one message to two replicas.
 */
describe('GatewayDatabase on PostgreSQL', () => {
  let url: string | null;
  let replicas: GatewayDatabase[] = [];

  beforeAll(async () => {
    url = await freshPostgresDatabase('persistence');
    if (!url) return;
    replicas = [
      await GatewayDatabase.open({ kind: 'postgres', url }, { migrate: true }),
      await GatewayDatabase.open({ kind: 'postgres', url }, { migrate: false }),
    ];
  });

  afterAll(async () => {
    for (const db of replicas) await db.close();
    await dropPostgresDatabase(url);
  });

  it('applies the migrations once and refuses nothing afterwards', async () => {
    if (!url) return;
    expect(await replicas[1].migrate()).toBe(0);
  });

  it('never claims one outbox row for two replicas (FOR UPDATE SKIP LOCKED)', async () => {
    if (!url) return;
    const [a, b] = replicas as [GatewayDatabase, GatewayDatabase];
    await a.transaction(async (tx) => {
      for (let i = 0; i < 200; i += 1) {
        await tx.outbox.enqueue({
          messageId: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
          destination: 'peer:CQ',
          messageType: 'status-update',
          contractVersion: 1,
          caseId: null,
          payload: 'x',
          nextAttemptAt: 0,
          createdAt: 0,
        });
      }
    });
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).transaction((tx) => tx.outbox.claimDue(1, 60_000, 25))),
    );
    const ids = claims.flat().map((m) => m.messageId);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
  });

  it('lists the cases of every window of one agency, and no other', async () => {
    if (!url) return;
    const [db] = replicas as [GatewayDatabase];
    const window = (credentialId: string, agency: string) => ({ credentialId, role: 'window' as const, name: credentialId, region: '500103', agency, secretHash: '0'.repeat(64), createdAt: 0 });
    const acceptedAt = (n: number) => Date.UTC(2026, 10, 23, 1, n);
    await db.transaction(async (tx) => {
      await tx.credentials.insert(window('yz-1', '渝中区社会保险事务中心'));
      await tx.credentials.insert(window('yz-2', '渝中区社会保险事务中心'));
      await tx.credentials.insert(window('dz-1', '大足区社会保险事务中心'));
      for (const [i, windowId] of ['yz-1', 'yz-2', 'dz-1'].entries()) {
        await tx.cases.insert({
          caseId: `CQ-20261123-00000000${i}${i}`,
          service: 'ssc.apply',
          role: 'accepting',
          acceptingNode: 'CQ',
          handlingNode: 'SC',
          agency: 'SC.card',
          windowId,
          stage: 'submitted',
          status: 'in-progress',
          requestJson: '{}',
          applicantHash: 'h',
          region: '510104',
          regionHistoric: false,
          agencyRef: null,
          acceptedAt: acceptedAt(i),
          updatedAt: acceptedAt(i),
          lastAppliedSeq: 0,
          lastIssuedSeq: 0,
          clockPausedSince: null,
          clockPausedDays: 0,
        });
      }
    });
    const windows = await db.read((s) => s.credentials.windowsOfAgency('渝中区社会保险事务中心'));
    expect(windows.sort()).toEqual(['yz-1', 'yz-2']);
    const cases = await db.read((s) => s.cases.listByWindows(windows, 10));
    expect(cases.map((c) => c.windowId)).toEqual(['yz-2', 'yz-1']);
  });
});
