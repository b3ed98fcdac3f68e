import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { AgencyKeyStore } from './agency-key-store.js';
import { GM_SUITE } from './crypto-suite.js';
import { SEALED_TYP, importSealingKey, openSealed, sealFor, type SealingKey } from './sealed-data.js';
import { Sm2PrivateKey, Sm2PublicKey } from './sm2-key.js';

/**
 * The gm suite's sealing against an independent implementation of the SM algorithms: the npm
 * package sm-crypto (its own SM3, SM4 and SM2 curve arithmetic in JavaScript over jsbn; a
 * devDependency, loaded by tests only). The sm-crypto side below is written from the standards
 * with sm-crypto's primitives alone: SM2 point multiplication for the key agreement, SM3 for the
 * Concat KDF and HMAC, and SM4's block function for counter mode (sm-crypto has ECB and CBC only).
 */

interface SmPoint {
  multiply(k: unknown): SmPoint;
  getX(): { toBigInteger(): { toRadix(radix: number): string } };
}
interface SmCrypto {
  sm2: { generateKeyPairHex(): { publicKey: string; privateKey: string } };
  sm3(input: string | number[], options?: { key: string | number[] }): string;
  sm4: {
    encrypt(input: number[] | string, key: string | number[], options: { padding: 'none'; output: 'array' }): number[];
  };
}
const require = createRequire(import.meta.url);
const sm = require('sm-crypto') as SmCrypto;
const smCurve = (require('sm-crypto/src/sm2/utils.js') as { getGlobalCurve(): { decodePointHex(hex: string): SmPoint } }).getGlobalCurve();
const { BigInteger } = require('jsbn') as { BigInteger: new (value: string, radix: number) => unknown };

const NOW_MS = Date.UTC(2026, 10, 22, 17, 30);
const personal = { idNumber: '51010419900307123X', name: '张三', phone: '13800000000', address: '成都市锦江区红星路1号' };

const hex = (bytes: Uint8Array | number[]) => Buffer.from(bytes).toString('hex');
const bytesOf = (h: string) => [...Buffer.from(h, 'hex')];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** x of [d]P on SM2, by sm-crypto's curve arithmetic (the key agreement's shared secret Z). */
function smAgree(privateHex: string, point: { x: string; y: string }): number[] {
  const p = smCurve.decodePointHex(`04${hex(Buffer.from(point.x, 'base64url'))}${hex(Buffer.from(point.y, 'base64url'))}`);
  return bytesOf(p.multiply(new BigInteger(privateHex, 16)).getX().toBigInteger().toRadix(16).padStart(64, '0'));
}

/** RFC 7518 §4.6.2 Concat KDF, one round, with sm-crypto's SM3: AlgorithmID = enc, no apu/apv, 256 bits. */
function smKdf(z: number[], enc: string): number[] {
  const id = [...Buffer.from(enc, 'ascii')];
  return bytesOf(sm.sm3([...u32(1), ...z, ...u32(id.length), ...id, ...u32(0), ...u32(0), ...u32(256)]));
}

/** SM4-CTR from sm-crypto's block function: the 16-byte counter block counts up, big-endian. */
function smCtr(key: number[], iv: number[], data: number[]): number[] {
  const counter = [...iv];
  const out: number[] = [];
  for (let at = 0; at < data.length; at += 16) {
    const stream = sm.sm4.encrypt([...counter], key, { padding: 'none', output: 'array' });
    for (let i = 0; i < 16 && at + i < data.length; i += 1) out.push(data[at + i] ^ stream[i]);
    for (let i = 15; i >= 0; i -= 1) {
      counter[i] = (counter[i] + 1) & 0xff;
      if (counter[i] !== 0) break;
    }
  }
  return out;
}

/** RFC 7518 §5.2.2.1 tag with sm-crypto's HMAC-SM3: the first 16 bytes over AAD || IV || C || AL. */
function smTag(macKey: number[], aad: number[], iv: number[], ciphertext: number[]): number[] {
  const al = [...u32(0), ...u32(aad.length * 8)];
  return bytesOf(sm.sm3([...aad, ...iv, ...ciphertext, ...al], { key: macKey })).slice(0, 16);
}

/** Opens a gm sealed value with sm-crypto only. */
function smOpen(jwe: string, privateHex: string): unknown {
  const [head, encryptedKey, ivB64, ctB64, tagB64] = jwe.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg: string; enc: string; epk: { x: string; y: string } };
  expect([header.alg, header.enc, encryptedKey]).toEqual(['SM2-ECDH-ES', 'SM4-CTR-HS3', '']);
  const cek = smKdf(smAgree(privateHex, header.epk), header.enc);
  const iv = [...Buffer.from(ivB64, 'base64url')];
  const ciphertext = [...Buffer.from(ctB64, 'base64url')];
  const tag = smTag(cek.slice(0, 16), [...Buffer.from(head, 'latin1')], iv, ciphertext);
  if (hex(tag) !== hex(Buffer.from(tagB64, 'base64url'))) throw new Error('the tag does not verify');
  return JSON.parse(Buffer.from(smCtr(cek.slice(16), iv, ciphertext)).toString('utf8'));
}

