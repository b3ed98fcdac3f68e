import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { AgencyKeyStore } from './agency-key-store.js';
import { GM_SUITE, INTL_SUITE } from './crypto-suite.js';
import { encryptionJwkProblem, type Sm2EncryptionPublicJwk } from './public-jwk.js';
import { importSealingKey, openSealed, SEALED_TYP, sealFor, type SealingKey } from './sealed-data.js';
import { Sm2PrivateKey } from './sm2-key.js';

const NOW_MS = Date.UTC(2026, 10, 22, 17, 30);
const DAY_MS = 86_400_000;
const personal = { idNumber: '51010419900307123X', name: '张三', phone: '13800000000' };

const headerOf = (jwe: string) => JSON.parse(Buffer.from(jwe.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
function withHeader(jwe: string, change: (h: Record<string, unknown>) => Record<string, unknown>): string {
  const [, ...rest] = jwe.split('.');
  return [Buffer.from(JSON.stringify(change(headerOf(jwe)))).toString('base64url'), ...rest].join('.');
}
function withSegment(jwe: string, index: number, value: string): string {
  return jwe.split('.').map((s, i) => (i === index ? value : s)).join('.');
}
function flip(segment: string): string {
  const i = Math.floor(segment.length / 2);
  return `${segment.slice(0, i)}${segment[i] === 'A' ? 'B' : 'A'}${segment.slice(i + 1)}`;
}

describe('sealed personal data under the gm suite (SM2-ECDH-ES, SM4-CTR-HS3)', () => {
  let root: string;
  let n = 0;
  const clock = new ManualClock(NOW_MS);
  const freshDir = () => join(root, `store-${(n += 1)}`);
  let agency: AgencyKeyStore;
  let sealing: SealingKey;
  const gm = { suite: GM_SUITE };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cytb-seal-gm-'));
    agency = await AgencyKeyStore.open(freshDir(), 'SC.card', clock, { suite: 'gm' });
    sealing = await importSealingKey(agency.current().publicJwk);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('seals for an SM2 key with the pinned gm header, an empty encrypted key, and opens it', async () => {
    expect(sealing.suite).toBe('gm');
    const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    const parts = sealed.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[1]).toBe('');
    expect(Buffer.from(parts[2], 'base64url')).toHaveLength(16);
    expect(Buffer.from(parts[4], 'base64url')).toHaveLength(16);
    expect(headerOf(sealed)).toEqual({
      alg: 'SM2-ECDH-ES', enc: 'SM4-CTR-HS3', kid: sealing.kid, typ: SEALED_TYP, cty: 'json',
      epk: { kty: 'EC', crv: 'SM2', x: expect.any(String), y: expect.any(String) },
    });
    await expect(openSealed(sealed, agency, gm)).resolves.toEqual(personal);
    await expect(openSealed(sealed, agency)).resolves.toEqual(personal);
  });

  it('uses a fresh ephemeral SM2 key each time', async () => {
    const a = await sealFor(sealing.key, personal, { kid: sealing.kid });
    const b = await sealFor(sealing.key, personal, { kid: sealing.kid });
    expect((headerOf(a).epk as { x: string }).x).not.toBe((headerOf(b).epk as { x: string }).x);
  });

  it.each<[string, string, (jwe: string) => string]>([
    ['a MAC that fails (tag altered)', 'does not open', (j) => withSegment(j, 4, flip(j.split('.')[4]))],
    ['a MAC that fails (ciphertext altered)', 'does not open', (j) => withSegment(j, 3, flip(j.split('.')[3]))],
    ['a MAC that fails (IV altered)', 'does not open', (j) => withSegment(j, 2, flip(j.split('.')[2]))],
    ['a header changed within the profile (the header is the AAD)', 'does not open', (j) => withHeader(j, (h) => ({ ...h, cty: 'JSON' }))],
    ['a tag cut to 8 bytes', '16-byte tag', (j) => withSegment(j, 4, Buffer.from(j.split('.')[4], 'base64url').subarray(0, 8).toString('base64url'))],
    ['a 12-byte IV', '16-byte IV', (j) => withSegment(j, 2, randomBytes(12).toString('base64url'))],
    ['an encrypted key where direct agreement has none', 'encrypted key must be empty', (j) => withSegment(j, 1, randomBytes(40).toString('base64url'))],
    ['an ephemeral point off the SM2 curve', 'not a point on the SM2 curve', (j) => withHeader(j, (h) => ({ ...h, epk: { ...(h.epk as object), y: (h.epk as { x: string }).x } }))],
    ['an ephemeral key with a short coordinate', '32-byte', (j) => withHeader(j, (h) => ({ ...h, epk: { ...(h.epk as object), x: 'AAAA' } }))],
    ['an X25519 ephemeral key', 'epk must be a public SM2 key', (j) => withHeader(j, (h) => ({ ...h, epk: { kty: 'OKP', crv: 'X25519', x: (h.epk as { x: string }).x } }))],
    ['the intl enc with the gm alg', 'enc must be SM4-CTR-HS3', (j) => withHeader(j, (h) => ({ ...h, enc: 'A256GCM' }))],
    ['an enc of another mode', 'enc must be SM4-CTR-HS3', (j) => withHeader(j, (h) => ({ ...h, enc: 'SM4-CBC-HS3' }))],
    ['apu/apv, which the gm profile does not carry', 'no apu or apv', (j) => withHeader(j, (h) => ({ ...h, apu: 'YQ', apv: 'Yg' }))],
    ['an unknown alg', 'alg must be SM2-ECDH-ES', (j) => withHeader(j, (h) => ({ ...h, alg: 'SM2-ENC' }))],
  ])('refuses %s with SEALED_DATA_INVALID (detail: %s)', async (_name, detail, alter) => {
    const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    await expect(openSealed(alter(sealed), agency, gm)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID', detail: expect.stringContaining(detail) });
  });

  it('refuses an intl JWE where the store is gm, and a gm JWE where the store is intl (SEALED_DATA_INVALID)', async () => {
    const intl = await AgencyKeyStore.open(freshDir(), 'SC.card', clock);
    const intlSealing = await importSealingKey(intl.current().publicJwk);
    const intlSealed = await sealFor(intlSealing.key, personal, { kid: intlSealing.kid });
    await expect(openSealed(intlSealed, agency, gm)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID', detail: expect.stringContaining('SM2-ECDH-ES') });
    const gmSealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    await expect(openSealed(gmSealed, intl, { suite: INTL_SUITE })).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
    // Without a suite named, a kid of the wrong kind of key is refused too: one key, one algorithm.
    await expect(openSealed(withHeader(intlSealed, (h) => ({ ...h, kid: sealing.kid })), agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it('refuses data sealed for another SM2 key under this agency’s kid (SEALED_DATA_INVALID)', async () => {
    const other = await importSealingKey({ ...(agency.current().publicJwk as Sm2EncryptionPublicJwk), ...Sm2PrivateKey.generate().publicKey.jwk() });
    const sealed = await sealFor(other.key, personal, { kid: sealing.kid });
    await expect(openSealed(sealed, agency, gm)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it('refuses to import an SM2 sealing key off the curve, with a private part, or for another alg (CONFIG_INVALID)', async () => {
    const jwk = agency.current().publicJwk as Sm2EncryptionPublicJwk;
    await expect(importSealingKey({ ...jwk, y: jwk.x })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(importSealingKey({ ...jwk, d: jwk.x } as Sm2EncryptionPublicJwk)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(importSealingKey({ ...jwk, alg: 'ECDH-ES+A256KW' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(encryptionJwkProblem({ ...jwk, y: undefined }, jwk.kid)).toBe('x and y must be 32-byte base64url values');
    expect(encryptionJwkProblem(jwk, jwk.kid)).toBeUndefined();
  });

  describe('the agency key store under gm', () => {
    it('creates an SM2 key on first open, 0600 in a 0700 directory, published as { kty: EC, crv: SM2, x, y }, and reuses it', async () => {
      const dir = freshDir();
      const store = await AgencyKeyStore.open(dir, 'CQ.pension', clock, { suite: 'gm' });
      expect(store.suite).toBe(GM_SUITE);
      const [jwk] = store.publicJwks().keys;
      expect(Object.keys(jwk)).toEqual(['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use']);
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'SM2', alg: 'SM2-ECDH-ES', use: 'enc', kid: expect.stringMatching(/^CQ\.pension-sm2-enc-20261123-[0-9a-f]{6}$/) });
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      const files = await readdir(dir);
      expect(files).toEqual([`${jwk.kid}.private.jwk.json`]);
      expect((await stat(join(dir, files[0]))).mode & 0o777).toBe(0o600);
      const again = await AgencyKeyStore.open(dir, 'CQ.pension', clock, { suite: 'gm' });
      expect(again.publicJwks()).toEqual(store.publicJwks());
    });

    it('keeps intl and gm keys of one agency side by side in one directory, each store reading its own', async () => {
      const dir = freshDir();
      const gmStore = await AgencyKeyStore.open(dir, 'SC.card', clock, { suite: 'gm' });
      const intlStore = await AgencyKeyStore.open(dir, 'SC.card', clock);
      expect(gmStore.publicJwks().keys.map((k) => k.crv)).toEqual(['SM2']);
      expect(intlStore.publicJwks().keys.map((k) => k.crv)).toEqual(['X25519']);
    });

    it('refuses a key file whose point does not belong to its scalar (CONFIG_INVALID)', async () => {
      const dir = freshDir();
      const store = await AgencyKeyStore.open(dir, 'SC.card', clock, { suite: 'gm' });
      const file = join(dir, `${store.current().kid}.private.jwk.json`);
      const content = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      await writeFile(file, JSON.stringify({ ...content, ...Sm2PrivateKey.generate().publicKey.jwk() }), { mode: 0o600 });
      await expect(AgencyKeyStore.open(dir, 'SC.card', clock, { suite: 'gm' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });

    it('refuses a suite that is not intl or gm (CONFIG_INVALID)', async () => {
      await expect(AgencyKeyStore.open(freshDir(), 'SC.card', clock, { suite: 'GM' as 'gm' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });

    it('rotates to a new SM2 key; data sealed for the old one still opens, and the old key goes after retention once unlisted', async () => {
      const dir = freshDir();
      const store = await AgencyKeyStore.open(dir, 'SC.card', clock, { suite: 'gm', retentionSeconds: 86_400 });
      const old = store.current();
      const oldSealing = await importSealingKey(old.publicJwk);
      const sealed = await sealFor(oldSealing.key, personal, { kid: old.kid });
      clock.advance(DAY_MS);
      const next = await store.rotate();
      expect(next.kid).not.toBe(old.kid);
      expect(store.publicJwks().keys.map((k) => k.kid)).toEqual([next.kid, old.kid]);
      await expect(openSealed(sealed, store, gm)).resolves.toEqual(personal);
      clock.advance(2 * DAY_MS);
      await expect(store.pruneRetired({ published: [next.kid] })).resolves.toEqual([old.kid]);
      await expect(openSealed(sealed, store, gm)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
    });
  });
});
