import { GM_SUITE, suiteOfSignatureAlg, type SuiteName } from './crypto-suite.js';
import { isSm2Coordinate, type Sm2Point } from './sm2-key.js';

/**
 * The kinds of key the federation signs with, one per suite (crypto-suite.ts): Ed25519 (RFC 8037
 * §2, `kty: OKP`) with the JWS algorithm `EdDSA` under `intl`; SM2 (GB/T 32918) with `SM2` under
 * `gm`. A public JWK names its key (`kid`) and pins it to one algorithm and one use, as RFC 8725
 * §3.1 asks ("each key MUST be used with exactly one algorithm").
 *
 * @example
 *   { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
 *     kid: 'SC-20260105-3fa9c1', alg: 'EdDSA', use: 'sig' }
 */
export interface Ed25519PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  /** The 32-byte public key, base64url without padding (43 characters). */
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

/**
 * An SM2 public key. JOSE has registered nothing for SM2: the project writes it as RFC 7518 §6.2
 * writes an elliptic-curve key, `kty: EC` with the 32-byte affine coordinates `x` and `y` of the
 * point, under `crv: SM2` (the curve of GB/T 32918.5), pinned to `alg: SM2` (SM2 with SM3 and the
 * default user ID; contracts/crypto-suites.md). Node cannot export an SM2 key as a JWK, so these
 * members are written from the point itself (sm2.ts).
 *
 * @example
 *   { kty: 'EC', crv: 'SM2', x: 'BKX…', y: 'xQ…', kid: 'SC-SM2-20261123-3fa9c1', alg: 'SM2', use: 'sig' }
 */
export interface Sm2PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'SM2';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: 'SM2';
  readonly use: 'sig';
}

/** A federation signing key of either suite. */
export type PublicJwk = Ed25519PublicJwk | Sm2PublicJwk;

/** The JWS algorithms of the federation's signing keys, one per suite. */
export type SigningAlg = PublicJwk['alg'];

/** The suite whose signatures use `alg`, or undefined for an algorithm of no suite. */
export function suiteOfAlg(alg: unknown): SuiteName | undefined {
  return suiteOfSignatureAlg(alg)?.name;
}

/** The JWS algorithm of an SM2 signature (GM_SUITE.signatureAlg). */
export const SM2_ALG = 'SM2';

/** The JWS algorithm of the `intl` suite's keys (INTL_SUITE.signatureAlg). */
export const SIGNING_ALG = 'EdDSA';

/** base64url of exactly 32 bytes: 43 characters, the last one carrying 4 bits (RFC 8037 §2). */
const KEY_32_BYTES = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Whether `value` is the base64url form of 32 bytes: an Ed25519 key (`x`, `d`), an SM2 coordinate or scalar. */
export function isKey32(value: unknown): value is string {
  return typeof value === 'string' && KEY_32_BYTES.test(value);
}

/** A kid we are willing to put in a file name, a log line and a header: short and plain. */
const KID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isKid(value: unknown): value is string {
  return typeof value === 'string' && KID.test(value);
}

/**
 * Why `value` is not a public signing JWK (Ed25519 or SM2) for `kid`, or `undefined` when it is
 * one. Lenient on what RFC 7517 makes optional (`alg`, `use` may be absent, then they are implied
 * by the key type), strict on anything that would widen the key's use or leak a private part.
 */
export function publicJwkProblem(value: unknown, kid: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const jwk = value as Record<string, unknown>;
  const sm2 = jwk.kty === 'EC' && jwk.crv === 'SM2';
  if (!sm2 && !(jwk.kty === 'OKP' && jwk.crv === 'Ed25519')) return 'not a signing key (kty OKP with crv Ed25519, or kty EC with crv SM2)';
  if ('d' in jwk) return 'contains a private part (d)';
  if (!isKey32(jwk.x)) return 'x is not a 32-byte base64url value';
  if (sm2 && !isKey32(jwk.y)) return 'y is not a 32-byte base64url value';
  if (!sm2 && 'y' in jwk) return 'an Ed25519 key has no y';
  if (jwk.kid !== undefined && jwk.kid !== kid) return 'its kid differs from the kid it is listed under';
  const alg = sm2 ? SM2_ALG : SIGNING_ALG;
  // An SM2 key offered for EdDSA, or an Ed25519 key for SM2, is refused here, before any use.
  if (jwk.alg !== undefined && jwk.alg !== alg) return `alg must be ${alg} for this key type`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return 'use must be sig';
  if (jwk.key_ops !== undefined) return 'key_ops is not used in this federation';
  return undefined;
}

/**
 * The canonical public JWK (exactly the members we publish, in a fixed order) of a listed key, as
 * it was checked by `publicJwkProblem`: `alg` and `use` filled in when they were implied.
 *
 * @example canonicalPublicJwk({ kty: 'OKP', crv: 'Ed25519', x }, 'SC-20260105-3fa9c1').alg // 'EdDSA'
 */
export function canonicalPublicJwk(jwk: PublicJwk, kid: string): PublicJwk {
  return jwk.kty === 'EC' ? toSm2PublicJwk(jwk.x, jwk.y, kid) : toPublicJwk(jwk.x, kid);
}

