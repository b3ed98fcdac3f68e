import { sign, verify } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey } from 'jose';
import { GatewayError, toShanghaiIso, type NodeCode } from '#core';
import type { SuiteName } from './crypto-suite.js';
import { createdAtOf, kidPattern, newKid, readKeyDirectory, writeKeyFile } from './key-directory.js';
import { keyStoreConfig as config } from './key-files.js';
import { okpKeyObject } from './key-objects.js';
import { isKey32, SIGNING_ALG, SM2_ALG, toPublicJwk, toSm2PublicJwk } from './public-jwk.js';
import type { Ed25519SigningKey, SigningKey, Sm2SigningKey } from './signing-key.js';
import { Sm2PrivateKey } from './sm2.js';

/**
 * The files of a node's signing keys (FileKeyStore): what one holds, how it is read and checked
 * (the halves must match) and how a new key is made, in each suite. Naming, listing and writing
 * are key-directory.ts's, as for every key directory.
 */

/**
 * What a key file holds: the private JWK (RFC 7517, RFC 8037) plus two members of our own, which
 * RFC 7517 §4 allows and other JOSE libraries ignore.
 */
interface KeyFile {
  readonly kty: 'OKP' | 'EC';
  readonly crv: 'Ed25519' | 'SM2';
  readonly x: string;
  /** SM2 keys only: the point's second coordinate (RFC 7518 §6.2.1.3). */
  readonly y?: string;
  readonly d: string;
  readonly kid: string;
  readonly alg: 'EdDSA' | 'SM2';
  readonly use: 'sig';
  readonly node: NodeCode;
  readonly createdAt: string;
}

/**
 * The keys of one node in one suite live side by side with the other suite's in the same folder,
 * apart by name: `intl` keeps the names of the first version (`SC-20261123-3fa9c1`, `SC.active`,
 * `SC.keys.json`); `gm` prefixes them with `SC-SM2` (`SC-SM2-20261123-3fa9c1`, `SC-SM2.active`).
 */
export interface Space {
  readonly node: NodeCode;
  readonly suite: SuiteName;
  /** The prefix of kids and state files. */
  readonly ns: string;
}

export function spaceOf(node: NodeCode, suite: SuiteName): Space {
  return { node, suite, ns: suite === 'gm' ? `${node}-SM2` : node };
}

/** A kid carries the node (and SM2 for `gm`) and the Shanghai date it was made: `SC-20261123-3fa9c1`, `SC-SM2-20261123-3fa9c1`. */
export function newSigningKid(space: Space, nowMs: number): string {
  return newKid(space.ns, nowMs);
}

/** Whether `value` is a kid of the space (`SC-…` for intl, `SC-SM2-…` for gm). */
export function isKidOf(space: Space, value: unknown): value is string {
  return typeof value === 'string' && kidPattern(space.ns).test(value);
}

/** Every key of the space in `dir`, oldest first, each imported and checked. */
export async function loadSigningKeys(dir: string, space: Space): Promise<SigningKey[]> {
  return readKeyDirectory(dir, space.ns, (kid, f) => importKeyFile(space, kid, f));
}

/** One key file's members, checked and imported. */
async function importKeyFile(space: Space, kid: string, f: Record<string, unknown>): Promise<SigningKey> {
  const node = space.node;
  const gm = space.suite === 'gm';
  if (gm ? f.kty !== 'EC' || f.crv !== 'SM2' || !isKey32(f.y) : f.kty !== 'OKP' || f.crv !== 'Ed25519') {
    throw config(`key file of ${kid} is not an ${gm ? 'SM2' : 'Ed25519'} private JWK`);
  }
  if (!isKey32(f.x) || !isKey32(f.d)) throw config(`key file of ${kid} is not an ${gm ? 'SM2' : 'Ed25519'} private JWK`);
  if (f.kid !== kid || f.node !== node || (f.alg !== undefined && f.alg !== (gm ? SM2_ALG : SIGNING_ALG))) {
    throw config(`key file of ${kid} names another kid, node or alg`);
  }
  const createdAt = createdAtOf(kid, f);
  return gm ? importSm2SigningKey(kid, node, f.x, f.y as string, f.d, createdAt) : importSigningKey(kid, node, f.x, f.d, createdAt);
}

