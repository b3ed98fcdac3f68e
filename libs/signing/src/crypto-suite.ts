import { createHash, createHmac } from 'node:crypto';

/**
 * The cryptographic suites a federation may choose (issue 17). `intl` is RFC 7515/7516/8037 as
 * X-Road and AS4 peers know it; `gm` is the commercial cryptography a Chinese government system
 * must use (《中华人民共和国密码法》, GB/T 39786-2021): SM2 (GB/T 32918) signatures and sealing,
 * SM3 (GB/T 32905) hashing, SM4 (GB/T 32907) content encryption.
 *
 * The federation document names its suite and is signed in it; everything a node signs, seals or
 * hashes follows the suite in force. This file is the one place that says which algorithm each
 * suite uses for what; the JOSE identifiers for the SM algorithms (which JOSE has not registered)
 * are written down in contracts/ and in docs/adr.
 */
export type SuiteName = 'intl' | 'gm';

export const SUITE_NAMES: readonly SuiteName[] = ['intl', 'gm'];

/** What one suite uses for each job. */
export interface CryptoSuite {
  readonly name: SuiteName;
  /** JWS `alg` of every signature (envelopes, receipts, status updates, checkpoints, the federation). */
  readonly signatureAlg: string;
  /** The signing key's JWK `kty`/`crv`. */
  readonly signingKey: { readonly kty: string; readonly crv: string };
  /** JWE `alg` that protects the content key of sealed personal data and materials. */
  readonly sealAlg: string;
  /** JWE `enc` of the sealed content. */
  readonly sealEnc: string;
  /** The sealing key's JWK `kty`/`crv`. */
  readonly sealingKey: { readonly kty: string; readonly crv: string };
  /** node:crypto's name of the hash used for receipts, Merkle roots, the log chain, checkpoints. */
  readonly hash: 'sha256' | 'sm3';
}

export const INTL_SUITE: CryptoSuite = {
  name: 'intl',
  signatureAlg: 'EdDSA',
  signingKey: { kty: 'OKP', crv: 'Ed25519' },
  sealAlg: 'ECDH-ES+A256KW',
  sealEnc: 'A256GCM',
  sealingKey: { kty: 'OKP', crv: 'X25519' },
  hash: 'sha256',
};

/**
 * The `gm` suite's identifiers. `SM2` with SM3 and the default user ID 1234567812345678
 * (GB/T 32918.2 / GM/T 0009) for signatures, `crv: "SM2"` on `kty: "EC"` for its keys; the
 * sealing and content identifiers are the project's own, documented in contracts/.
 */
export const GM_SUITE: CryptoSuite = {
  name: 'gm',
  signatureAlg: 'SM2',
  signingKey: { kty: 'EC', crv: 'SM2' },
  sealAlg: 'SM2-ECDH-ES',
  sealEnc: 'SM4-CTR-HS3',
  sealingKey: { kty: 'EC', crv: 'SM2' },
  hash: 'sm3',
};

/** The suite of a name; undefined for a name that is not one. */
export function suiteNamed(name: string | undefined): CryptoSuite | undefined {
  if (name === undefined || name === 'intl') return name === undefined ? undefined : INTL_SUITE;
  return name === 'gm' ? GM_SUITE : undefined;
}

/**
 * The suite's hash of `data`, base64url without padding: SHA-256 under `intl`, SM3 under `gm`
 * (both 32 bytes, 43 characters).
 *
 * @example suiteHash(GM_SUITE, 'abc') // SM3("abc") = 66c7f0f4…8ba8e0, base64url
 */
export function suiteHash(suite: Pick<CryptoSuite, 'hash'>, data: string | Uint8Array): string {
  return createHash(suite.hash).update(data).digest('base64url');
}

/** The suite's HMAC (HMAC-SHA-256 or HMAC-SM3) of `data` under `key`, base64url. */
export function suiteHmac(suite: Pick<CryptoSuite, 'hash'>, key: Uint8Array, data: string | Uint8Array): string {
  return createHmac(suite.hash, key).update(data).digest('base64url');
}

/**
 * The suite whose signatures use the JWS algorithm `alg` (EdDSA: intl, SM2: gm), or undefined.
 *
 * @example suiteOfSignatureAlg('SM2') // GM_SUITE
 */
export function suiteOfSignatureAlg(alg: unknown): CryptoSuite | undefined {
  return SUITES.find((s) => s.signatureAlg === alg);
}

const SUITES: readonly CryptoSuite[] = [INTL_SUITE, GM_SUITE];

/**
 * The hash that signed evidence names for a compact JWS (a receipt's hash of the envelope, a
 * batch leaf, a log entry): SHA-256 for an EdDSA token, SM3 for an SM2 one, read from the token's
 * own `alg`, base64url. A token whose header cannot be read, or of no suite, is hashed with
 * SHA-256, as before the suites: the hash must exist for anything the log holds.
 *
 * @example evidenceHash(sm2Envelope) === suiteHash(GM_SUITE, sm2Envelope) // true
 */
export function evidenceHash(compact: string): string {
  return suiteHash(evidenceSuite(compact), compact);
}

/** The suite `evidenceHash` hashes `compact` in. */
export function evidenceSuite(compact: string): CryptoSuite {
  return suiteOfSignatureAlg(signatureAlgOf(compact)) ?? INTL_SUITE;
}

/**
 * The `alg` a compact JWS's header names, read without verifying anything; '' when the header
 * cannot be read. For choosing what to do with a token (which hash its evidence uses, whether
 * it must be signed again), never for trusting it.
 */
export function signatureAlgOf(compact: string): string {
  const dot = compact.indexOf('.');
  if (dot <= 0 || dot > 1024) return '';
  try {
    const header: unknown = JSON.parse(Buffer.from(compact.slice(0, dot), 'base64url').toString('utf8'));
    const alg = (header as { alg?: unknown } | null)?.alg;
    return typeof alg === 'string' ? alg : '';
  } catch {
    return '';
  }
}