/** The canonical public JWK of an Ed25519 key: exactly the members we publish, in a fixed order. */
export function toPublicJwk(x: string, kid: string): Ed25519PublicJwk {
  return Object.freeze({ kty: 'OKP', crv: 'Ed25519', x, kid, alg: SIGNING_ALG, use: 'sig' });
}

/**
 * The canonical public JWK of an SM2 key, from the 32-byte coordinates in base64url.
 *
 * @example toSm2PublicJwk(x, y, 'SC-SM2-20261123-3fa9c1').crv // 'SM2'
 */
export function toSm2PublicJwk(x: string, y: string, kid: string): Sm2PublicJwk {
  return Object.freeze({ kty: 'EC', crv: 'SM2', x, y, kid, alg: SM2_ALG, use: 'sig' });
}

/** The JWE key management algorithm of every agency encryption key (RFC 7518 §4.6, RFC 8037 §3.2). */
export const SEAL_ALG = 'ECDH-ES+A256KW';

/**
 * An agency's public X25519 key (RFC 8037 §2, `kty: OKP`) for sealing personal data to it under
 * the `intl` suite, pinned to one algorithm (`ECDH-ES+A256KW`) and one use (`enc`), as RFC 8725
 * §3.1 asks.
 *
 * @example
 *   { kty: 'OKP', crv: 'X25519', x: 'hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo',
 *     kid: 'SC.card-enc-20261123-3fa9c1', alg: 'ECDH-ES+A256KW', use: 'enc' }
 */
export interface X25519EncryptionPublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'X25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: typeof SEAL_ALG;
  readonly use: 'enc';
}

/** The JWE key management algorithm of every SM2 agency encryption key (the `gm` suite, docs/adr/0102-gm-sealing.md). */
export const SM2_SEAL_ALG = GM_SUITE.sealAlg;

/**
 * An agency's public SM2 key (GB/T 32918.1; `kty: EC`, `crv: SM2`, the point as `x` and `y`, RFC
 * 7518 §6.2.1) for sealing personal data to it under the `gm` suite, pinned to `SM2-ECDH-ES` and
 * `enc`.
 *
 * @example
 *   { kty: 'EC', crv: 'SM2', x: '…43 chars…', y: '…43 chars…',
 *     kid: 'SC.card-sm2-enc-20261123-3fa9c1', alg: 'SM2-ECDH-ES', use: 'enc' }
 */
export interface Sm2EncryptionPublicJwk {
  readonly kty: 'EC';
  readonly crv: 'SM2';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: 'enc';
}

/** An agency's public sealing key of either suite; its `crv` says which. */
export type EncryptionPublicJwk = X25519EncryptionPublicJwk | Sm2EncryptionPublicJwk;

/**
 * Why `value` is not a public X25519 or SM2 JWK for `kid`, or `undefined` when it is one. As
 * lenient and as strict as `publicJwkProblem`: optional `alg`/`use` may be absent, never
 * different, never `d`. Whether an SM2 point lies on the curve is checked on import
 * (`importSealingKey`).
 *
 * @example encryptionJwkProblem({ kty: 'OKP', crv: 'X25519', x, kid: 'k' }, 'k') // undefined
 */
export function encryptionJwkProblem(value: unknown, kid: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const jwk = value as Record<string, unknown>;
  const sm2 = jwk.kty === 'EC' && jwk.crv === 'SM2';
  if (!sm2 && (jwk.kty !== 'OKP' || jwk.crv !== 'X25519')) return 'not an X25519 key (kty OKP, crv X25519) or an SM2 key (kty EC, crv SM2)';
  if ('d' in jwk) return 'contains a private part (d)';
  if (sm2) {
    if (!isSm2Coordinate(jwk.x) || !isSm2Coordinate(jwk.y)) return 'x and y must be 32-byte base64url values';
  } else if (!isKey32(jwk.x)) {
    return 'x is not a 32-byte base64url value';
  }
  if (jwk.kid !== kid) return 'its kid is missing or differs from the kid it is listed under';
  const alg = sm2 ? SM2_SEAL_ALG : SEAL_ALG;
  if (jwk.alg !== undefined && jwk.alg !== alg) return `alg must be ${alg}`;
  if (jwk.use !== undefined && jwk.use !== 'enc') return 'use must be enc';
  if (jwk.key_ops !== undefined) return 'key_ops is not used in this federation';
  return undefined;
}

/**
 * The canonical public JWK of an X25519 key: exactly the members we publish, in a fixed order.
 *
 * @example toEncryptionJwk(x, 'SC.card-enc-20261123-3fa9c1').use // 'enc'
 */
export function toEncryptionJwk(x: string, kid: string): X25519EncryptionPublicJwk {
  return Object.freeze({ kty: 'OKP', crv: 'X25519', x, kid, alg: SEAL_ALG, use: 'enc' });
}

/**
 * The canonical public JWK of an SM2 sealing key, members in a fixed order.
 *
 * @example toSm2EncryptionJwk(sm2PointOf(publicKey), 'SC.card-sm2-enc-20261123-3fa9c1').crv // 'SM2'
 */
export function toSm2EncryptionJwk(point: Sm2Point, kid: string): Sm2EncryptionPublicJwk {
  return Object.freeze({ kty: 'EC', crv: 'SM2', x: point.x, y: point.y, kid, alg: SM2_SEAL_ALG, use: 'enc' });
}
