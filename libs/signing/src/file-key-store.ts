import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chmod, link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type CryptoKey } from 'jose';
import { Clock, GatewayError, isNodeCode, parseInstant, shanghaiDate, toShanghaiIso, type NodeCode } from '#core';
import { isKey32, SIGNING_ALG, toPublicJwk, type PublicJwk } from './public-jwk.js';
import type { SigningKey } from './signing-key.js';

/**
 * What a key file holds: the private JWK (RFC 7517, RFC 8037) plus two members of our own, which
 * RFC 7517 §4 allows and other JOSE libraries ignore.
 */
interface KeyFile {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly d: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
  readonly node: NodeCode;
  readonly createdAt: string;
}

const KEY_FILE_SUFFIX = '.private.jwk.json';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * A node's signing keys, one file per key in a directory only the service user can read:
 * `<kid>.private.jwk.json` (mode 0600, directory 0700), plus the marker file `<node>.active` that
 * names the key in use. Keys of the other node in the same directory are ignored, so one directory
 * may serve both nodes of the local stack.
 *
 * The first `open` creates a key, so a first start needs no manual step. Rotation (issue 6) adds
 * a key file, publishes it, then moves the marker; old keys stay in `all()` and in the JWKS until
 * their envelopes and receipts no longer need verifying.
 *
 * Keys are imported once, at open; the private CryptoKey is not extractable.
 *
 * @example
 *   const keys = await FileKeyStore.open('/var/lib/cytb/keys', 'SC', new SystemClock());
 *   await signEnvelope(keys.current(), claims);
 *   reply.send(keys.publicJwks());
 */
export class FileKeyStore {
  private readonly jwks: { readonly keys: readonly PublicJwk[] };

  private constructor(
    readonly dir: string,
    readonly node: NodeCode,
    private readonly keys: readonly SigningKey[],
    private readonly active: SigningKey,
  ) {
    this.jwks = Object.freeze({ keys: Object.freeze(keys.map((k) => k.publicJwk)) });
  }

  /**
   * Opens (and on first use creates) the key store of `node` in `dir`. Refuses with CONFIG_INVALID
   * a key file that others can read, that does not parse, or whose halves do not match.
   *
   * @example const keys = await FileKeyStore.open(join(dataDir, 'sc', 'keys'), 'SC', clock);
   */
  static async open(dir: string, node: NodeCode, clock: Clock): Promise<FileKeyStore> {
    if (!isNodeCode(node)) throw new GatewayError('CONFIG_INVALID', { detail: 'the key store node must be SC or CQ' });
    await io(`cannot prepare the key directory`, async () => {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
      // mkdir's mode is filtered by the umask and ignored for an existing directory: set it.
      await chmod(dir, DIR_MODE);
    });

    // Two processes may open an empty store at once (the local stack and a node it starts):
    // whoever writes the marker first wins; the other discards its key and reads the winner's.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const keys = await loadKeys(dir, node);
      let activeKid = await readMarker(dir, node);
      if (keys.length === 0) {
        if (activeKid !== undefined) throw config(`${markerName(node)} names ${activeKid}, but there is no key file`);
        const created = await createKey(dir, node, clock);
        const won = await writeMarker(dir, node, created, { exclusive: true });
        // Lost the race, unless the winner (seeing our key without a marker) chose our key.
        if (!won && (await readMarker(dir, node)) !== created) await removeQuietly(join(dir, keyFileName(created)));
        continue; // read back what is on disk, whoever wrote it
      }
      if (activeKid === undefined) {
        // Keys without a marker (deleted by hand, or a crash between the two writes): the newest
        // key is the only sensible choice, and every process makes the same one.
        activeKid = newest(keys).kid;
        await writeMarker(dir, node, activeKid, { exclusive: false });
      }
      const active = keys.find((k) => k.kid === activeKid);
      if (active === undefined) throw config(`${markerName(node)} names ${activeKid}, which has no key file`);
      return new FileKeyStore(dir, node, Object.freeze(keys), active);
    }
    throw new GatewayError('INTERNAL', { detail: 'the key store kept changing while it was opened' });
  }

  /** The key to sign with now. */
  current(): SigningKey {
    return this.active;
  }

  /** Every key of this node, oldest first, including keys kept only so that peers can still verify. */
  all(): readonly SigningKey[] {
    return this.keys;
  }

  /**
   * The public keys for `GET /.well-known/jwks.json` (RFC 7517 §5). Built from the public members
   * only (kty, crv, x, kid, alg, use): a private part cannot get in by accident.
   *
   * @example keys.publicJwks() // { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '…', kid: 'SC-20260105-3fa9c1', alg: 'EdDSA', use: 'sig' }] }
   */
  publicJwks(): { keys: PublicJwk[] } {
    return { keys: [...this.jwks.keys] };
  }
}

// --- files ---

function keyFileName(kid: string): string {
  return `${kid}${KEY_FILE_SUFFIX}`;
}

function markerName(node: NodeCode): string {
  return `${node}.active`;
}

function kidPattern(node: NodeCode): RegExp {
  return new RegExp(`^${node}-\\d{8}-[0-9a-f]{6}$`);
}

