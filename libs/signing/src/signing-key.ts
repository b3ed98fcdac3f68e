import type { CryptoKey } from 'jose';
import type { NodeCode } from '#core';
import type { PublicJwk } from './public-jwk.js';

/**
 * A node's own signing key, imported once. The private key is a non-extractable CryptoKey: it can
 * sign, and nothing in the process can read its bytes back out.
 */
export interface SigningKey {
  readonly kid: string;
  readonly node: NodeCode;
  readonly alg: 'EdDSA';
  readonly privateKey: CryptoKey;
  readonly publicJwk: PublicJwk;
  /** When the key was made, ISO 8601 in China Standard Time. */
  readonly createdAt: string;
}
