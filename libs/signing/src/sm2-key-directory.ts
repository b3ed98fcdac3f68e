import { GatewayError, toShanghaiIso, type Clock } from '#core';
import { createdAtOf, loadOrCreateKeys, newKid, readKeyDirectory, removeKeyFile, writeNewKeyFile } from './key-directory.js';
import { keyStoreConfig as config } from './key-files.js';
import { isSm2Coordinate, Sm2PrivateKey } from './sm2-key.js';

/**
 * A directory of SM2 private keys of one owner, one file per key, as okp-key-directory.ts keeps
 * OKP keys: `<kid>.private.jwk.json` holding `{ kty: 'EC', crv: 'SM2', x, y, d, kid, alg, use,
 * createdAt }`, mode 0600 in a 0700 directory (key-directory.ts). The agency's gm sealing keys
 * (AgencyKeyStore with `suite: 'gm'`) live here; their kids have their own prefix, so a directory
 * may hold an agency's X25519 keys and its SM2 keys side by side, each store reading its own.
 */

/** The private key as read from its file; imported by the store that owns it. */
export interface StoredSm2Key {
  readonly kid: string;
  readonly x: string;
  readonly y: string;
  readonly d: string;
  /** ISO 8601, China Standard Time. */
  readonly createdAt: string;
}

export interface Sm2KeySpec {
  /** The JOSE algorithm the key is pinned to (RFC 8725 §3.1: one key, one algorithm). */
  readonly alg: string;
  readonly use: 'enc';
  /** Kids are `<prefix>-<yyyymmdd>-<6 hex>`; the prefix names the owner (`SC.card-sm2-enc`). */
  readonly kidPrefix: string;
}

/**
 * Lists the keys of `spec` in `dir` (oldest first), creating the directory (0700) and a first key
 * when there is none, so a first start needs no manual step.
 *
 * @example const keys = await loadOrCreateSm2Keys(dir, { alg: 'SM2-ECDH-ES', use: 'enc', kidPrefix: 'SC.card-sm2-enc' }, clock);
 */
export async function loadOrCreateSm2Keys(dir: string, spec: Sm2KeySpec, clock: Clock): Promise<StoredSm2Key[]> {
  return loadOrCreateKeys(dir, () => loadSm2Keys(dir, spec), () => createSm2Key(dir, spec, clock));
}

/**
 * Every key of `spec` in `dir`, oldest first; refuses (CONFIG_INVALID) a file others can read or
 * one that is not an SM2 private JWK of this spec.
 *
 * @example const keys = await loadSm2Keys(dir, spec);
 */
export async function loadSm2Keys(dir: string, spec: Sm2KeySpec): Promise<StoredSm2Key[]> {
  return readKeyDirectory(dir, spec.kidPrefix, (kid, f) => {
    if (f.kty !== 'EC' || f.crv !== 'SM2' || !isSm2Coordinate(f.x) || !isSm2Coordinate(f.y) || !isSm2Coordinate(f.d)) {
      throw config(`key file of ${kid} is not an SM2 private JWK`);
    }
    if (f.kid !== kid || (f.alg !== undefined && f.alg !== spec.alg)) throw config(`key file of ${kid} names another kid or alg`);
    return Object.freeze({ kid, x: f.x, y: f.y, d: f.d, createdAt: createdAtOf(kid, f) });
  });
}

/**
 * Makes a new SM2 key pair and writes its file (exclusive: an existing kid is never overwritten).
 *
 * @example const kid = await createSm2Key(dir, spec, clock); // 'SC.card-sm2-enc-20261123-3fa9c1'
 */
export async function createSm2Key(dir: string, spec: Sm2KeySpec, clock: Clock): Promise<string> {
  const nowMs = clock.nowMs();
  const kid = newKid(spec.kidPrefix, nowMs);
  let jwk: { x: string; y: string; d: string };
  try {
    const pair = Sm2PrivateKey.generate();
    jwk = { ...pair.publicKey.jwk(), d: pair.d() };
  } catch (cause) {
    throw new GatewayError('INTERNAL', { detail: 'cannot generate an SM2 key', cause });
  }
  const content = { kty: 'EC', crv: 'SM2', ...jwk, kid, alg: spec.alg, use: spec.use, createdAt: toShanghaiIso(nowMs) };
  return writeNewKeyFile(dir, kid, content);
}

/**
 * Deletes the file of one key.
 *
 * @example await removeSm2Key(dir, 'SC.card-sm2-enc-20261123-3fa9c1');
 */
export async function removeSm2Key(dir: string, kid: string): Promise<void> {
  await removeKeyFile(dir, kid);
}
