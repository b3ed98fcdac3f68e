import { exportJWK, generateKeyPair } from 'jose';
import { GatewayError, toShanghaiIso, type Clock } from '#core';
import { createdAtOf, loadOrCreateKeys, newKid, readKeyDirectory, removeKeyFile, writeNewKeyFile } from './key-directory.js';
import { keyStoreConfig as config } from './key-files.js';
import { isKey32 } from './public-jwk.js';

/**
 * A directory of OKP private keys (RFC 8037) of one owner and one curve, one file per key:
 * `<kid>.private.jwk.json`, mode 0600 in a 0700 directory (key-directory.ts). Shared by the
 * agency's X25519 decryption keys (AgencyKeyStore) and the federation authority's Ed25519 key
 * (FederationAuthorityKeyStore). The node signing keys keep their own store (FileKeyStore), which
 * also tracks next/active/retiring states.
 */

export type OkpCurve = 'Ed25519' | 'X25519';

/** The private key as read from its file; imported by the store that owns it. */
export interface StoredOkpKey {
  readonly kid: string;
  readonly crv: OkpCurve;
  readonly x: string;
  readonly d: string;
  /** ISO 8601, China Standard Time. */
  readonly createdAt: string;
}

export interface OkpKeySpec {
  readonly crv: OkpCurve;
  /** The JOSE algorithm the key is pinned to (RFC 8725 §3.1: one key, one algorithm). */
  readonly alg: 'EdDSA' | 'ECDH-ES+A256KW';
  readonly use: 'sig' | 'enc';
  /** Kids are `<prefix>-<yyyymmdd>-<6 hex>`; the prefix names the owner (`FA`, `SC.card-enc`). */
  readonly kidPrefix: string;
}

/**
 * Lists the keys of `spec` in `dir` (oldest first), creating the directory (0700) and a first key
 * when there is none, so a first start needs no manual step. Two processes opening an empty
 * directory at once may each create a key; both are then valid and the newest is used.
 */
export async function loadOrCreateOkpKeys(dir: string, spec: OkpKeySpec, clock: Clock): Promise<StoredOkpKey[]> {
  return loadOrCreateKeys(dir, () => loadOkpKeys(dir, spec), () => createOkpKey(dir, spec, clock));
}

/** Every key of `spec` in `dir`, oldest first; refuses (CONFIG_INVALID) a file others can read. */
export async function loadOkpKeys(dir: string, spec: OkpKeySpec): Promise<StoredOkpKey[]> {
  return readKeyDirectory(dir, spec.kidPrefix, (kid, f) => {
    if (f.kty !== 'OKP' || f.crv !== spec.crv || !isKey32(f.x) || !isKey32(f.d)) {
      throw config(`key file of ${kid} is not an ${spec.crv} private JWK`);
    }
    if (f.kid !== kid || (f.alg !== undefined && f.alg !== spec.alg)) throw config(`key file of ${kid} names another kid or alg`);
    return Object.freeze({ kid, crv: spec.crv, x: f.x, d: f.d, createdAt: createdAtOf(kid, f) });
  });
}

/** Makes a new key pair and writes its file (exclusive: an existing kid is never overwritten). */
export async function createOkpKey(dir: string, spec: OkpKeySpec, clock: Clock): Promise<string> {
  const nowMs = clock.nowMs();
  const kid = newKid(spec.kidPrefix, nowMs);
  let jwk: { x?: unknown; d?: unknown };
  try {
    // Extractable only for this one export to the file; the store imports the file's contents
    // as a non-extractable key, by the same path as every later start.
    const pair = await generateKeyPair(spec.alg, { crv: spec.crv, extractable: true });
    jwk = await exportJWK(pair.privateKey);
  } catch (cause) {
    throw new GatewayError('INTERNAL', { detail: `cannot generate an ${spec.crv} key`, cause });
  }
  if (!isKey32(jwk.x) || !isKey32(jwk.d)) throw new GatewayError('INTERNAL', { detail: `the generated key is not ${spec.crv}` });
  const content = { kty: 'OKP', crv: spec.crv, x: jwk.x, d: jwk.d, kid, alg: spec.alg, use: spec.use, createdAt: toShanghaiIso(nowMs) };
  return writeNewKeyFile(dir, kid, content);
}

/** Deletes the file of one key. */
export async function removeOkpKey(dir: string, kid: string): Promise<void> {
  await removeKeyFile(dir, kid);
}
