import { createHmac, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CompactEncrypt, importJWK, type CryptoKey } from 'jose';
import { ManualClock } from '#core';
import { AgencyKeyStore } from './agency-key-store.js';
import { GM_SUITE, INTL_SUITE } from './crypto-suite.js';
import { concatKdf } from './ecdh-es.js';
import { personalDataHash, openPersonalDataSecret } from './personal-data-hash.js';
import { SEAL_ALG } from './public-jwk.js';
import { importSealingKey, openSealed, SEAL_ENC, sealFor, SEALED_TYP, type SealingKey } from './sealed-data.js';

const NOW_MS = Date.UTC(2026, 10, 22, 17, 30);
const DAY_MS = 86_400_000;
const personal = { idNumber: '51010419900307123X', name: '张三', phone: '13800000000', address: '成都市锦江区红星路1号' };

/** Re-encodes the protected header of a compact JWE (which invalidates its GCM tag as AAD). */
function withHeader(jwe: string, change: (h: Record<string, unknown>) => Record<string, unknown>): string {
  const [head, ...rest] = jwe.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>;
  return [Buffer.from(JSON.stringify(change(header))).toString('base64url'), ...rest].join('.');
}

/** The contents of every Buffer zeroed with `fill(0)` while `run` runs, as they were just before. */
async function zeroedDuring(run: () => Promise<unknown>): Promise<Buffer[]> {
  const zeroed: Buffer[] = [];
  const fill = Buffer.prototype.fill;
  Buffer.prototype.fill = function (this: Buffer, ...args: unknown[]): Buffer {
    if (args[0] === 0) zeroed.push(Buffer.from(this));
    return Reflect.apply<Buffer, unknown[], Buffer>(fill, this, args);
  } as Buffer['fill'];
  try {
    await run();
  } finally {
    Buffer.prototype.fill = fill;
  }
  return zeroed;
}

