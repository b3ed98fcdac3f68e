import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError, parseInstant, shanghaiDate } from '#core';
import { keyStoreConfig, prepareKeyDir, readPrivateKeyFile, removeFile, writeFileSafely } from './key-files.js';

/**
 * A directory of private keys, one JWK file per key: `<kid>.private.jwk.json`, mode 0600 in a
 * 0700 directory (key-files.ts), kids `<prefix>-<yyyymmdd>-<6 hex>`. The one home of what every
 * key directory does alike: naming, listing, reading in order, writing a new key, deleting one.
 * What a file must hold and how a key is made belong to its owner: the node signing keys
 * (file-key-store.ts), OKP keys (okp-key-directory.ts), SM2 sealing keys (sm2-key-directory.ts)
 * and the federation authority's SM2 keys (federation-signing.ts). Several owners may share one
 * directory: each reads only the kids of its prefix.
 */

const SUFFIX = '.private.jwk.json';

/** What a key read from its file carries at least. */
export interface DatedKey {
  readonly kid: string;
  /** ISO 8601 with an offset (China Standard Time when this node wrote it). */
  readonly createdAt: string;
}

/**
 * The file name of a key.
 *
 * @example keyFileName('SC-20261123-3fa9c1') // 'SC-20261123-3fa9c1.private.jwk.json'
 */
export function keyFileName(kid: string): string {
  return `${kid}${SUFFIX}`;
}

/**
 * The kids of one prefix: `<prefix>-<yyyymmdd>-<6 hex>` (the prefix taken literally).
 *
 * @example kidPattern('SC.card-enc').test('SC.card-enc-20261123-3fa9c1') // true
 */
export function kidPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{8}-[0-9a-f]{6}$`);
}

/**
 * A new kid: the prefix, the Shanghai date of `nowMs` and three random bytes.
 *
 * @example newKid('SC', clock.nowMs()) // 'SC-20261123-3fa9c1'
 */
export function newKid(prefix: string, nowMs: number): string {
  return `${prefix}-${shanghaiDate(nowMs).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
}

/**
 * The keys `load` finds in `dir` (oldest first), creating the directory (0700) and, when there is
 * none, a first key with `create`, so a first start needs no manual step. Two processes opening
 * an empty directory at once may each create a key; both are then valid and the newest is used.
 *
 * @example const keys = await loadOrCreateKeys(dir, () => loadOkpKeys(dir, spec), () => createOkpKey(dir, spec, clock));
 */
export async function loadOrCreateKeys<K>(dir: string, load: () => Promise<K[]>, create: () => Promise<unknown>): Promise<K[]> {
  await prepareKeyDir(dir);
  const keys = await load();
  if (keys.length > 0) return keys;
  await create();
  return load();
}

/**
 * Reads every key of `prefix` in `dir` with `read`, oldest first (createdAt, then kid). `read`
 * gets the file's members (an empty object for a file that is JSON but not an object) and
 * refuses what its owner does not accept; a file that vanished meanwhile (the losing side of a
 * first-start race) is skipped, one others can read is refused (CONFIG_INVALID, key-files.ts).
 *
 * @example const keys = await readKeyDirectory(dir, 'FA', (kid, f) => ({ kid, createdAt: createdAtOf(kid, f) }));
 */
export async function readKeyDirectory<K extends DatedKey>(
  dir: string,
  prefix: string,
  read: (kid: string, fields: Record<string, unknown>) => K | Promise<K>,
  listFailure = 'key store: cannot list the key directory',
): Promise<K[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: listFailure, cause });
  }
  const pattern = kidPattern(prefix);
  const kids = names
    .filter((name) => name.endsWith(SUFFIX))
    .map((name) => name.slice(0, -SUFFIX.length))
    .filter((kid) => pattern.test(kid))
    .sort();
  const keys: K[] = [];
  for (const kid of kids) {
    const parsed = await readPrivateKeyFile(join(dir, keyFileName(kid)), kid);
    if (parsed === undefined) continue;
    keys.push(await read(kid, (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>));
  }
  return keys.sort((a, b) => parseInstant(a.createdAt) - parseInstant(b.createdAt) || (a.kid < b.kid ? -1 : 1));
}

/**
 * The file's `createdAt`, refused (CONFIG_INVALID) unless it is an instant with an offset.
 *
 * @example createdAtOf(kid, { createdAt: '2026-11-23T10:00:00.000+08:00' }) // '2026-11-23T10:00:00.000+08:00'
 */
export function createdAtOf(kid: string, fields: Record<string, unknown>): string {
  const createdAt = fields['createdAt'];
  if (typeof createdAt !== 'string' || Number.isNaN(parseInstant(createdAt))) throw keyStoreConfig(`key file of ${kid} has no valid createdAt`);
  return createdAt;
}

/**
 * Writes the file of a new key, exclusively: returns false, writing nothing, when the kid has a
 * file already.
 *
 * @example if (!(await writeKeyFile(dir, kid, jwk))) throw new GatewayError('INTERNAL', { detail: `key ${kid} exists already` });
 */
export async function writeKeyFile(dir: string, kid: string, content: object): Promise<boolean> {
  return writeFileSafely(dir, keyFileName(kid), `${JSON.stringify(content, null, 2)}\n`, { exclusive: true });
}

/**
 * Writes the file of a new key made under a fresh kid; a kid taken already (three random bytes
 * alike on one day) is refused as INTERNAL rather than overwritten.
 *
 * @example const kid = await writeNewKeyFile(dir, newKid('FA', nowMs), jwk);
 */
export async function writeNewKeyFile(dir: string, kid: string, content: object): Promise<string> {
  if (!(await writeKeyFile(dir, kid, content))) throw new GatewayError('INTERNAL', { detail: `key ${kid} exists already` });
  return kid;
}

/**
 * Deletes the file of one key durably; one already gone is not an error.
 *
 * @example await removeKeyFile(dir, 'SC.card-enc-20261123-3fa9c1');
 */
export async function removeKeyFile(dir: string, kid: string): Promise<void> {
  await removeFile(dir, keyFileName(kid));
}
