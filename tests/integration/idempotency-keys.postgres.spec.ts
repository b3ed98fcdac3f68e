import { ManualClock } from '#core';
import { GatewayDatabase } from '#persistence';
import { caseRecord } from '../../libs/persistence/src/records.fixtures.js';
import type { GatewayConfig } from '../../apps/gateway/src/config/gateway.config.js';
import type { Principal } from '../../apps/gateway/src/auth/credentials.service.js';
import { IdempotencyService } from '../../apps/gateway/src/intake/idempotency.service.js';
import { dropPostgresDatabase, freshPostgresDatabase } from './support/postgres.js';

/**
 * Idempotency keys on PostgreSQL with two replicas sharing the database: a window's request
 * retried at another replica while the first still runs makes one case, and both are answered
 * the same receipt.
 */
describe('Idempotency keys on PostgreSQL (two replicas)', () => {
  let url: string | null;
  let replicas: GatewayDatabase[] = [];
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 1));
  const config = { idempotencyKeyTtlHours: 24 } as GatewayConfig;
  const window = { credentialId: 'win-cq-01' } as Principal;

  beforeAll(async () => {
    url = await freshPostgresDatabase('idempotency');
    if (!url) return;
    replicas = [await GatewayDatabase.open({ kind: 'postgres', url }, { migrate: true }), await GatewayDatabase.open({ kind: 'postgres', url }, { migrate: false })];
  });

  afterAll(async () => {
    for (const db of replicas) await db.close();
    await dropPostgresDatabase(url);
  });

  it('makes one case per key when each replica gets the same request at once', async () => {
    if (!url) return;
    const services = replicas.map((db) => new IdempotencyService(config, db, clock));
    let made = 0;
    const submit = (replica: number, key: string) => {
      const call = services[replica].callOf(window, `"${key}"`, 'POST', '/api/v1/applications', { key });
      return services[replica].run(call, 201, (keep) =>
        replicas[replica].transaction(async (tx) => {
          made += 1;
          const caseId = `CQ-20261123-${String(made).padStart(10, '0')}`;
          await tx.cases.insert(caseRecord(caseId, { applicantHash: key }));
          const receipt = { caseId };
          await keep(tx, receipt);
          return receipt;
        }),
      );
    };
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    const answers = await Promise.all(keys.flatMap((key) => [submit(0, key), submit(1, key)]));
    for (let i = 0; i < keys.length; i += 1) {
      const [a, b] = [answers[2 * i], answers[2 * i + 1]];
      expect(a.body).toEqual(b.body);
      expect([a.replayed, b.replayed].filter(Boolean)).toHaveLength(1);
    }
    const cases = await replicas[0].read((s) => s.cases.listRecent(100));
    expect(cases).toHaveLength(keys.length);
    expect(new Set(cases.map((c) => c.applicantHash)).size).toBe(keys.length);
  });

  it('replaces an expired key and purges expired ones', async () => {
    if (!url) return;
    const [db] = replicas as [GatewayDatabase];
    const record = { credentialId: 'win-sc-01', idempotencyKey: 'k', fingerprint: 'f'.repeat(64), status: 202, responseJson: '{}', createdAt: 1_000, expiresAt: 2_000 };
    expect(await db.transaction((tx) => tx.idempotencyKeys.insertOnce(record))).toBe(true);
    expect(await db.transaction((tx) => tx.idempotencyKeys.insertOnce({ ...record, createdAt: 1_500, expiresAt: 2_500 }))).toBe(false);
    expect(await db.read((s) => s.idempotencyKeys.get('win-sc-01', 'k', 1_999))).toMatchObject({ status: 202, expiresAt: 2_000 });
    expect(await db.read((s) => s.idempotencyKeys.get('win-sc-01', 'k', 2_000))).toBeNull();
    expect(await db.transaction((tx) => tx.idempotencyKeys.insertOnce({ ...record, createdAt: 2_000, expiresAt: 3_000 }))).toBe(true);
    expect(await db.transaction((tx) => tx.idempotencyKeys.purgeExpired(3_000))).toBe(1);
    expect(await db.read((s) => s.idempotencyKeys.get('win-sc-01', 'k', 0))).toBeNull();
  });
});
