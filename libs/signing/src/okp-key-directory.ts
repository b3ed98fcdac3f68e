import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { GatewayError, parseInstant, shanghaiDate, toShanghaiIso, type Clock } from '#core';
import { keyStoreConfig as config, prepareKeyDir, readPrivateKeyFile, removeFile, writeFileSafely } from './key-files.js';
import { isKey32 } from './public-jwk.js';

/**
 * A directory of OKP private keys (RFC 8037) of one owner and one curve, one file per key:
 * `<kid>.private.jwk.json`, mode 0600 in a 0700 directory (key-files.ts). Shared by the agency's
 * X25519 decryption keys (AgencyKeyStore) and the federation authority's Ed25519 key
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

const SUFFIX = '.private.jwk.json';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function kidPattern(spec: OkpKeySpec): RegExp {
  return new RegExp(`^${escapeRegExp(spec.kidPrefix)}-\\d{8}-[0-9a-f]{6}$`);
}

/**
 * Lists the keys of `spec` in `dir` (oldest first), creating the directory (0700) and a first key
 * when there is none, so a first start needs no manual step. Two processes opening an empty
 * directory at once may each create a key; both are then valid and the newest is used.
 */
export async function loadOrCreateOkpKeys(dir: string, spec: OkpKeySpec, clock: Clock): Promise<StoredOkpKey[]> {
  await prepareKeyDir(dir);
  const keys = await loadOkpKeys(dir, spec);
  if (keys.length > 0) return keys;
  await createOkpKey(dir, spec, clock);
  return loadOkpKeys(dir, spec);
}

/** Every key of `spec` in `dir`, oldest first; refuses (CONFIG_INVALID) a file others can read. */
export async function loadOkpKeys(dir: string, spec: OkpKeySpec): Promise<StoredOkpKey[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: 'key store: cannot list the key directory', cause });
  }
  const pattern = kidPattern(spec);
  const keys: StoredOkpKey[] = [];
  for (const name of names) {
    if (!name.endsWith(SUFFIX)) continue;
    const kid = name.slice(0, -SUFFIX.length);
    if (!pattern.test(kid)) continue;
    const parsed = await readPrivateKeyFile(join(dir, name), kid);
    if (parsed === undefined) continue;
    const f = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (f.kty !== 'OKP' || f.crv !== spec.crv || !isKey32(f.x) || !isKey32(f.d)) {
      throw config(`key file of ${kid} is not an ${spec.crv} private JWK`);
    }
    if (f.kid !== kid || (f.alg !== undefined && f.alg !== spec.alg)) throw config(`key file of ${kid} names another kid or alg`);
    if (typeof f.createdAt !== 'string' || Number.isNaN(parseInstant(f.createdAt))) {
      throw config(`key file of ${kid} has no valid createdAt`);
    }
    keys.push(Object.freeze({ kid, crv: spec.crv, x: f.x, d: f.d, createdAt: f.createdAt }));
  }
  return keys.sort((a, b) => parseInstant(a.createdAt) - parseInstant(b.createdAt) || (a.kid < b.kid ? -1 : 1));
}

/** Makes a new key pair and writes its file (exclusive: an existing kid is never overwritten). */
export async function createOkpKey(dir: string, spec: OkpKeySpec, clock: Clock): Promise<string> {
  const nowMs = clock.nowMs();
  const kid = `${spec.kidPrefix}-${shanghaiDate(nowMs).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
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
  const written = await writeFileSafely(dir, `${kid}${SUFFIX}`, `${JSON.stringify(content, null, 2)}\n`, { exclusive: true });
  if (!written) throw new GatewayError('INTERNAL', { detail: `key ${kid} exists already` });
  return kid;
}

/** Deletes the file of one key. */
export async function removeOkpKey(dir: string, kid: string): Promise<void> {
  await removeFile(dir, `${kid}${SUFFIX}`);
}
