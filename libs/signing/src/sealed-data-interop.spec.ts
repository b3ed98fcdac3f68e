import { createCipheriv, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactEncrypt, compactDecrypt, importJWK, type CryptoKey, type JWK } from 'jose';
import { ManualClock } from '#core';
import { AgencyKeyStore } from './agency-key-store.js';
import { aesKeyWrap, concatKdf } from './ecdh-es.js';
import { importSealingKey, openSealed, SEAL_ENC, SEALED_TYP, sealFor, type SealingKey } from './sealed-data.js';
import { SEAL_ALG } from './public-jwk.js';

/**
 * The node:crypto sealing against jose 6 (WebCrypto), which did it before: each opens what the
 * other seals, with and without apu/apv, and the stricter refusals keep SEALED_DATA_INVALID.
 */
/** jose's importJWK answers a CryptoKey for an OKP key; the Uint8Array of its type is for `oct` keys. */
async function importKey(jwk: JWK, alg: string): Promise<CryptoKey> {
  const key = await importJWK(jwk, alg);
  if (key instanceof Uint8Array) throw new TypeError('expected an asymmetric key');
  return key;
}

const NOW_MS = Date.UTC(2026, 10, 22, 17, 30);
const personal = { idNumber: '51010419900307123X', name: '张三', phone: '13800000000', address: '成都市锦江区红星路1号' };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** What `sealByHand` may do differently from our profile; everything else follows it. */
interface ByHand {
  /** Header members besides the profile's (apu, apv, …), as they are spelled in the header. */
  readonly header?: Record<string, unknown>;
  /** The PartyUInfo and PartyVInfo bytes the Concat KDF is fed (RFC 7518 §4.6.2). */
  readonly kdfApu?: Uint8Array;
  readonly kdfApv?: Uint8Array;
  /** An ephemeral public key and the Z that goes with it, instead of a fresh key pair. */
  readonly epk?: { readonly x: string; readonly z: Buffer };
  readonly ivBytes?: number;
}

/**
 * A compact JWE sealed by hand (RFC 7516 §5.1, ECDH-ES+A256KW and A256GCM), consistent in every
 * part: the header is the AAD, the KEK comes from the Z and the party infos given. A refusal of
 * what it makes can only come from the one rule a test bends, not from a broken GCM tag.
 */
