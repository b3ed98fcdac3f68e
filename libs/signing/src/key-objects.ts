import { KeyObject } from 'node:crypto';
import type { CryptoKey } from 'jose';

/**
 * node:crypto signs, verifies and agrees keys about four times faster than WebCrypto (which jose 6
 * uses), but it takes a KeyObject. The stores keep their keys as CryptoKeys (the type the rest of
 * the code and jose know); this module gives the KeyObject behind each one, made once per key and
 * remembered for as long as the CryptoKey lives, never once per message.
 *
 * Each key is used with exactly one algorithm (RFC 8725 §3.1): the curve and the public/private
 * type are checked here on every use, so that an RSA or P-256 key, or a private key passed where
 * a public one belongs, never reaches `crypto.sign(null, …)`, whose algorithm follows the key.
 */

export type OkpCurve = 'ed25519' | 'x25519';

const cache = new WeakMap<CryptoKey, KeyObject>();

/**
 * The KeyObject behind `key`, or `undefined` when `key` is not a CryptoKey of `curve` and `type`.
 *
 * @example const signer = okpKeyObject(signingKey.privateKey, 'ed25519', 'private'); crypto.sign(null, data, signer!)
 */
export function okpKeyObject(key: CryptoKey, curve: OkpCurve, type: 'public' | 'private'): KeyObject | undefined {
  let object = cache.get(key);
  if (object === undefined) {
    try {
      object = KeyObject.from(key);
    } catch {
      return undefined; // not a CryptoKey at all
    }
    cache.set(key, object);
  }
  return object.type === type && object.asymmetricKeyType === curve ? object : undefined;
}
