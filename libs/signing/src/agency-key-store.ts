import { importJWK, type CryptoKey } from 'jose';
import { GatewayError, parseInstant, type Clock } from '#core';
import { GM_SUITE, INTL_SUITE, suiteNamed, type CryptoSuite, type SuiteName } from './crypto-suite.js';
import { createOkpKey, loadOkpKeys, loadOrCreateOkpKeys, removeOkpKey, type OkpKeySpec } from './okp-key-directory.js';
import { SEAL_ALG, toEncryptionJwk, toSm2EncryptionJwk, type EncryptionPublicJwk } from './public-jwk.js';
import { importSealingKey, openSealed, sealFor, type DecryptionKeyResolver } from './sealed-data.js';
import { createSm2Key, loadOrCreateSm2Keys, loadSm2Keys, removeSm2Key, type Sm2KeySpec } from './sm2-key-directory.js';
import { Sm2PrivateKey } from './sm2-key.js';

/** An agency code as the routing names it: `<node>.<function>`, e.g. `SC.card`. */
const AGENCY_CODE = /^(SC|CQ)\.[a-z][a-z0-9-]{0,31}$/;

/**
 * Whether `value` is an agency code (`SC.card`, `CQ.pension`).
 *
 * @example isAgencyCode('SC.card') // true
 */
export function isAgencyCode(value: unknown): value is string {
  return typeof value === 'string' && AGENCY_CODE.test(value);
}

/** One of the agency's keys as it is published: its kid, public JWK and age. */
export interface AgencyEncryptionKey {
  readonly kid: string;
  readonly publicJwk: EncryptionPublicJwk;
  /** ISO 8601, China Standard Time. */
  readonly createdAt: string;
}

export interface AgencyKeyStoreOptions {
  /**
   * How long a replaced key stays to open data sealed for it, in seconds, counted from when its
   * successor was made: at least the time the federation takes to list the successor plus the
   * envelope TTL plus the longest a sealed field waits in an outbox. Default 30 days.
   */
  readonly retentionSeconds?: number;
  /**
   * The suite of the keys: `intl` (X25519, the default) or `gm` (SM2). One store holds the keys of
   * one suite; both kinds may share a directory (their kids differ: `<agency>-enc-…`,
   * `<agency>-sm2-enc-…`).
   */
  readonly suite?: SuiteName;
}

/** A key file as either directory reads it: X25519 has no y. */
interface StoredKey {
  readonly kid: string;
  readonly x: string;
  readonly y?: string;
  readonly d: string;
  readonly createdAt: string;
}

interface Loaded {
  readonly privateKey: CryptoKey | Sm2PrivateKey;
  readonly info: AgencyEncryptionKey;
}

const DEFAULT_RETENTION_SECONDS = 30 * 86_400;

/**
 * An agency's decryption keys, X25519 under the `intl` suite or SM2 under `gm` (the agency adapter holds them; the gateways only ever see
 * the public halves, through the federation), one file per key in a directory only the service
 * user can read (0600 files in a 0700 directory; a key file others can read stops the start with
 * CONFIG_INVALID). The first `open` makes a key, so a first start needs no manual step.
 *
 * The newest key is the one to publish first in the federation (`publicJwks()` lists it first);
 * older keys stay to open what was sealed for them until `pruneRetired`. Keys are imported once,
 * at open (and after `rotate`/`reload`), as non-extractable CryptoKeys.
 *
 * @example
 *   const keys = await AgencyKeyStore.open('/var/lib/cytb/agency-keys', 'SC.card', new SystemClock());
 *   federationAgency.encryptionKeys = keys.publicJwks().keys;
 *   const personal = await openSealed(sealed, keys);
 */
export class AgencyKeyStore implements DecryptionKeyResolver {
  private constructor(
    readonly dir: string,
    readonly agency: string,
    /** The suite of every key here; `openSealed(…, { suite })` accepts that suite's profile only. */
    readonly suite: CryptoSuite,
    private readonly clock: Clock,
    private readonly retentionSeconds: number,
    private loaded: readonly Loaded[],
  ) {}

