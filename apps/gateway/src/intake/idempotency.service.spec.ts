import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { GatewayDatabase } from '#persistence';
import type { GatewayConfig } from '../config/gateway.config.js';
import type { Principal } from '../auth/credentials.service.js';
import { IdempotencyService, type IdempotentCall } from './idempotency.service.js';

describe('IdempotencyService', () => {
  let dir: string;
  let db: GatewayDatabase;
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 1));
  const config = { idempotencyKeyTtlHours: 24 } as GatewayConfig;
  let service: IdempotencyService;
  const window = { credentialId: 'win-cq-01' } as Principal;
  const call = (key: string, body: unknown = { n: 1 }): IdempotentCall => service.callOf(window, `"${key}"`, 'POST', '/api/v1/applications?x=1', body)!;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idempotency-'));
    db = await GatewayDatabase.open({ kind: 'sqlite', file: join(dir, 'gw.db') }, { migrate: true });
    service = new IdempotencyService(config, db, clock);
  });

  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A use case that counts its runs and keeps its answer in its own transaction. */
  const counted = () => {
    let runs = 0;
    const perform = (keep: (tx: never, body: { run: number }) => Promise<void>) =>
      db.transaction(async (tx) => {
        runs += 1;
        const body = { run: runs };
        await keep(tx as never, body);
        return body;
      });
    return { perform, runs: () => runs };
  };

  it('binds the key to the path without its query string', () => {
    expect(call('k1').fingerprint).toBe(service.callOf(window, 'k1', 'POST', '/api/v1/applications', { n: 1 })!.fingerprint);
  });

  it('runs a request once and replays its answer to the same key', async () => {
    const uc = counted();
    expect(await service.run(call('k1'), 201, uc.perform)).toEqual({ status: 201, body: { run: 1 }, replayed: false });
    expect(await service.run(call('k1'), 201, uc.perform)).toEqual({ status: 201, body: { run: 1 }, replayed: true });
    expect(uc.runs()).toBe(1);
  });

  it('refuses a second request with a key still being processed (IDEMPOTENCY_KEY_IN_FLIGHT)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = service.run(call('k2'), 201, async (keep) => {
      await gate;
      return db.transaction(async (tx) => {
        await keep(tx, { run: 1 });
        return { run: 1 };
      });
    });
    await expect(service.run(call('k2'), 201, counted().perform)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_FLIGHT', status: 409 });
    release();
    await first;
    expect(await service.run(call('k2'), 201, counted().perform)).toMatchObject({ replayed: true, body: { run: 1 } });
  });

  it('keeps nothing for a request that failed, so the key may be used again', async () => {
    await expect(
      service.run(call('k3'), 201, () => Promise.reject(new Error('refused'))),
    ).rejects.toThrow('refused');
    expect(await service.run(call('k3', { n: 2 }), 201, counted().perform)).toMatchObject({ replayed: false });
  });

  it('replays the answer another process kept first, and rolls back its own effect', async () => {
    // Another replica committed the key after this process looked it up and before it kept it.
    const uc = counted();
    const answer = await service.run(call('k4'), 201, async (keep) => {
      await db.transaction((tx) => tx.idempotencyKeys.insertOnce({ credentialId: 'win-cq-01', idempotencyKey: 'k4', fingerprint: call('k4').fingerprint, status: 201, responseJson: '{"run":0}', createdAt: clock.nowMs(), expiresAt: clock.nowMs() + 1000 }));
      return db.transaction(async (tx) => {
        await tx.audit.append({ action: 'effect', subject: 'k4', operatorId: 'x', reason: 'x', detailJson: null, at: 0 });
        await keep(tx, { run: 1 });
        return { run: 1 };
      });
    });
    expect(answer).toEqual({ status: 201, body: { run: 0 }, replayed: true });
    expect(await db.read((s) => s.audit.list('k4'))).toEqual([]);
    expect(uc.runs()).toBe(0);
  });

  it('forgets a key after IDEMPOTENCY_KEY_TTL_HOURS, and the purge removes it', async () => {
    const uc = counted();
    await service.run(call('k5'), 201, uc.perform);
    clock.advance(24 * 3_600_000 - 1);
    expect(await service.purge()).toBe(0);
    expect(await service.run(call('k5'), 201, uc.perform)).toMatchObject({ replayed: true });
    clock.advance(1);
    expect(await service.run(call('k5', { n: 9 }), 201, uc.perform)).toEqual({ status: 201, body: { run: 2 }, replayed: false });
    clock.advance(24 * 3_600_000);
    expect(await service.purge()).toBe(1);
  });

  it('refuses the same key with another body (IDEMPOTENCY_KEY_REUSED)', async () => {
    await service.run(call('k6'), 201, counted().perform);
    await expect(service.run(call('k6', { n: 2 }), 201, counted().perform)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422 });
  });
});