/** Seals for an SM2 public key with sm-crypto only (its own ephemeral key pair too). */
function smSeal(recipient: { x: string; y: string }, kid: string, plaintext: object): string {
  const ephemeral = sm.sm2.generateKeyPairHex();
  const point = Buffer.from(ephemeral.publicKey, 'hex');
  const epk = { kty: 'EC', crv: 'SM2', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
  const header = { alg: 'SM2-ECDH-ES', enc: 'SM4-CTR-HS3', kid, typ: SEALED_TYP, cty: 'json', epk };
  const head = Buffer.from(JSON.stringify(header)).toString('base64url');
  const cek = smKdf(smAgree(ephemeral.privateKey, recipient), header.enc);
  const iv = [...randomBytes(16)];
  const ciphertext = smCtr(cek.slice(16), iv, [...Buffer.from(JSON.stringify(plaintext), 'utf8')]);
  const tag = smTag(cek.slice(0, 16), [...Buffer.from(head, 'latin1')], iv, ciphertext);
  return [head, '', Buffer.from(iv).toString('base64url'), Buffer.from(ciphertext).toString('base64url'), Buffer.from(tag).toString('base64url')].join('.');
}

describe('gm sealing against sm-crypto (an independent SM2/SM3/SM4)', () => {
  let root: string;
  let agency: AgencyKeyStore;
  let sealing: SealingKey;
  let agencyPrivateHex: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cytb-sm-interop-'));
    agency = await AgencyKeyStore.open(join(root, 'SC.card'), 'SC.card', new ManualClock(NOW_MS), { suite: 'gm' });
    sealing = await importSealingKey(agency.current().publicJwk);
    const file = JSON.parse(await readFile(join(root, 'SC.card', `${sealing.kid}.private.jwk.json`), 'utf8')) as { d: string };
    agencyPrivateHex = hex(Buffer.from(file.d, 'base64url'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('agrees on the published SM3 vector (GB/T 32905 A.1) and on HMAC-SM3', () => {
    const abc = '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0';
    expect(createHash('sm3').update('abc').digest('hex')).toBe(abc);
    expect(sm.sm3('abc')).toBe(abc);
    const key = randomBytes(16);
    const data = randomBytes(200);
    expect(sm.sm3([...data], { key: [...key] })).toBe(createHmac('sm3', key).update(data).digest('hex'));
  });

  it('agrees on the published SM4 vector (GB/T 32907 A.1) and on SM4-CTR across a counter carry', () => {
    const vector = '0123456789abcdeffedcba9876543210';
    const cipher = createCipheriv('sm4-ecb', Buffer.from(vector, 'hex'), null).setAutoPadding(false);
    expect(Buffer.concat([cipher.update(Buffer.from(vector, 'hex')), cipher.final()]).toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
    expect(hex(sm.sm4.encrypt(bytesOf(vector), vector, { padding: 'none', output: 'array' }))).toBe('681edf34d206965e86b3e94f536e4246');
    const key = randomBytes(16);
    const iv = Buffer.from('00000000000000000000fffffffffffe', 'hex');
    const data = randomBytes(70);
    const ctr = createCipheriv('sm4-ctr', key, iv);
    expect(hex(smCtr([...key], [...iv], [...data]))).toBe(Buffer.concat([ctr.update(data), ctr.final()]).toString('hex'));
  });

  it('agrees on the SM2 key agreement, with a key pair sm-crypto generated and imported here as a JWK', () => {
    const theirs = sm.sm2.generateKeyPairHex();
    const point = Buffer.from(theirs.publicKey, 'hex');
    const jwk = { x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
    const ours = Sm2PrivateKey.generate();
    const privateKey = Sm2PrivateKey.fromJwk({ ...jwk, d: Buffer.from(theirs.privateKey.padStart(64, '0'), 'hex').toString('base64url') });
    const z = ours.agree(Sm2PublicKey.fromJwk(jwk));
    expect(hex(z)).toBe(hex(smAgree(theirs.privateKey, ours.publicKey.jwk())));
    expect(privateKey.agree(ours.publicKey).equals(z)).toBe(true);
  });

  it('sm-crypto opens what we seal', async () => {
    const sealed = await sealFor(sealing.key, personal, { kid: sealing.kid });
    expect(smOpen(sealed, agencyPrivateHex)).toEqual(personal);
  });

  it('we open what sm-crypto seals', async () => {
    const jwk = agency.current().publicJwk as { x: string; y: string };
    await expect(openSealed(smSeal(jwk, sealing.kid, personal), agency, { suite: GM_SUITE })).resolves.toEqual(personal);
  });

  it('refuses what sm-crypto sealed once its tag, ciphertext or header is altered (SEALED_DATA_INVALID)', async () => {
    const jwk = agency.current().publicJwk as { x: string; y: string };
    const parts = smSeal(jwk, sealing.kid, personal).split('.');
    const flip = (s: string) => `${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    for (const index of [0, 2, 3, 4]) {
      const altered = parts.map((p, i) => (i === index ? flip(p) : p)).join('.');
      await expect(openSealed(altered, agency, { suite: GM_SUITE })).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
    }
  });
});