  /**
   * Opens (and on first use creates) the keys of `agency` in `dir`, of `options.suite` (`intl`
   * unless given). Refuses with CONFIG_INVALID an agency code that is not `<node>.<function>`, an
   * unknown suite, a key file others can read, or a key whose halves do not match.
   *
   * @example const keys = await AgencyKeyStore.open(join(stateDir, 'keys'), 'SC.card', clock);
   * @example const sm2 = await AgencyKeyStore.open(dir, 'SC.card', clock, { suite: 'gm' }); // SM2 keys
   */
  static async open(dir: string, agency: string, clock: Clock, options: AgencyKeyStoreOptions = {}): Promise<AgencyKeyStore> {
    if (!isAgencyCode(agency)) throw new GatewayError('CONFIG_INVALID', { detail: 'agency key store: the agency code must be <SC|CQ>.<function>' });
    const retention = options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS;
    if (!Number.isSafeInteger(retention) || retention < 0) {
      throw new GatewayError('CONFIG_INVALID', { detail: 'agency key store: retentionSeconds must be a whole number of seconds' });
    }
    const suite = suiteNamed(options.suite ?? INTL_SUITE.name);
    if (suite === undefined) throw new GatewayError('CONFIG_INVALID', { detail: 'agency key store: the suite must be intl or gm' });
    const store = new AgencyKeyStore(dir, agency, suite, clock, retention, []);
    store.loaded = await importAll(await store.loadOrCreate());
    return store;
  }

  /** The newest key: the one senders should seal for once the federation lists it. */
  current(): AgencyEncryptionKey {
    return (this.loaded[this.loaded.length - 1]).info;
  }

  /**
   * The public keys to list in the federation under this agency, newest first (RFC 7517 §5).
   * Built from the public members only: a private part cannot get in by accident.
   *
   * @example keys.publicJwks().keys[0] // { kty: 'OKP', crv: 'X25519', x: '…', kid: 'SC.card-enc-20261123-3fa9c1', alg: 'ECDH-ES+A256KW', use: 'enc' }
   * @example sm2.publicJwks().keys[0] // { kty: 'EC', crv: 'SM2', x: '…', y: '…', kid: 'SC.card-sm2-enc-20261123-9d04e2', alg: 'SM2-ECDH-ES', use: 'enc' }
   */
  publicJwks(): { keys: EncryptionPublicJwk[] } {
    return { keys: [...this.loaded].reverse().map((k) => k.info.publicJwk) };
  }

  /**
   * The private key named `kid`, for `openSealed`; `undefined` for a key this agency does not hold.
   *
   * @example await openSealed(sealed, keys) // calls keys.decryptionKey(header.kid)
   */
  decryptionKey(kid: string): CryptoKey | Sm2PrivateKey | undefined {
    return this.loaded.find((k) => k.info.kid === kid)?.privateKey;
  }

  /**
   * Rotation: makes a new key, which becomes `current()` and the first of `publicJwks()`. Older
   * keys stay, so data sealed for them still opens. Publish the new list in the federation; senders
   * move to the new key when they load it.
   *
   * @example const next = await keys.rotate(); // then list keys.publicJwks().keys in the federation
   */
  async rotate(): Promise<AgencyEncryptionKey> {
    if (this.suite === GM_SUITE) await createSm2Key(this.dir, this.sm2Spec(), this.clock);
    else await createOkpKey(this.dir, this.okpSpec(), this.clock);
    await this.reload();
    return this.current();
  }

