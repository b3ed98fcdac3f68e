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
    await expect(verifyEnvelope(compact, { trust, self: 'SC', nowMs: clock.nowMs(), maxSkewSeconds: 0 })).resolves.toBeDefined();
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
