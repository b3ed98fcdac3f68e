import type { CryptoKey } from 'jose';
import type { NodeCode } from '#core';
import type { PublicJwk } from './public-jwk.js';

/**
 * A node's own signing key, imported once. The private key is a non-extractable CryptoKey: no API
 * of ours exports it. That guards against accidents, not against code in this process: Node's
 * `KeyObject.from` reaches the key behind any CryptoKey (it is how compact-jws.ts signs with
 * node:crypto, through key-objects.ts), and a KeyObject can be exported. The file is the secret.
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
