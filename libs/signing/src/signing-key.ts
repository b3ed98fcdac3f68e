import type { CryptoKey } from 'jose';
import type { NodeCode } from '#core';
import type { Ed25519PublicJwk, Sm2PublicJwk } from './public-jwk.js';
import type { Sm2PrivateKey } from './sm2.js';

/**
 * A node's own Ed25519 signing key (suite `intl`), imported once. The private key is a
 * non-extractable CryptoKey: no API of ours exports it. That guards against accidents, not against
 * code in this process: Node's `KeyObject.from` reaches the key behind any CryptoKey (it is how
 * compact-jws.ts signs with node:crypto, through key-objects.ts), and a KeyObject can be exported.
 * The file is the secret.
 */
export interface Ed25519SigningKey {
  readonly kid: string;
  readonly node: NodeCode;
  readonly alg: 'EdDSA';
  readonly privateKey: CryptoKey;
  readonly publicJwk: Ed25519PublicJwk;
  /** When the key was made, ISO 8601 in China Standard Time. */
  readonly createdAt: string;
}

/** A node's own SM2 signing key (suite `gm`); the scalar stays inside the Sm2PrivateKey. */
export interface Sm2SigningKey {
  readonly kid: string;
  readonly node: NodeCode;
  readonly alg: 'SM2';
  readonly privateKey: Sm2PrivateKey;
  readonly publicJwk: Sm2PublicJwk;
  readonly createdAt: string;
}

/** A node's signing key, of either suite. */
export type SigningKey = Ed25519SigningKey | Sm2SigningKey;

/** What a compact JWS is signed with: a node's key or the federation authority's. */
export type Signer =
  | { readonly kid: string; readonly alg: 'EdDSA'; readonly privateKey: CryptoKey }
  | { readonly kid: string; readonly alg: 'SM2'; readonly privateKey: Sm2PrivateKey };
