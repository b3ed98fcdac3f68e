import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The `gm` suite's content encryption, JWE `enc: SM4-CTR-HS3`: SM4 (GB/T 32907) in counter mode
 * with HMAC-SM3 (GB/T 32905, RFC 2104) over it, encrypt-then-MAC. The OpenSSL of Node 20 and 24
 * has no SM4-GCM, so the construction is the one JOSE already specifies for a block cipher
 * without an AEAD mode, AES_CBC_HMAC_SHA2 (RFC 7518 §5.2), with SM4-CTR for AES-CBC and HMAC-SM3
 * for HMAC-SHA-256, at A128CBC-HS256's sizes (§5.2.3):
 *   - the 32-byte content key is split: MAC_KEY = its first 16 bytes, ENC_KEY = its last 16
 *     (§5.2.2.1 step 1);
 *   - a random 16-byte IV is SM4-CTR's initial counter block (the whole block counts, big-endian,
 *     as OpenSSL and NIST SP 800-38A §B.1 do); CTR needs no padding, so no padding oracle either;
 *   - the tag is the first 16 bytes of HMAC-SM3(MAC_KEY, AAD || IV || ciphertext || AL), AL being
 *     the bit length of AAD as a 64-bit big-endian integer (§5.2.2.1 steps 4-6);
 *   - opening checks the tag, in constant time, before it decrypts anything (§5.2.2.2).
 */

/** The JWE `enc` of this construction (the project's own identifier; docs/adr/0102-gm-sealing.md). */
export const SM4_CTR_HS3 = 'SM4-CTR-HS3';
export const SM4_CTR_HS3_KEY_BYTES = 32;
export const SM4_CTR_HS3_IV_BYTES = 16;
export const SM4_CTR_HS3_TAG_BYTES = 16;
const HALF = SM4_CTR_HS3_KEY_BYTES / 2;

/** The encrypted content: IV, ciphertext and tag, each its own JWE segment. */
export interface Sm4CtrHs3Output {
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/**
 * Encrypts `plaintext` under the 32-byte content key `cek`, authenticating `aad` with it.
 *
 * @example const { iv, ciphertext, tag } = sm4CtrHs3Encrypt(cek, plaintext, Buffer.from(head, 'latin1'));
 */
export function sm4CtrHs3Encrypt(cek: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sm4CtrHs3Output {
  if (cek.byteLength !== SM4_CTR_HS3_KEY_BYTES) throw new TypeError('SM4-CTR-HS3 takes a 32-byte content key');
  const iv = randomBytes(SM4_CTR_HS3_IV_BYTES);
  const cipher = createCipheriv('sm4-ctr', cek.subarray(HALF), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: tagOf(cek, aad, iv, ciphertext) };
}

/**
 * Checks the tag over `aad`, `iv` and `ciphertext` and decrypts; `undefined` when the tag does not
 * match or a length is wrong (an altered message, or one sealed under another key). The caller
 * turns that into its own error: nothing here tells which part failed.
 *
 * @example const plaintext = sm4CtrHs3Decrypt(cek, iv, ciphertext, tag, aad); // undefined if altered
 */
export function sm4CtrHs3Decrypt(cek: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad: Uint8Array): Buffer | undefined {
  if (cek.byteLength !== SM4_CTR_HS3_KEY_BYTES || iv.byteLength !== SM4_CTR_HS3_IV_BYTES || tag.byteLength !== SM4_CTR_HS3_TAG_BYTES) return undefined;
  // Encrypt-then-MAC: the tag first, so that nothing unauthenticated is ever decrypted.
  if (!timingSafeEqual(tagOf(cek, aad, iv, ciphertext), tag)) return undefined;
  const decipher = createDecipheriv('sm4-ctr', cek.subarray(HALF), iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** RFC 7518 §5.2.2.1 steps 4-6, with HMAC-SM3: the first 16 bytes of the MAC of AAD || IV || C || AL. */
function tagOf(cek: Uint8Array, aad: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Buffer {
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.byteLength) * 8n);
  const mac = createHmac('sm3', cek.subarray(0, HALF)).update(aad).update(iv).update(ciphertext).update(al).digest();
  return mac.subarray(0, SM4_CTR_HS3_TAG_BYTES);
}
