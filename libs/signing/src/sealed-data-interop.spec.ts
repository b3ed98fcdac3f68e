import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactEncrypt, compactDecrypt, importJWK, type CryptoKey, type JWK } from 'jose';
import { ManualClock } from '#core';
import { AgencyKeyStore } from './agency-key-store.js';
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

function withHeader(jwe: string, change: (h: Record<string, unknown>) => Record<string, unknown>): string {
  const [head, ...rest] = jwe.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>;
  return [Buffer.from(JSON.stringify(change(header))).toString('base64url'), ...rest].join('.');
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
    agencyPrivate = key;
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

  it('refuses apu equal to apv (as jose does), and apu that is not base64url, with SEALED_DATA_INVALID', async () => {
    const same = await joseSeal({ apu: Buffer.from('x'), apv: Buffer.from('x') }).catch(() => undefined);
    // jose refuses to make it; forge the header instead (the tag then fails too, but the rule comes first).
    const forged = same ?? withHeader(await joseSeal(), (h) => ({ ...h, apu: 'eA', apv: 'eA' }));
    await expect(openSealed(forged, agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
    await expect(openSealed(withHeader(await joseSeal(), (h) => ({ ...h, apu: 7 })), agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });

  it.each([
    ['the all-zero point', Buffer.alloc(32).toString('base64url')],
    ['the point of order 1 (u = 1)', Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]).toString('base64url')],
  ])('refuses an ephemeral key that is %s (a low-order point, RFC 7748 §6.1) with SEALED_DATA_INVALID', async (_name, x) => {
    const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    const forged = withHeader(sealed, (h) => ({ ...h, epk: { x, crv: 'X25519', kty: 'OKP' } }));
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

  it('refuses segments of the wrong size with SEALED_DATA_INVALID', async () => {
    const parts = (await sealFor(sealing.key, personal, { kid: sealing.kid })).split('.');
    const short = (i: number) => parts.map((p, j) => (j === i ? p.slice(0, p.length - 4) : p)).join('.');
    for (const i of [1, 2, 4]) await expect(openSealed(short(i), agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });
});