function flipSegment(jwe: string, index: number): string {
  const parts = jwe.split('.');
  const s = parts[index];
  const i = Math.floor(s.length / 2);
  parts[index] = `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
  return parts.join('.');
}

describe('sealed personal data (JWE)', () => {
  let root: string;
  let n = 0;
  const clock = new ManualClock(NOW_MS);
  const freshDir = () => join(root, `store-${(n += 1)}`);
  let agency: AgencyKeyStore;
  let other: AgencyKeyStore;
  let sealing: SealingKey;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cytb-seal-'));
    agency = await AgencyKeyStore.open(freshDir(), 'SC.card', clock);
    other = await AgencyKeyStore.open(freshDir(), 'CQ.card', clock);
    sealing = await importSealingKey(agency.current().publicJwk);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('opens what was sealed for the agency, and the JWE header is exactly the pinned profile', async () => {
    const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    expect(sealed.split('.')).toHaveLength(5);
    expect(sealed).not.toContain(personal.idNumber);
    const header = JSON.parse(Buffer.from(sealed.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toEqual({
      alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: sealing.kid, typ: SEALED_TYP, cty: 'json',
      epk: { kty: 'OKP', crv: 'X25519', x: expect.any(String) },
    });
    await expect(openSealed(sealed, agency)).resolves.toEqual(personal);
  });

  it('uses a fresh ephemeral key each time: the same data sealed twice differs', async () => {
    const a = await sealFor(sealing.key, personal, { kid: sealing.kid });
    const b = await sealFor(sealing.key, personal, { kid: sealing.kid });
    expect(a).not.toBe(b);
  });

  it.each<[string, (jwe: string) => string]>([
    ['another key management algorithm (alg)', (j) => withHeader(j, (h) => ({ ...h, alg: 'ECDH-ES' }))],
    ['RSA1_5', (j) => withHeader(j, (h) => ({ ...h, alg: 'RSA1_5' }))],
    ['another content encryption (enc)', (j) => withHeader(j, (h) => ({ ...h, enc: 'A128CBC-HS256' }))],
    ['a wrong typ', (j) => withHeader(j, (h) => ({ ...h, typ: 'JWT' }))],
    ['compression (zip)', (j) => withHeader(j, (h) => ({ ...h, zip: 'DEF' }))],
    ['a crit header', (j) => withHeader(j, (h) => ({ ...h, crit: ['x'], x: 1 }))],
    ['an epk on another curve', (j) => withHeader(j, (h) => ({ ...h, epk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } }))],
    ['an unknown kid', (j) => withHeader(j, (h) => ({ ...h, kid: 'SC.card-enc-20260101-000000' }))],
    ['a changed kid header that names no key', (j) => withHeader(j, (h) => ({ ...h, kid: 'x' }))],
    ['a tampered ciphertext', (j) => flipSegment(j, 3)],
    ['a tampered tag', (j) => flipSegment(j, 4)],
    ['a tampered encrypted key', (j) => flipSegment(j, 1)],
    ['a JWS instead of a JWE', (j) => j.split('.').slice(0, 3).join('.')],
    ['an empty string', () => ''],
    ['a huge string', () => 'A'.repeat(70_000)],
  ])('refuses %s with SEALED_DATA_INVALID', async (_name, change) => {
    const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    await expect(openSealed(change(sealed), agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it('refuses a header changed in a way that keeps the profile (the header is authenticated) with SEALED_DATA_INVALID', async () => {
    const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    await expect(openSealed(withHeader(sealed, (h) => ({ ...h, note: 'x' })), agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it('refuses data sealed for another agency’s key with SEALED_DATA_INVALID', async () => {
    const forOther = await importSealingKey(other.current().publicJwk);
    const sealed = await sealFor(forOther.key, personal, { kid: forOther.kid });
    await expect(openSealed(sealed, agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it('refuses data sealed for a wrong key under this agency’s kid with SEALED_DATA_INVALID', async () => {
    const forOther = await importSealingKey(other.current().publicJwk);
    const sealed = await sealFor(forOther.key, personal, { kid: sealing.kid });
    await expect(openSealed(sealed, agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it('refuses to seal anything but a JSON object, or for a key that is not X25519 (INTERNAL)', async () => {
    await expect(sealFor(sealing.key, [1, 2], { kid: sealing.kid })).rejects.toMatchObject({ code: 'INTERNAL' });
    const priv = agency.decryptionKey(agency.current().kid);
    await expect(sealFor(priv as never, personal, { kid: sealing.kid })).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('refuses to import a sealing key that is Ed25519, private, or for another algorithm (CONFIG_INVALID)', async () => {
    const jwk = agency.current().publicJwk;
    for (const bad of [{ ...jwk, crv: 'Ed25519' }, { ...jwk, d: jwk.x }, { ...jwk, alg: 'ECDH-ES' }, { ...jwk, use: 'sig' }, { ...jwk, kid: undefined }]) {
      await expect(importSealingKey(bad as never)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    }
  });

  it.each([
    ['the all-zero point (order 2)', Buffer.alloc(32)],
    ['u = 1 (order 4)', Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])],
    ['a point of order 8', Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex')],
  ])('refuses to import a sealing key that is %s, a low-order point (RFC 7748 §6.1), with CONFIG_INVALID naming the kid', async (_name, x) => {
    const jwk = { ...agency.current().publicJwk, x: x.toString('base64url') };
    const refused = await importSealingKey(jwk).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: 'CONFIG_INVALID', detail: expect.stringContaining(`${jwk.kid} is a low-order X25519 point`) });
    expect((refused as { detail: string }).detail).not.toContain(jwk.x);
  });

  it('zeroes Z, the key-encryption key and the content key also when the tag does not verify', async () => {
    // Sealed with jose, with an ephemeral key and content key the test knows, then the tag altered.
    const ephemeral = generateKeyPairSync('x25519');
    const cek = randomBytes(32);
    const jwe = await new CompactEncrypt(Buffer.from(JSON.stringify(personal)))
      .setProtectedHeader({ alg: SEAL_ALG, enc: SEAL_ENC, kid: sealing.kid, typ: SEALED_TYP, cty: 'json' })
      .setKeyManagementParameters({ epk: (await importJWK(ephemeral.privateKey.export({ format: 'jwk' }), SEAL_ALG, { extractable: true })) as CryptoKey })
      .setContentEncryptionKey(cek)
      .encrypt(sealing.key as CryptoKey);
    const parts = jwe.split('.');
    const tag = Buffer.from(parts[4], 'base64url');
    tag[0] ^= 1;
    parts[4] = tag.toString('base64url');
    const z = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: createPublicKey({ key: { ...agency.current().publicJwk }, format: 'jwk' }) });
    const kek = concatKdf(z, SEAL_ALG, 256);

    const zeroed = await zeroedDuring(() => expect(openSealed(parts.join('.'), agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' }));
    for (const secret of [z, kek, cek]) expect(zeroed.some((b) => b.equals(secret))).toBe(true);
  });

  it('refuses content that is not JSON without quoting it anywhere in the error (no cause that could reach a log)', async () => {
    const jwe = await new CompactEncrypt(Buffer.from(`idNumber=${personal.idNumber}`))
      .setProtectedHeader({ alg: SEAL_ALG, enc: SEAL_ENC, kid: sealing.kid, typ: SEALED_TYP, cty: 'json' })
      .encrypt(sealing.key as CryptoKey);
    const refused = await openSealed(jwe, agency).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: 'SEALED_DATA_INVALID', detail: 'the opened content is not UTF-8 JSON' });
    expect((refused as Error).cause).toBeUndefined();
    expect(inspect(refused, { depth: 5 })).not.toContain(personal.idNumber);
  });

  describe('AgencyKeyStore', () => {
    it('creates an X25519 key on first open, 0600 in a 0700 directory, and reuses it when reopened', async () => {
      const dir = freshDir();
      const store = await AgencyKeyStore.open(dir, 'CQ.card', clock);
      expect(store.current().kid).toMatch(/^CQ\.card-enc-20261123-[0-9a-f]{6}$/);
      expect(store.publicJwks().keys).toEqual([
        { kty: 'OKP', crv: 'X25519', x: expect.any(String), kid: store.current().kid, alg: 'ECDH-ES+A256KW', use: 'enc' },
      ]);
      const [file] = await readdir(dir);
      expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect(JSON.stringify(store.publicJwks())).not.toContain((JSON.parse(await readFile(join(dir, file), 'utf8')) as { d: string }).d);
      const again = await AgencyKeyStore.open(dir, 'CQ.card', clock);
      expect(again.publicJwks()).toEqual(store.publicJwks());
      expect(again.decryptionKey(store.current().kid)).toMatchObject({ type: 'private', extractable: false });
    });

    it('refuses a key file that others can read (CONFIG_INVALID)', async () => {
      const dir = freshDir();
      const store = await AgencyKeyStore.open(dir, 'SC.card', clock);
      await chmod(join(dir, `${store.current().kid}.private.jwk.json`), 0o644);
      await expect(AgencyKeyStore.open(dir, 'SC.card', clock)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });

    it('refuses a key file whose public half does not belong to its private half (CONFIG_INVALID)', async () => {
      const dir = freshDir();
      const store = await AgencyKeyStore.open(dir, 'SC.card', clock);
      const file = join(dir, `${store.current().kid}.private.jwk.json`);
      const content = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      await writeFile(file, JSON.stringify({ ...content, x: other.current().publicJwk.x }), { mode: 0o600 });
      await expect(AgencyKeyStore.open(dir, 'SC.card', clock)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });

    it('refuses an agency code that is not <node>.<function> (CONFIG_INVALID)', async () => {
      await expect(AgencyKeyStore.open(freshDir(), 'BJ.card', clock)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      await expect(AgencyKeyStore.open(freshDir(), '../SC.card', clock)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });

    it('rotates: the new key is published first, data sealed for the old key still opens, and the old key goes only after retention once unlisted', async () => {
      const c = new ManualClock(NOW_MS);
      const store = await AgencyKeyStore.open(freshDir(), 'SC.card', c, { retentionSeconds: 10 * 86_400 });
      const old = store.current();
      const oldSealing = await importSealingKey(old.publicJwk);
      const sealedOld = await sealFor(oldSealing.key, personal, { kid: old.kid });

      c.advance(DAY_MS);
      const next = await store.rotate();
      expect(next.kid).not.toBe(old.kid);
      expect(store.publicJwks().keys.map((k) => k.kid)).toEqual([next.kid, old.kid]);
      await expect(openSealed(sealedOld, store)).resolves.toEqual(personal);

      // The federation does not list the new key yet: pruning is refused.
      await expect(store.pruneRetired({ published: [old.kid] })).rejects.toMatchObject({ code: 'KEY_ROTATION_REFUSED' });
      // Listed, but the retention has not passed: nothing goes.
      c.advance(9 * DAY_MS);
      await expect(store.pruneRetired({ published: [next.kid] })).resolves.toEqual([]);
      // Still listed by the federation: kept even after retention.
      c.advance(2 * DAY_MS);
      await expect(store.pruneRetired({ published: [next.kid, old.kid] })).resolves.toEqual([]);
      await expect(store.pruneRetired({ published: [next.kid] })).resolves.toEqual([old.kid]);
      await expect(openSealed(sealedOld, store)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
      expect(store.publicJwks().keys.map((k) => k.kid)).toEqual([next.kid]);
    });
  });

  describe('personalDataHash', () => {
    const secret = new Uint8Array(32).fill(7);

    it('is an HMAC-SHA-256 in hex under intl, keyed: another secret gives another hash', () => {
      const h = personalDataHash(personal.idNumber, secret, INTL_SUITE);
      expect(h).toMatch(/^[0-9a-f]{64}$/);
      expect(personalDataHash(personal.idNumber, new Uint8Array(32).fill(8), INTL_SUITE)).not.toBe(h);
      expect(h).toBe(createHmac('sha256', secret).update(personal.idNumber).digest('hex'));
    });

    it('is an HMAC-SM3 in hex under gm (GB/T 32905 with RFC 2104)', () => {
      const h = personalDataHash(personal.idNumber, secret, GM_SUITE);
      expect(h).toBe(createHmac('sm3', secret).update(personal.idNumber).digest('hex'));
      expect(h).not.toBe(personalDataHash(personal.idNumber, secret, INTL_SUITE));
    });

    it('matches the same ID with a lower-case check character or surrounding spaces', () => {
      for (const suite of [INTL_SUITE, GM_SUITE]) {
        expect(personalDataHash(' 51010419900307123x ', secret, suite)).toBe(personalDataHash(personal.idNumber, secret, suite));
      }
    });

    it('refuses a secret shorter than 16 bytes (CONFIG_INVALID)', () => {
      expect(() => personalDataHash(personal.idNumber, new Uint8Array(8), GM_SUITE)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    });

    it('creates the node secret once (0600), reuses it, and refuses it when others can read it', async () => {
      const dir = freshDir();
      const first = await openPersonalDataSecret(dir, INTL_SUITE);
      expect(first.byteLength).toBe(32);
      await expect(openPersonalDataSecret(dir, INTL_SUITE)).resolves.toEqual(first);
      const file = join(dir, 'personal-data-hash.secret.json');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      await chmod(file, 0o640);
      await expect(openPersonalDataSecret(dir, INTL_SUITE)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });

    it('records the HMAC its index was built with, and refuses to start under the other suite (CONFIG_INVALID): the stored hashes would stop matching', async () => {
      const dir = freshDir();
      await openPersonalDataSecret(dir, GM_SUITE);
      const file = join(dir, 'personal-data-hash.secret.json');
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ alg: 'HMAC-SM3' });
      await expect(openPersonalDataSecret(dir, GM_SUITE)).resolves.toHaveLength(32);
      await expect(openPersonalDataSecret(dir, INTL_SUITE)).rejects.toMatchObject({ code: 'CONFIG_INVALID', detail: expect.stringContaining('HMAC-SM3') });
      const intlDir = freshDir();
      await openPersonalDataSecret(intlDir, INTL_SUITE);
      await expect(openPersonalDataSecret(intlDir, GM_SUITE)).rejects.toMatchObject({ code: 'CONFIG_INVALID', detail: expect.stringContaining('HS256') });
    });
  });
});