async function loadKeys(dir: string, node: NodeCode): Promise<SigningKey[]> {
  const names = await io('cannot list the key directory', () => readdir(dir));
  const pattern = kidPattern(node);
  const kids = names
    .filter((name) => name.endsWith(KEY_FILE_SUFFIX))
    .map((name) => name.slice(0, -KEY_FILE_SUFFIX.length))
    .filter((kid) => pattern.test(kid))
    .sort();
  const keys: SigningKey[] = [];
  for (const kid of kids) {
    const key = await loadKey(dir, node, kid);
    if (key !== undefined) keys.push(key);
  }
  return keys.sort((a, b) => parseInstant(a.createdAt) - parseInstant(b.createdAt) || (a.kid < b.kid ? -1 : 1));
}

/** Loads one key file; `undefined` if it vanished meanwhile (the losing side of a first-start race). */
async function loadKey(dir: string, node: NodeCode, kid: string): Promise<SigningKey | undefined> {
  const file = join(dir, keyFileName(kid));
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: cannot read key ${kid}`, cause: error });
  }
  if ((info.mode & 0o077) !== 0) {
    // As ssh does with a private key others can read: refuse rather than use a key that may leak.
    throw config(`key file of ${kid} is readable or writable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    if (isErrno(cause, 'ENOENT')) return undefined;
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: key file of ${kid} is not JSON`, cause });
  }
  const f = (parsed ?? {}) as Partial<Record<keyof KeyFile, unknown>>;
  if (f.kty !== 'OKP' || f.crv !== 'Ed25519' || !isKey32(f.x) || !isKey32(f.d)) {
    throw config(`key file of ${kid} is not an Ed25519 private JWK`);
  }
  if (f.kid !== kid || f.node !== node || (f.alg !== undefined && f.alg !== SIGNING_ALG)) {
    throw config(`key file of ${kid} names another kid, node or alg`);
  }
  if (typeof f.createdAt !== 'string' || Number.isNaN(parseInstant(f.createdAt))) {
    throw config(`key file of ${kid} has no valid createdAt`);
  }
  return importSigningKey(kid, node, f.x, f.d, f.createdAt);
}

async function importSigningKey(kid: string, node: NodeCode, x: string, d: string, createdAt: string): Promise<SigningKey> {
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
  // publishing a key nobody signs with. One signature at start-up finds that out.
  try {
    const probe = await new CompactSign(new TextEncoder().encode(kid)).setProtectedHeader({ alg: SIGNING_ALG }).sign(privateKey);
    await compactVerify(probe, publicKey, { algorithms: [SIGNING_ALG] });
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: key ${kid}: the public half (x) does not match the private half (d)`, cause });
  }
  return Object.freeze({ kid, node, alg: SIGNING_ALG, privateKey, publicJwk: toPublicJwk(x, kid), createdAt });
}

/** Makes a new key and writes its file; returns its kid. */
async function createKey(dir: string, node: NodeCode, clock: Clock): Promise<string> {
  const nowMs = clock.nowMs();
  const kid = `${node}-${shanghaiDate(nowMs).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
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
  const content: KeyFile = {
    kty: 'OKP',
    crv: 'Ed25519',
    x: jwk.x,
    d: jwk.d,
    kid,
    alg: SIGNING_ALG,
    use: 'sig',
    node,
    createdAt: toShanghaiIso(nowMs),
  };
  await writeFileSafely(dir, keyFileName(kid), `${JSON.stringify(content, null, 2)}\n`, { exclusive: true });
  return kid;
}

async function readMarker(dir: string, node: NodeCode): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, markerName(node)), 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new GatewayError('CONFIG_INVALID', { detail: `cannot read ${markerName(node)}`, cause: error });
  }
  const kid = text.trim();
  if (!kidPattern(node).test(kid)) throw config(`${markerName(node)} does not hold a kid of ${node}`);
  return kid;
}

/** Writes the marker; with `exclusive`, returns false if another process wrote one first. */
async function writeMarker(dir: string, node: NodeCode, kid: string, opts: { exclusive: boolean }): Promise<boolean> {
  return writeFileSafely(dir, markerName(node), `${kid}\n`, opts);
}

/**
 * Writes a file so that a reader never sees half of it, and a crash never leaves half of it: a
 * temporary file (mode 0600, fsync'd) is linked (exclusive: fails if the name exists) or renamed
 * into place, then the directory is fsync'd. Returns false when `exclusive` and the name exists.
 */
async function writeFileSafely(dir: string, name: string, data: string, opts: { exclusive: boolean }): Promise<boolean> {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  return io(`cannot write ${name}`, async () => {
    const handle = await open(tmp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.chmod(FILE_MODE); // the umask may have removed bits we want exact
      await handle.sync();
    } finally {
      await handle.close();
    }
    let written = true;
    try {
      if (opts.exclusive) await link(tmp, target);
      else await rename(tmp, target);
    } catch (error) {
      if (!(opts.exclusive && isErrno(error, 'EEXIST'))) throw error;
      written = false;
    } finally {
      if (opts.exclusive) await removeQuietly(tmp);
    }
    await syncDir(dir);
    return written;
  });
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeQuietly(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch {
    // Already gone: nothing to do.
  }
}

function newest(keys: readonly SigningKey[]): SigningKey {
  return keys[keys.length - 1]; // loadKeys sorts oldest first
}

async function io<T>(detail: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (cause) {
    if (cause instanceof GatewayError) throw cause;
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: ${detail}`, cause });
  }
}

function config(detail: string): GatewayError {
  return new GatewayError('CONFIG_INVALID', { detail: `key store: ${detail}` });
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
