import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/**
 * The two primitives of JWE `ECDH-ES+A256KW` (RFC 7518 §4.6) that node:crypto has no single call
 * for: the Concat KDF that turns the X25519 shared secret into the key-encryption key, and AES Key
 * Wrap (RFC 3394) of the content key under it. sealed-data.ts puts them together.
 */

/** RFC 3394 §2.2.3.1: the default initial value of AES Key Wrap. */
const AES_KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

function uint32be(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n);
  return out;
}

function lengthAndInput(input: Uint8Array): Buffer[] {
  return [uint32be(input.byteLength), Buffer.from(input.buffer, input.byteOffset, input.byteLength)];
}

/**
 * The Concat KDF of NIST SP 800-56A §5.8.1 with SHA-256 (or, under the `gm` suite, SM3: the same
 * one-step construction with the suite's hash, docs/adr/0102-gm-sealing.md), its OtherInfo laid
 * out as RFC 7518 §4.6.2 says: AlgorithmID, PartyUInfo and PartyVInfo each as a 32-bit big-endian
 * length and the bytes, then SuppPubInfo = keydatalen in bits (32-bit big-endian); SuppPrivInfo
 * empty. Both hashes give 32 bytes a round.
 *
 * @example concatKdf(z, 'ECDH-ES+A256KW', 256) // 32 bytes: the AES-256 key-encryption key
 * @example concatKdf(z, 'SM4-CTR-HS3', 256, undefined, undefined, 'sm3') // the gm content key
 */
export function concatKdf(
  z: Uint8Array,
  algorithmId: string,
  keyDataLengthBits: number,
  apu: Uint8Array = new Uint8Array(0),
  apv: Uint8Array = new Uint8Array(0),
  hash: 'sha256' | 'sm3' = 'sha256',
): Buffer {
  const otherInfo = Buffer.concat([...lengthAndInput(Buffer.from(algorithmId, 'ascii')), ...lengthAndInput(apu), ...lengthAndInput(apv), uint32be(keyDataLengthBits)]);
  const keyBytes = keyDataLengthBits >> 3;
  const rounds = Math.ceil(keyBytes / 32);
  const out = Buffer.alloc(rounds * 32);
  for (let i = 1; i <= rounds; i += 1) {
    createHash(hash).update(uint32be(i)).update(z).update(otherInfo).digest().copy(out, (i - 1) * 32);
  }
  return out.subarray(0, keyBytes);
}

/**
 * AES-256 Key Wrap (RFC 3394, RFC 7518 §4.4) of `keyData` under `kek`.
 *
 * @example aesKeyWrap(kek, cek).length // 40 for a 32-byte content key
 */
export function aesKeyWrap(kek: Uint8Array, keyData: Uint8Array): Buffer {
  const cipher = createCipheriv('id-aes256-wrap', kek, AES_KW_IV);
  return Buffer.concat([cipher.update(keyData), cipher.final()]);
}

/**
 * AES-256 Key Unwrap; throws when the integrity check of RFC 3394 §2.2.3 fails (a wrong key or an
 * altered wrapped key).
 *
 * @example aesKeyUnwrap(kek, aesKeyWrap(kek, cek)) // cek
 */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Buffer {
  const decipher = createDecipheriv('id-aes256-wrap', kek, AES_KW_IV);
  return Buffer.concat([decipher.update(wrapped), decipher.final()]);
}