function sealByHand(recipientX: string, kid: string, plaintext: object, o: ByHand = {}): string {
  let epk = o.epk;
  if (epk === undefined) {
    const ephemeral = generateKeyPairSync('x25519');
    const recipient = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: recipientX }, format: 'jwk' });
    epk = { x: ephemeral.publicKey.export({ format: 'jwk' }).x ?? '', z: diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient }) };
  }
  const header = { alg: SEAL_ALG, enc: SEAL_ENC, kid, typ: SEALED_TYP, cty: 'json', ...o.header, epk: { x: epk.x, crv: 'X25519', kty: 'OKP' } };
  const head = Buffer.from(JSON.stringify(header)).toString('base64url');
  const cek = randomBytes(32);
  const encryptedKey = aesKeyWrap(concatKdf(epk.z, SEAL_ALG, 256, o.kdfApu, o.kdfApv), cek);
  const iv = randomBytes(o.ivBytes ?? 12);
  const cipher = createCipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(head, 'latin1'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(plaintext)), cipher.final()]);
  return [head, encryptedKey, iv, ciphertext, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** The same bytes, spelled with other bits in the last character's unused low bits. */
function respell(jwe: string, index: number): string {
  const parts = jwe.split('.');
  const s = parts[index];
  parts[index] = `${s.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(s[s.length - 1]) ^ 1]}`;
  expect(Buffer.from(parts[index], 'base64url')).toEqual(Buffer.from(s, 'base64url'));
  return parts.join('.');
}

describe('sealed personal data: interop with jose', () => {
  let root: string;
  let agency: AgencyKeyStore;
  let sealing: SealingKey;
  let josePublic: CryptoKey;
  let agencyPrivate: CryptoKey;
  const header = () => ({ alg: SEAL_ALG, enc: SEAL_ENC, kid: sealing.kid, typ: SEALED_TYP, cty: 'json' });
  const joseSeal = (parameters?: { apu?: Uint8Array; apv?: Uint8Array }) => {
    const jwe = new CompactEncrypt(new TextEncoder().encode(JSON.stringify(personal))).setProtectedHeader(header());
    if (parameters !== undefined) jwe.setKeyManagementParameters(parameters);
    return jwe.encrypt(josePublic);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cytb-seal-interop-'));
    agency = await AgencyKeyStore.open(join(root, 'sc-card'), 'SC.card', new ManualClock(NOW_MS));
    sealing = await importSealingKey(agency.current().publicJwk);
    josePublic = await importKey({ ...agency.current().publicJwk }, SEAL_ALG);
    const key = agency.decryptionKey(agency.current().kid);
    if (key === undefined) throw new Error('the agency key did not load');
    agencyPrivate = key as CryptoKey; // an intl store: X25519 CryptoKeys
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('jose opens what we seal, and sees the pinned header with the ephemeral key last', async () => {
    const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    const { plaintext, protectedHeader } = await compactDecrypt(sealed, agencyPrivate, {
      keyManagementAlgorithms: [SEAL_ALG],
      contentEncryptionAlgorithms: [SEAL_ENC],
    });
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual(personal);
    expect(Object.keys(protectedHeader)).toEqual(['alg', 'enc', 'kid', 'typ', 'cty', 'epk']);
    expect(Object.keys(protectedHeader.epk ?? {})).toEqual(['x', 'crv', 'kty']);
  });

  it('opens what jose seals, with and without apu/apv (RFC 7518 §4.6.1.2-3)', async () => {
    await expect(openSealed(await joseSeal(), agency)).resolves.toEqual(personal);
    const withParties = await joseSeal({ apu: Buffer.from('CQ gateway'), apv: Buffer.from('SC.card') });
    expect(JSON.parse(Buffer.from(withParties.split('.')[0], 'base64url').toString('utf8'))).toMatchObject({ apu: expect.any(String), apv: expect.any(String) });
    await expect(openSealed(withParties, agency)).resolves.toEqual(personal);
  });

  it('opens, as jose does, what is sealed by hand, with and without apu/apv (the builder the refusals below bend)', async () => {
    const bare = sealByHand(agency.current().publicJwk.x, sealing.kid, personal);
    const parties = sealByHand(agency.current().publicJwk.x, sealing.kid, personal, {
      header: { apu: 'eA', apv: 'eQ' },
      kdfApu: Buffer.from('x'),
      kdfApv: Buffer.from('y'),
    });
    for (const jwe of [bare, parties]) {
      await expect(openSealed(jwe, agency)).resolves.toEqual(personal);
      const { plaintext } = await compactDecrypt(jwe, agencyPrivate, { keyManagementAlgorithms: [SEAL_ALG], contentEncryptionAlgorithms: [SEAL_ENC] });
      expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual(personal);
    }
  });

  it('refuses apu equal to apv (as jose does) with SEALED_DATA_INVALID, though the rest of the JWE is consistent', async () => {
    const same = sealByHand(agency.current().publicJwk.x, sealing.kid, personal, {
      header: { apu: 'eA', apv: 'eA' },
      kdfApu: Buffer.from('x'),
      kdfApv: Buffer.from('x'),
    });
    await expect(openSealed(same, agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it.each<[string, unknown, Uint8Array]>([
    // Each is sealed with the KDF input a lenient reader would take, so only the rule refuses it.
    ['a number (read as absent)', 7, new Uint8Array(0)],
    ['padded base64 (read as "x")', 'eA==', Buffer.from('x')],
    ['a second spelling of "x" (stray low bits)', 'eB', Buffer.from('x')],
  ])('refuses apu that is %s with SEALED_DATA_INVALID', async (_name, apu, kdfApu) => {
    const jwe = sealByHand(agency.current().publicJwk.x, sealing.kid, personal, { header: { apu }, kdfApu });
    await expect(openSealed(jwe, agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it.each([
    ['the all-zero point (order 2)', Buffer.alloc(32)],
    ['u = 1 (order 4)', Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])],
    ['a point of order 8', Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex')],
  ])('refuses an ephemeral key that is %s (a low-order point, RFC 7748 §6.1) with SEALED_DATA_INVALID', async (_name, x) => {
    // Sealed consistently with the all-zero Z such a point gives: a recipient that let the point
    // through would open it. Only the refusal of the point stands in the way.
    const forged = sealByHand(agency.current().publicJwk.x, sealing.kid, personal, { epk: { x: x.toString('base64url'), z: Buffer.alloc(32) } });
    await expect(openSealed(forged, agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it.each([
    // (The 12-byte IV fills its 16 characters exactly: it has one spelling only.)
    ['the encrypted key', 1],
    ['the ciphertext', 3],
    ['the tag', 4],
  ])('refuses a second spelling of %s (stray low bits), which jose let through, with SEALED_DATA_INVALID', async (_name, index) => {
    const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    await expect(openSealed(respell(sealed, index), agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it.each([8, 16])('refuses a %i-byte IV with SEALED_DATA_INVALID, though AES-GCM would open it (RFC 7518 §5.3: 96 bits)', async (ivBytes) => {
    // (A short tag or a wrapped key of another size node:crypto refuses on its own: the tag length
    // and the AES-256 key size are pinned in the decipher. The IV length is ours alone to check.)
    const jwe = sealByHand(agency.current().publicJwk.x, sealing.kid, personal, { ivBytes });
    await expect(openSealed(jwe, agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });
});