async function importSigningKey(kid: string, node: NodeCode, x: string, d: string, createdAt: string): Promise<Ed25519SigningKey> {
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  try {
    // Non-extractable (jose's default for private keys): the bytes stay in the file only.
    privateKey = await importJWK({ kty: 'OKP', crv: 'Ed25519', x, d }, SIGNING_ALG, { extractable: false });
    publicKey = await importJWK({ kty: 'OKP', crv: 'Ed25519', x }, SIGNING_ALG);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: key ${kid} cannot be imported`, cause });
  }
  // A file whose x does not belong to its d would sign envelopes that every peer refuses, while
  // publishing a key nobody signs with. One signature at start-up finds that out, made and checked
  // by the same node:crypto KeyObjects that sign and verify every envelope later.
  const signer = okpKeyObject(privateKey, 'ed25519', 'private');
  const verifier = okpKeyObject(publicKey, 'ed25519', 'public');
  const probe = Buffer.from(kid, 'utf8');
  let matches = false;
  let cause: unknown;
  try {
    matches = signer !== undefined && verifier !== undefined && verify(null, probe, verifier, sign(null, probe, signer));
  } catch (error) {
    cause = error;
  }
  if (!matches) {
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: key ${kid}: the public half (x) does not match the private half (d)`, cause });
  }
  return Object.freeze({ kid, node, alg: SIGNING_ALG, privateKey, publicJwk: toPublicJwk(x, kid), createdAt });
}

/**
 * An SM2 key file: the scalar d gives the point, which must be the file's (x, y); a file whose
 * halves disagree would publish a key nobody signs with.
 */
function importSm2SigningKey(kid: string, node: NodeCode, x: string, y: string, d: string, createdAt: string): Sm2SigningKey {
  const privateKey = Sm2PrivateKey.fromScalar(Buffer.from(d, 'base64url'));
  if (privateKey === undefined) throw new GatewayError('CONFIG_INVALID', { detail: `key store: key ${kid}: d is not an SM2 private key` });
  const point = privateKey.publicKey.coordinates();
  if (point.x.toString('base64url') !== x || point.y.toString('base64url') !== y) {
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: key ${kid}: the public half (x, y) does not match the private half (d)` });
  }
  return Object.freeze({ kid, node, alg: SM2_ALG, privateKey, publicJwk: toSm2PublicJwk(x, y, kid), createdAt });
}
/**
 * Makes a new key pair of the space's suite and writes its file under `kid` (exclusive: an existing
 * file is left as it is, and the caller reads back what is on disk).
 */
export async function writeSigningKeyFile(dir: string, space: Space, kid: string, nowMs: number): Promise<void> {
  const content: KeyFile = space.suite === 'gm' ? newSm2KeyFile(space.node, kid, nowMs) : await newEd25519KeyFile(space.node, kid, nowMs);
  await writeKeyFile(dir, kid, content);
}

async function newEd25519KeyFile(node: NodeCode, kid: string, nowMs: number): Promise<KeyFile> {
  let jwk: { x?: unknown; d?: unknown };
  try {
    // Extractable only for this one export to the file; the key used for signing is re-imported
    // from the file's contents as non-extractable, by the same path as every later start.
    const pair = await generateKeyPair(SIGNING_ALG, { extractable: true });
    jwk = await exportJWK(pair.privateKey);
  } catch (cause) {
    throw new GatewayError('INTERNAL', { detail: 'cannot generate an Ed25519 key', cause });
  }
  if (!isKey32(jwk.x) || !isKey32(jwk.d)) throw new GatewayError('INTERNAL', { detail: 'the generated key is not Ed25519' });
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d, kid, alg: SIGNING_ALG, use: 'sig', node, createdAt: toShanghaiIso(nowMs) };
}

/** An SM2 key as a JWK written by hand (Node cannot export one): RFC 7518 §6.2 members under crv SM2. */
function newSm2KeyFile(node: NodeCode, kid: string, nowMs: number): KeyFile {
  return { ...newSm2SigningJwk(kid), node, createdAt: toShanghaiIso(nowMs) };
}

/**
 * A new SM2 signing key pair as a private JWK (RFC 7518 §6.2 members under crv SM2, written by
 * hand: Node cannot export one), for a key file: the node's keys add their node, and every owner
 * its `createdAt`.
 *
 * @example const content = { ...newSm2SigningJwk('FA-SM2-20261123-3fa9c1'), createdAt };
 */
export function newSm2SigningJwk(kid: string): { kty: 'EC'; crv: 'SM2'; x: string; y: string; d: string; kid: string; alg: 'SM2'; use: 'sig' } {
  const key = Sm2PrivateKey.generate();
  const { x, y } = key.publicKey.coordinates();
  return {
    kty: 'EC',
    crv: 'SM2',
    x: x.toString('base64url'),
    y: y.toString('base64url'),
    d: key.toPrivateScalar().toString('base64url'),
    kid,
    alg: SM2_ALG,
    use: 'sig',
  };
}