  /**
   * Deletes keys that are not the newest, are no longer listed in the federation (`published`,
   * the kids the signed federation lists for this agency), and whose successor was made more than
   * `retentionSeconds` ago; returns their kids. Refuses with KEY_ROTATION_REFUSED when `published`
   * does not list the current key: pruning against a federation that still sends to old keys would
   * make the data sealed for them unreadable.
   *
   * @example const deleted = await keys.pruneRetired({ published: agency.encryptionKeys.map((k) => k.kid) });
   */
  async pruneRetired(options: { readonly published: readonly string[] }): Promise<string[]> {
    await this.reload();
    if (!options.published.includes(this.current().kid)) {
      throw new GatewayError('KEY_ROTATION_REFUSED', {
        detail: `the federation does not list the current key ${this.current().kid} yet: publish it before deleting older keys`,
      });
    }
    const nowMs = this.clock.nowMs();
    const due: string[] = [];
    for (const [i, k] of this.loaded.entries()) {
      const successor = this.loaded[i + 1];
      if (successor === undefined || options.published.includes(k.info.kid)) continue;
      if (nowMs > parseInstant(successor.info.createdAt) + this.retentionSeconds * 1000) due.push(k.info.kid);
    }
    for (const kid of due) await (this.suite === GM_SUITE ? removeSm2Key(this.dir, kid) : removeOkpKey(this.dir, kid));
    if (due.length > 0) await this.reload();
    return due;
  }

  /**
   * Reads the directory again (for a process sharing it with the one that rotated).
   *
   * @example await keys.reload();
   */
  async reload(): Promise<void> {
    const stored: readonly StoredKey[] = this.suite === GM_SUITE ? await loadSm2Keys(this.dir, this.sm2Spec()) : await loadOkpKeys(this.dir, this.okpSpec());
    if (stored.length === 0) throw new GatewayError('CONFIG_INVALID', { detail: `agency key store: no key of ${this.agency} is left in the directory` });
    const byKid = new Map(this.loaded.map((k) => [k.info.kid, k]));
    // Keys already imported are reused; only new files are imported.
    this.loaded = await importAll(stored, byKid);
  }

  private loadOrCreate(): Promise<readonly StoredKey[]> {
    return this.suite === GM_SUITE ? loadOrCreateSm2Keys(this.dir, this.sm2Spec(), this.clock) : loadOrCreateOkpKeys(this.dir, this.okpSpec(), this.clock);
  }

  private okpSpec(): OkpKeySpec {
    return { crv: 'X25519', alg: SEAL_ALG, use: 'enc', kidPrefix: `${this.agency}-enc` };
  }

  private sm2Spec(): Sm2KeySpec {
    return { alg: GM_SUITE.sealAlg, use: 'enc', kidPrefix: `${this.agency}-sm2-enc` };
  }
}

async function importAll(stored: readonly StoredKey[], known: ReadonlyMap<string, Loaded> = new Map()): Promise<Loaded[]> {
  const out: Loaded[] = [];
  for (const s of stored) out.push(known.get(s.kid) ?? (await importOne(s)));
  return out;
}

async function importOne(stored: StoredKey): Promise<Loaded> {
  let privateKey: CryptoKey | Sm2PrivateKey;
  let publicJwk: EncryptionPublicJwk;
  try {
    if (stored.y !== undefined) {
      // SM2: node:crypto's ECDH object holds the scalar; it checks that d belongs to (x, y).
      privateKey = Sm2PrivateKey.fromJwk({ x: stored.x, y: stored.y, d: stored.d });
      publicJwk = toSm2EncryptionJwk({ x: stored.x, y: stored.y }, stored.kid);
    } else {
      // Non-extractable: the bytes stay in the file only.
      privateKey = await importJWK({ kty: 'OKP', crv: 'X25519', x: stored.x, d: stored.d }, SEAL_ALG, { extractable: false });
      publicJwk = toEncryptionJwk(stored.x, stored.kid);
    }
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `agency key store: key ${stored.kid} cannot be imported (or its public half does not match its private half)`, cause });
  }
  // A file whose public half does not belong to its private half would publish a key nobody can
  // open: one seal and open at start-up finds that out.
  const key = privateKey;
  const probe: DecryptionKeyResolver = { decryptionKey: (kid) => (kid === stored.kid ? key : undefined) };
  try {
    const sealing = await importSealingKey(publicJwk);
    await openSealed(await sealFor(sealing.key, { probe: stored.kid }, { kid: stored.kid }), probe);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `agency key store: key ${stored.kid}: the public half does not match the private half (d)`, cause });
  }
  return Object.freeze({ privateKey, info: Object.freeze({ kid: stored.kid, publicJwk, createdAt: stored.createdAt }) });
}
