import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { signEnvelope, verifyEnvelope } from './envelope.js';
import { FileKeyStore } from './file-key-store.js';
import { TrustStore } from './trust-store.js';

// 2026-11-22T17:30Z is already 23 November in Asia/Shanghai: the kid carries the Shanghai date.
const NOW_MS = Date.UTC(2026, 10, 22, 17, 30);

describe('FileKeyStore', () => {
  let root: string;
  let n = 0;
  const clock = new ManualClock(NOW_MS);
  const freshDir = () => join(root, `store-${(n += 1)}`);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cytb-keys-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates the first key on first open, readable by the owner only', async () => {
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'SC', clock);
    const key = store.current();
    expect(key.kid).toMatch(/^SC-20261123-[0-9a-f]{6}$/);
    expect(key).toMatchObject({ node: 'SC', alg: 'EdDSA', createdAt: '2026-11-23T01:30:00.000+08:00' });
    expect(store.all()).toEqual([key]);

    const file = join(dir, `${key.kid}.private.jwk.json`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await readFile(join(dir, 'SC.active'), 'utf8')).trim()).toBe(key.kid);
    // No temporary files are left behind.
    expect((await readdir(dir)).sort()).toEqual([`${key.kid}.private.jwk.json`, 'SC.active'].sort());
  });

  it('reuses the same key when reopened, and what it signed still verifies', async () => {
    const dir = freshDir();
    const first = await FileKeyStore.open(dir, 'CQ', clock);
    const trust = await TrustStore.create(first.publicJwks().keys.map((publicJwk) => ({ kid: publicJwk.kid, node: 'CQ' as const, publicJwk })));
    clock.advance(86_400_000);
    const again = await FileKeyStore.open(dir, 'CQ', clock);
    expect(again.current().kid).toBe(first.current().kid);
    expect(again.current().publicJwk).toEqual(first.current().publicJwk);
    expect(again.all()).toHaveLength(1);

    const iat = Math.floor(clock.nowMs() / 1000);
    const compact = await signEnvelope(again.current(), {
      jti: 'm-1', iss: 'CQ', aud: 'SC', iat, exp: iat + 60, case: 'CQ-1', mtype: 't', ver: 1, body: null,
    });
    await expect(verifyEnvelope(compact, { trust, self: 'SC', nowMs: clock.nowMs(), maxSkewSeconds: 0, maxLifetimeSeconds: 7 * 86_400 })).resolves.toBeDefined();
  });

  it('publishes public keys only: no private part reaches the JWKS', async () => {
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'SC', clock);
    const jwks = store.publicJwks();
    expect(jwks.keys).toHaveLength(1);
    expect(Object.keys(jwks.keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(jwks.keys[0]).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: store.current().kid, alg: 'EdDSA', use: 'sig' });

    const d = (JSON.parse(await readFile(join(dir, `${store.current().kid}.private.jwk.json`), 'utf8')) as { d: string }).d;
    expect(d).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const published = JSON.stringify(jwks);
    expect(published).not.toContain(d);
    expect(published).not.toContain('"d"');
  });

  it('holds the private key as a non-extractable CryptoKey', async () => {
    const store = await FileKeyStore.open(freshDir(), 'SC', clock);
    expect(store.current().privateKey).toMatchObject({ type: 'private', extractable: false });
  });

  it('refuses a key file that others can read', async () => {
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'SC', clock);
    await chmod(join(dir, `${store.current().kid}.private.jwk.json`), 0o644);
    await expect(FileKeyStore.open(dir, 'SC', clock)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a key file whose public half does not match its private half', async () => {
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'SC', clock);
    const other = await FileKeyStore.open(freshDir(), 'SC', clock);
    const file = join(dir, `${store.current().kid}.private.jwk.json`);
    const content = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...content, x: other.current().publicJwk.x }), { mode: 0o600 });
    await expect(FileKeyStore.open(dir, 'SC', clock)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a marker that names a key without a file, rather than making a new key', async () => {
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'SC', clock);
    await rm(join(dir, `${store.current().kid}.private.jwk.json`));
    await expect(FileKeyStore.open(dir, 'SC', clock)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('keeps the keys of both nodes apart in one directory', async () => {
    const dir = freshDir();
    const sc = await FileKeyStore.open(dir, 'SC', clock);
    const cq = await FileKeyStore.open(dir, 'CQ', clock);
    expect(cq.current().kid).not.toBe(sc.current().kid);
    expect((await FileKeyStore.open(dir, 'SC', clock)).all().map((k) => k.kid)).toEqual([sc.current().kid]);
    expect((await FileKeyStore.open(dir, 'CQ', clock)).all().map((k) => k.kid)).toEqual([cq.current().kid]);
  });

  it('agrees on one key when two processes open an empty store at once', async () => {
    const dir = freshDir();
    const [a, b] = await Promise.all([FileKeyStore.open(dir, 'SC', clock), FileKeyStore.open(dir, 'SC', clock)]);
    expect(a.current().kid).toBe(b.current().kid);
    const reopened = await FileKeyStore.open(dir, 'SC', clock);
    expect(reopened.current().kid).toBe(a.current().kid);
    expect(reopened.all()).toHaveLength(1);
  });
});

