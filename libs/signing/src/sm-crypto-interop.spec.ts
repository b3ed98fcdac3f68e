import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { SM2_DEFAULT_USER_ID, Sm2PrivateKey, Sm2PublicKey, sm2Verify } from './sm2.js';

/**
 * Interop of the gm suite's signatures and hash with an independent implementation: npm
 * `sm-crypto` (pure JavaScript, a devDependency used by tests only). Sealing and SM4 have their
 * own spec (sealed-data interop).
 */

/** The part of sm-crypto's API used here (the package ships no types). */
interface SmCrypto {
  sm2: {
    generateKeyPairHex(): { privateKey: string; publicKey: string };
    doSignature(msg: string | number[], privateKey: string, options: { hash: boolean; der: boolean; userId?: string }): string;
    doVerifySignature(msg: string | number[], signature: string, publicKey: string, options: { hash: boolean; der: boolean; userId?: string }): boolean;
  };
  sm3(msg: string): string;
}

const { sm2, sm3 } = createRequire(import.meta.url)('sm-crypto') as SmCrypto;
const DEFAULT_ID = { hash: true, der: false, userId: '1234567812345678' };

function theirKey(): { ours: Sm2PrivateKey; privateHex: string; publicHex: string } {
  const pair = sm2.generateKeyPairHex();
  const ours = Sm2PrivateKey.fromScalar(Buffer.from(pair.privateKey.padStart(64, '0'), 'hex'));
  if (ours === undefined) throw new Error('sm-crypto made a key out of range');
  return { ours, privateHex: pair.privateKey, publicHex: pair.publicKey };
}

/** The same key as a Node KeyObject (SEC1 / SPKI DER with the SM2 curve OID 1.2.156.10197.1.301). */
function nodeKeys(key: Sm2PrivateKey): { privateKey: ReturnType<typeof createPrivateKey>; publicKey: ReturnType<typeof createPublicKey> } {
  const point = key.publicKey.uncompressed();
  const sec1 = Buffer.concat([Buffer.from('30770201010420', 'hex'), key.toPrivateScalar(), Buffer.from('a00a06082a811ccf5501822da144034200', 'hex'), point]);
  const spki = Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex'), point]);
  return { privateKey: createPrivateKey({ key: sec1, format: 'der', type: 'sec1' }), publicKey: createPublicKey({ key: spki, format: 'der', type: 'spki' }) };
}

describe('SM3 and SM2 signatures agree with sm-crypto', () => {
  const message = 'eyJhbGciOiJTTTIiLCJraWQiOiJTQy1TTTItMjAyNjExMjMtM2ZhOWMxIiwidHlwIjoiY3l0Yi1lbnZlbG9wZStqd3MifQ.e30';

  it('hashes "abc" to the SM3 example of GB/T 32905-2016 Appendix A, as sm-crypto and OpenSSL do', () => {
    const expected = '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0';
    expect(createHash('sm3').update('abc').digest('hex')).toBe(expected);
    expect(sm3('abc')).toBe(expected);
  });

  it('makes signatures that sm-crypto verifies with the default user ID 1234567812345678, raw r||s', () => {
    const { ours, publicHex } = theirKey();
    const signature = ours.sign(Buffer.from(message, 'latin1'));
    expect(signature).toHaveLength(64);
    expect(SM2_DEFAULT_USER_ID).toBe('1234567812345678');
    expect(sm2.doVerifySignature(message, signature.toString('hex'), publicHex, DEFAULT_ID)).toBe(true);
    // The ID is part of what is signed: under another ID the same signature is not valid.
    expect(sm2.doVerifySignature(message, signature.toString('hex'), publicHex, { ...DEFAULT_ID, userId: '' })).toBe(false);
  });

  it("verifies sm-crypto's own signatures with the default user ID, and refuses them under another message", () => {
    for (let i = 0; i < 5; i += 1) {
      const { ours, privateHex } = theirKey();
      const theirs = Buffer.from(sm2.doSignature(message, privateHex, DEFAULT_ID), 'hex');
      expect(sm2Verify(ours.publicKey, Buffer.from(message, 'latin1'), theirs)).toBe(true);
      expect(sm2Verify(ours.publicKey, Buffer.from(`${message}x`, 'latin1'), theirs)).toBe(false);
    }
  });

  it('refuses the DER form of a valid signature where the raw form is expected', () => {
    const { ours, privateHex } = theirKey();
    const der = Buffer.from(sm2.doSignature(message, privateHex, { ...DEFAULT_ID, der: true }), 'hex');
    expect(der[0]).toBe(0x30);
    expect(sm2Verify(ours.publicKey, Buffer.from(message, 'latin1'), der)).toBe(false);
  });

  it("shows why we do not sign through Node's OpenSSL: it applies an EMPTY user ID, not the default one", () => {
    // crypto.sign('sm3', data, sm2Key) on Node 20 (OpenSSL 3.0) computes Z with ENTL = 0 and no
    // ID, and has no option to set one. Its signatures (DER, whatever dsaEncoding says) verify
    // in sm-crypto under userId '' and not under the default ID; sm2.ts applies the default ID.
    const { ours, publicHex } = theirKey();
    const node = nodeKeys(ours);
    const openssl = sign('sm3', Buffer.from(message, 'latin1'), node.privateKey);
    expect(openssl[0]).toBe(0x30);
    expect(sm2.doVerifySignature(message, openssl.toString('hex'), publicHex, { hash: true, der: true, userId: '' })).toBe(true);
    expect(sm2.doVerifySignature(message, openssl.toString('hex'), publicHex, { hash: true, der: true, userId: '1234567812345678' })).toBe(false);
    // And OpenSSL does not accept a default-ID signature (ours), in either encoding.
    const raw = ours.sign(Buffer.from(message, 'latin1'));
    expect(verify('sm3', Buffer.from(message, 'latin1'), node.publicKey, raw)).toBe(false);
  });

  it('refuses a public key that is not a point of the curve, and scalars out of range', () => {
    const { ours } = theirKey();
    const { x, y } = ours.publicKey.coordinates();
    const bent = Buffer.from(y);
    bent[31] ^= 1;
    expect(Sm2PublicKey.fromCoordinates(x, y)).toBeDefined();
    expect(Sm2PublicKey.fromCoordinates(x, bent)).toBeUndefined();
    expect(Sm2PrivateKey.fromScalar(Buffer.alloc(32))).toBeUndefined();
    expect(Sm2PrivateKey.fromScalar(Buffer.from('fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54122', 'hex'))).toBeUndefined();
  });
});
