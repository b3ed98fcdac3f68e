import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { signEnvelope, verifyEnvelope } from './envelope.js';
import { FileKeyStore } from './file-key-store.js';
import { TrustStore } from './trust-store.js';

const NOW_MS = Date.UTC(2026, 10, 22, 2, 0);
const DAY_MS = 86_400_000;

describe('FileKeyStore.rotate (operator steps)', () => {
  let root: string;
  let n = 0;
  const freshDir = () => join(root, `store-${(n += 1)}`);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cytb-rotate-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const trustOf = (store: FileKeyStore) => TrustStore.create(store.publicJwks().keys.map((publicJwk) => ({ kid: publicJwk.kid, node: 'SC' as const, publicJwk })));
  const envelope = (store: FileKeyStore, clock: ManualClock) => {
    const iat = Math.floor(clock.nowMs() / 1000);
    return signEnvelope(store.current(), { jti: `m-${iat}`, iss: 'SC', aud: 'CQ', iat, exp: iat + 7 * 86_400, case: 'SC-1', mtype: 't', ver: 1, body: null });
  };

  it('prepares, refuses to switch before the next key is published long enough, then switches and keeps the old key until its envelopes expired', async () => {
    const clock = new ManualClock(NOW_MS);
    const store = await FileKeyStore.open(freshDir(), 'SC', clock, { retentionSeconds: 8 * 86_400 });
    const old = store.current().kid;
    const signedByOld = await envelope(store, clock);

    // 1. The next key is made and published, not used.
    const prepared = await store.rotate();
    expect(prepared).toMatchObject({ action: 'prepared' });
    expect(store.current().kid).toBe(old);
    expect(store.publicJwks().keys.map((k) => k.kid)).toContain(prepared.kid);

    // 2. Too early: peers may not have it yet.
    clock.advance(DAY_MS / 2);
    await expect(store.rotate()).rejects.toMatchObject({ code: 'KEY_ROTATION_REFUSED' });
    expect(store.current().kid).toBe(old);

    // 3. Published a day: the switch happens; the old key stays published for verification.
    clock.advance(DAY_MS / 2);
    const trustAtPeer = await trustOf(store); // what a peer loaded after the publication
    const activated = await store.rotate();
    expect(activated).toMatchObject({ action: 'activated', kid: prepared.kid, retiring: old, retireAfter: '2026-12-01T10:00:00.000+08:00' });
    expect(store.current().kid).toBe(prepared.kid);
    expect(store.keyStatus().find((k) => k.kid === old)?.state).toBe('retiring');
    await expect(verifyEnvelope(await envelope(store, clock), { trust: trustAtPeer, self: 'CQ', nowMs: clock.nowMs(), maxSkewSeconds: 0, maxLifetimeSeconds: 7 * 86_400 })).resolves.toBeDefined();
    await expect(verifyEnvelope(signedByOld, { trust: await trustOf(store), self: 'CQ', nowMs: clock.nowMs(), maxSkewSeconds: 0, maxLifetimeSeconds: 7 * 86_400 })).resolves.toBeDefined();

    // 4. The old key goes only after retention (every envelope it signed has expired by then).
    clock.advance(7 * DAY_MS);
    await expect(store.pruneRetired()).resolves.toEqual([]);
    clock.advance(DAY_MS + 1);
    await expect(store.pruneRetired()).resolves.toEqual([old]);
  });

  it('refuses to switch to a next key the federation does not list (KEY_ROTATION_REFUSED)', async () => {
    const clock = new ManualClock(NOW_MS);
    const store = await FileKeyStore.open(freshDir(), 'SC', clock);
    const prepared = await store.rotate({ minPublishedSeconds: 0 });
    await expect(store.rotate({ publishedKids: [store.current().kid], minPublishedSeconds: 0 })).rejects.toMatchObject({ code: 'KEY_ROTATION_REFUSED' });
    await expect(store.rotate({ publishedKids: [store.current().kid, prepared.kid], minPublishedSeconds: 0 })).resolves.toMatchObject({
      action: 'activated',
      kid: prepared.kid,
    });
  });

  it('makes one next key when called twice in a row', async () => {
    const clock = new ManualClock(NOW_MS);
    const store = await FileKeyStore.open(freshDir(), 'SC', clock);
    const first = await store.rotate();
    await expect(store.rotate()).rejects.toMatchObject({ code: 'KEY_ROTATION_REFUSED' });
    expect(store.all()).toHaveLength(2);
    expect(first.action).toBe('prepared');
  });

  it('refuses a negative minPublishedSeconds (CONFIG_INVALID)', async () => {
    const store = await FileKeyStore.open(freshDir(), 'SC', new ManualClock(NOW_MS));
    await expect(store.rotate({ minPublishedSeconds: -1 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