describe('FileKeyStore rotation', () => {
  let root: string;
  let n = 0;
  const DAY = 86_400_000;
  const RETENTION = 8 * 86_400;
  const freshDir = () => join(root, `rotation-${(n += 1)}`);
  const trustOf = (store: FileKeyStore) =>
    TrustStore.create(store.publicJwks().keys.map((publicJwk) => ({ kid: publicJwk.kid, node: store.node, publicJwk })));
  const envelopeAt = async (store: FileKeyStore, clock: ManualClock) => {
    const iat = Math.floor(clock.nowMs() / 1000);
    return signEnvelope(store.current(), { jti: `m-${iat}`, iss: store.node, aud: 'SC', iat, exp: iat + 7 * 86_400, case: 'C-1', mtype: 't', ver: 1, body: null });
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cytb-rotation-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('publishes the next key before it signs, and marks the states', async () => {
    const clock = new ManualClock(NOW_MS);
    const store = await FileKeyStore.open(freshDir(), 'CQ', clock);
    const first = store.current();
    clock.advance(DAY);
    const next = await store.prepareNext();

    expect(next.kid).not.toBe(first.kid);
    expect(store.current().kid).toBe(first.kid);
    expect(store.publicJwks().keys.map((k) => k.kid)).toEqual([first.kid, next.kid]);
    expect(store.keyStatus().map(({ kid, state }) => ({ kid, state }))).toEqual([
      { kid: first.kid, state: 'active' },
      { kid: next.kid, state: 'next' },
    ]);
    // Still signing with the first key: a peer that knows only that key verifies it.
    const trustFirst = await TrustStore.create([{ kid: first.kid, node: 'CQ', publicJwk: first.publicJwk }]);
    await expect(verifyEnvelope(await envelopeAt(store, clock), { trust: trustFirst, self: 'SC', nowMs: clock.nowMs(), maxSkewSeconds: 0, maxLifetimeSeconds: 7 * 86_400 })).resolves.toBeDefined();
  });

  it('makes one next key when asked twice, even at once', async () => {
    const store = await FileKeyStore.open(freshDir(), 'SC', new ManualClock(NOW_MS));
    const [a, b] = await Promise.all([store.prepareNext(), store.prepareNext()]);
    expect(a.kid).toBe(b.kid);
    expect((await store.prepareNext()).kid).toBe(a.kid);
    expect(store.all()).toHaveLength(2);
  });

  it('refuses to activate when no next key was prepared (KEY_ROTATION_REFUSED)', async () => {
    const store = await FileKeyStore.open(freshDir(), 'SC', new ManualClock(NOW_MS));
    await expect(store.activateNext()).rejects.toMatchObject({ code: 'KEY_ROTATION_REFUSED' });
    expect(store.all()).toHaveLength(1);
  });

  it('activates the next key and keeps the old one for verification until retireAfter', async () => {
    const clock = new ManualClock(NOW_MS);
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'CQ', clock, { retentionSeconds: RETENTION });
    const old = store.current();
    const oldEnvelope = await envelopeAt(store, clock);
    const next = await store.prepareNext();
    clock.advance(DAY);

    const active = await store.activateNext();
    expect(active.kid).toBe(next.kid);
    expect(store.current().kid).toBe(next.kid);
    expect(store.keyStatus().find((s) => s.kid === old.kid)).toMatchObject({
      state: 'retiring',
      retireAfter: '2026-12-02T01:30:00.000+08:00', // activation (24 Nov 01:30 +08:00) + 8 days
      warning: false,
    });
    expect((await readFile(join(dir, 'CQ.active'), 'utf8')).trim()).toBe(next.kid);
    expect((await stat(join(dir, 'CQ.keys.json'))).mode & 0o777).toBe(0o600);

    // Both the old envelope and a new one verify against the published keys.
    const trust = await trustOf(store);
    const newEnvelope = await envelopeAt(store, clock);
    for (const compact of [oldEnvelope, newEnvelope]) {
      await expect(verifyEnvelope(compact, { trust, self: 'SC', nowMs: clock.nowMs(), maxSkewSeconds: 0, maxLifetimeSeconds: 7 * 86_400 })).resolves.toBeDefined();
    }
    expect(JSON.parse(Buffer.from(newEnvelope.split('.')[0], 'base64url').toString())).toMatchObject({ kid: next.kid });
  });

  it('keeps every state across a restart', async () => {
    const clock = new ManualClock(NOW_MS);
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'SC', clock);
    clock.advance(DAY);
    await store.prepareNext();
    await store.activateNext();
    clock.advance(DAY);
    await store.prepareNext();

    const reopened = await FileKeyStore.open(dir, 'SC', clock);
    expect(reopened.keyStatus()).toEqual(store.keyStatus());
    expect(reopened.keyStatus().map((s) => s.state)).toEqual(['retiring', 'active', 'next']);
    expect(reopened.current().kid).toBe(store.current().kid);
  });

  it('prunes a retiring key only once its retireAfter has passed', async () => {
    const clock = new ManualClock(NOW_MS);
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'SC', clock, { retentionSeconds: RETENTION });
    const old = store.current();
    await store.prepareNext();
    await store.activateNext();

    clock.advance(RETENTION * 1000);
    expect(await store.pruneRetired()).toEqual([]); // exactly at retireAfter: not yet passed
    clock.advance(1);
    expect(await store.pruneRetired()).toEqual([old.kid]);

    expect(store.all().map((k) => k.kid)).toEqual([store.current().kid]);
    expect(store.publicJwks().keys.map((k) => k.kid)).toEqual([store.current().kid]);
    expect(await readdir(dir)).not.toContain(`${old.kid}.private.jwk.json`);
    const reopened = await FileKeyStore.open(dir, 'SC', clock);
    expect(reopened.keyStatus()).toEqual([expect.objectContaining({ kid: store.current().kid, state: 'active' })]);
    expect(await reopened.pruneRetired()).toEqual([]);
  });

  it('reports age, the rotation deadline and a warning within warnDays of it', async () => {
    const clock = new ManualClock(NOW_MS);
    const store = await FileKeyStore.open(freshDir(), 'SC', clock, { maxAgeDays: 90, warnDays: 10 });
    expect(store.keyStatus()).toEqual([
      {
        kid: store.current().kid,
        suite: 'intl',
        state: 'active',
        createdAt: '2026-11-23T01:30:00.000+08:00',
        ageDays: 0,
        rotateBy: '2027-02-21T01:30:00.000+08:00',
        warning: false,
      },
    ]);
    clock.advance(80 * DAY - 1);
    expect(store.keyStatus()[0]).toMatchObject({ ageDays: 79, warning: false });
    clock.advance(1);
    expect(store.keyStatus()[0]).toMatchObject({ ageDays: 80, warning: true });
    clock.advance(30 * DAY); // overdue: still warning
    expect(store.keyStatus()[0]).toMatchObject({ ageDays: 110, warning: true });

    // Once replaced, the old key no longer warns; the new one starts afresh.
    await store.prepareNext();
    await store.activateNext();
    expect(store.keyStatus().map(({ state, warning, ageDays }) => ({ state, warning, ageDays }))).toEqual([
      { state: 'retiring', warning: false, ageDays: 110 },
      { state: 'active', warning: false, ageDays: 0 },
    ]);
  });

  it('defaults to a 365-day lifetime with a 30-day warning', async () => {
    const clock = new ManualClock(NOW_MS);
    const store = await FileKeyStore.open(freshDir(), 'CQ', clock);
    expect(store.keyStatus()[0].rotateBy).toBe('2027-11-23T01:30:00.000+08:00');
    clock.advance(335 * DAY - 1);
    expect(store.keyStatus()[0].warning).toBe(false);
    clock.advance(1);
    expect(store.keyStatus()[0].warning).toBe(true);
  });

  it('finishes an activation interrupted between the state file and the marker', async () => {
    const clock = new ManualClock(NOW_MS);
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'SC', clock);
    const old = store.current();
    const next = await store.prepareNext();
    await store.activateNext();
    // As if the process died before moving the marker.
    await writeFile(join(dir, 'SC.active'), `${old.kid}\n`, { mode: 0o600 });

    const reopened = await FileKeyStore.open(dir, 'SC', clock);
    expect(reopened.current().kid).toBe(next.kid);
    expect((await readFile(join(dir, 'SC.active'), 'utf8')).trim()).toBe(next.kid);
  });

  it('ignores a next key whose file was never written (a crash in prepareNext)', async () => {
    const clock = new ManualClock(NOW_MS);
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'SC', clock);
    const active = store.current().kid;
    await writeFile(join(dir, 'SC.keys.json'), JSON.stringify({ version: 1, active, next: 'SC-20261123-000000', retiring: [] }), { mode: 0o600 });

    const reopened = await FileKeyStore.open(dir, 'SC', clock);
    expect(reopened.keyStatus().map((s) => s.state)).toEqual(['active']);
    await expect(reopened.activateNext()).rejects.toMatchObject({ code: 'KEY_ROTATION_REFUSED' });
    expect((await reopened.prepareNext()).kid).not.toBe('SC-20261123-000000');
  });

  it('refuses a state file that names an active key without a file (CONFIG_INVALID)', async () => {
    const dir = freshDir();
    const store = await FileKeyStore.open(dir, 'SC', clock0());
    await writeFile(join(dir, 'SC.keys.json'), JSON.stringify({ version: 1, active: 'SC-20261123-000000', retiring: [] }), { mode: 0o600 });
    await expect(FileKeyStore.open(dir, 'SC', clock0())).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await writeFile(join(dir, 'SC.keys.json'), '{"version":1,', { mode: 0o600 });
    await expect(FileKeyStore.open(dir, 'SC', clock0())).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await writeFile(join(dir, 'SC.keys.json'), JSON.stringify({ version: 1, active: store.current().kid, retiring: [{ kid: 'x' }] }), { mode: 0o600 });
    await expect(FileKeyStore.open(dir, 'SC', clock0())).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('sees another process’s rotation after reload', async () => {
    const clock = new ManualClock(NOW_MS);
    const dir = freshDir();
    const a = await FileKeyStore.open(dir, 'CQ', clock);
    const b = await FileKeyStore.open(dir, 'CQ', clock);
    const next = await a.prepareNext();
    await a.activateNext();
    expect(b.current().kid).not.toBe(next.kid); // still valid meanwhile: the old key is retiring
    await b.reload();
    expect(b.current().kid).toBe(next.kid);
    expect(b.keyStatus()).toEqual(a.keyStatus());
  });

  it.each<[string, Parameters<typeof FileKeyStore.open>[3]]>([
    ['warnDays not below maxAgeDays', { maxAgeDays: 30, warnDays: 30 }],
    ['a fractional maxAgeDays', { maxAgeDays: 1.5 }],
    ['a negative retention', { retentionSeconds: -1 }],
    ['a retention shorter than the envelope TTL', { retentionSeconds: 3600, envelopeTtlSeconds: 7200 }],
  ])('refuses %s (CONFIG_INVALID)', async (_name, options) => {
    await expect(FileKeyStore.open(freshDir(), 'SC', clock0(), options)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  function clock0(): ManualClock {
    return new ManualClock(NOW_MS);
  }
});
