import { randomBytes, sign, verify } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey } from 'jose';
import { Clock, GatewayError, isNodeCode, parseInstant, shanghaiDate, toShanghaiIso, type NodeCode } from '#core';
import {
  keyStoreConfig as config,
  prepareKeyDir,
  readOptionalText,
  readPrivateKeyFile,
  removeFile,
  removeQuietly,
  writeFileSafely,
} from './key-files.js';
import type { SuiteName } from './crypto-suite.js';
import { isKey32, SIGNING_ALG, SM2_ALG, toPublicJwk, toSm2PublicJwk, type PublicJwk } from './public-jwk.js';
import { okpKeyObject } from './key-objects.js';
import type { Ed25519SigningKey, SigningKey, Sm2SigningKey } from './signing-key.js';
import { Sm2PrivateKey } from './sm2.js';

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
interface Space {
  readonly node: NodeCode;
  readonly suite: SuiteName;
  /** The prefix of kids and state files. */
  readonly ns: string;
}

function spaceOf(node: NodeCode, suite: SuiteName): Space {
  return { node, suite, ns: suite === 'gm' ? `${node}-SM2` : node };
}

/**
 * What `<node>.keys.json` holds once a rotation has begun. Absent in a store that never rotated
 * (the layout of the first version: key files plus `<node>.active`), which opens as before.
 */
interface RotationFile {
  readonly version: 1;
  readonly active: string;
  readonly next?: string;
  readonly retiring: readonly { readonly kid: string; readonly retireAfter: string }[];
}

/**
 * The state of a key in its life: `next` is published but not used, `active` signs, `retiring`
 * is published for verification only, until its `retireAfter` instant.
 */
export type KeyState = 'active' | 'next' | 'retiring';

/** One key as an operator sees it (issue 6: age and expiry, with a warning well before). */
export interface KeyStatus {
  readonly kid: string;
  /** The suite the key signs in (`intl`: Ed25519, `gm`: SM2). */
  readonly suite: SuiteName;
  readonly state: KeyState;
  /** ISO 8601, China Standard Time. */
  readonly createdAt: string;
  /** Whole days since `createdAt`. */
  readonly ageDays: number;
  /**
   * Retiring keys only: when `pruneRetired` may delete the key. Absent for a retiring key the store
   * found without a recorded state (left by hand or by a crash): it is kept until an operator acts.
   */
  readonly retireAfter?: string;
  /** `createdAt` + `maxAgeDays`: when the key should have been replaced. */
  readonly rotateBy: string;
  /** The key is active or next and `rotateBy` is less than `warnDays` away (or past). */
  readonly warning: boolean;
}

export interface FileKeyStoreOptions {
  /** The longest a key should sign, in days (rotateBy = createdAt + maxAgeDays). Default 365. */
  readonly maxAgeDays?: number;
  /** How many days before rotateBy `keyStatus` starts warning. Default 30. */
  readonly warnDays?: number;
  /**
   * How long a replaced key stays published for verification, in seconds: at least the envelope
   * TTL plus the clock skew allowed, so that every envelope it signed expires first. Default 8
   * days (the gateway's default TTL of 7 days, plus a day for skew and retries).
   */
  readonly retentionSeconds?: number;
  /** When given, `open` refuses a `retentionSeconds` shorter than this (CONFIG_INVALID). */
  readonly envelopeTtlSeconds?: number;
}

/** What `rotate()` did. */
export type RotationStep =
  | { readonly action: 'prepared'; readonly kid: string; readonly publishBy: string }
  | { readonly action: 'activated'; readonly kid: string; readonly retiring: string; readonly retireAfter: string };

export interface RotateOptions {
  /** The kids the federation the peers run lists for this node; the next key must be among them. */
  readonly publishedKids?: readonly string[];
  /** How long the next key must have been published before it signs. Default 1 day. */
  readonly minPublishedSeconds?: number;
}

const DEFAULT_MIN_PUBLISHED_SECONDS = 86_400;
const KEY_FILE_SUFFIX = '.private.jwk.json';
const DAY_MS = 86_400_000;
const DEFAULTS = { maxAgeDays: 365, warnDays: 30, retentionSeconds: 8 * 86_400 } as const;

/** What the store knows at one moment; replaced as a whole, never changed in place. */
interface View {
  readonly keys: readonly SigningKey[];
  readonly active: SigningKey;
  readonly next: SigningKey | undefined;
  /** Retiring keys with a recorded retireAfter (ms); other non-active, non-next keys have none. */
  readonly retireAfter: ReadonlyMap<string, number>;
  readonly jwks: { readonly keys: readonly PublicJwk[] };
}

/**
 * A node's signing keys, one file per key in a directory only the service user can read:
 * `<kid>.private.jwk.json` (mode 0600, directory 0700), the marker file `<node>.active` that
 * names the key in use, and, once a rotation has begun, `<node>.keys.json` with the states of the
 * keys (which one is next, when each retiring key may go). Keys of the other node in the same
 * directory are ignored, so one directory may serve both nodes of the local stack.
 *
 * The first `open` creates a key, so a first start needs no manual step. Rotation (issue 6,
 * docs/operations/key-rotation.md: the next key is published before use and the old one kept for
 * verification until its messages expire):
 *
 *   1. `prepareNext()` makes the next key; it is in `publicJwks()` but does not sign yet.
 *      Peers fetch it from this node's `/.well-known/jwks.json` the first time they see its kid
 *      (TrustStore); where the federation gives the node no `jwksUrl`, it must be added to a
 *      newly signed federation instead (KeyRotationService checks which).
 *   2. `activateNext()` once the peers trust it: it signs from now on, and the old key becomes
 *      `retiring`, still published, until `retireAfter` = now + `retentionSeconds`.
 *   3. `pruneRetired()` later deletes retiring keys whose `retireAfter` has passed.
 *
 * Keys are imported once, at open (and at `reload`); the private CryptoKey is not extractable.
 * One process should rotate; other processes sharing the directory see the change at `reload()`
 * (or a restart), and keep signing with the old key until then, which stays valid meanwhile.
 *
 * @example
 *   const keys = await FileKeyStore.open('/var/lib/cytb/keys', 'SC', new SystemClock(), { retentionSeconds: 8 * 86400 });
 *   await signEnvelope(keys.current(), claims);
 *   reply.send(keys.publicJwks());
 */
export class FileKeyStore<K extends SigningKey = SigningKey> {
  /** One view per suite whose keys the store holds; the signing suite's is always there. */
  private readonly views = new Map<SuiteName, View>();
  /** Rotation steps of this process run one at a time (an operator's double click makes one key). */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly node: NodeCode,
    private readonly clock: Clock,
    private readonly options: Required<Omit<FileKeyStoreOptions, 'envelopeTtlSeconds'>>,
    private signing: SuiteName,
  ) {}

  /** The signing suite's view. */
  private get view(): View {
    const view = this.views.get(this.signing);
    if (view === undefined) throw new GatewayError('INTERNAL', { detail: `the key store holds no ${this.signing} keys` });
    return view;
  }

  private set view(view: View) {
    this.views.set(this.signing, view);
  }

  /** Where the signing suite's files are. */
  private get space(): Space {
    return spaceOf(this.node, this.signing);
  }

  /**
   * Opens (and on first use creates) the key store of `node` in `dir`. Refuses with CONFIG_INVALID
   * a key file that others can read, that does not parse, or whose halves do not match, and
   * options that do not make sense.
   *
   * @example const keys = await FileKeyStore.open(join(dataDir, 'sc', 'keys'), 'SC', clock, { maxAgeDays: 180 });
   */
  static async open(dir: string, node: NodeCode, clock: Clock, options: FileKeyStoreOptions & { readonly suite: SuiteName }): Promise<FileKeyStore>;
  static async open(dir: string, node: NodeCode, clock: Clock, options?: FileKeyStoreOptions): Promise<FileKeyStore<Ed25519SigningKey>>;
  static async open(dir: string, node: NodeCode, clock: Clock, options: FileKeyStoreOptions & { readonly suite?: SuiteName } = {}): Promise<FileKeyStore> {
    if (!isNodeCode(node)) throw new GatewayError('CONFIG_INVALID', { detail: 'the key store node must be SC or CQ' });
    const suite = options.suite ?? 'intl';
    if (suite !== 'intl' && suite !== 'gm') throw new GatewayError('CONFIG_INVALID', { detail: 'the key store suite must be intl or gm' });
    const checked = checkOptions(options);
    await prepareKeyDir(dir);
    const store = new FileKeyStore(dir, node, clock, checked, suite);
    await store.loadAll();
    return store;
  }

  /**
   * Signs in `suite` from now on (a federation moved to it, issue 17), making its first key if the
   * store has none: the first start of a suite needs no manual step, as the first start of a node.
   * The keys of the other suite stay published, for what peers still have to verify.
   *
   * @example await keys.useSuite(federation.suite ?? 'intl');
   */
  async useSuite(suite: SuiteName): Promise<void> {
    await this.exclusive(async () => {
      await prepareKeyDir(this.dir);
      this.views.set(suite, await loadView(this.dir, spaceOf(this.node, suite), this.clock));
      this.signing = suite;
    });
  }

  /**
   * Makes (or loads) the keys of `suite` and publishes them without signing with them: the first
   * step of a move to another suite, as `prepareNext` is of a key rotation. List the returned key
   * in the federation before the federation moves.
   *
   * @example const sm2 = await keys.prepareSuite('gm'); // then add sm2.publicJwk to the federation
   */
  async prepareSuite(suite: SuiteName): Promise<SigningKey> {
    return this.exclusive(async () => {
      const view = await loadView(this.dir, spaceOf(this.node, suite), this.clock);
      this.views.set(suite, view);
      return view.active;
    });
  }

  /** The key that signs in `suite` (once the store uses it), or undefined when the store holds no keys of that suite. */
  activeOf(suite: SuiteName): SigningKey | undefined {
    return this.views.get(suite)?.active;
  }

  /** The suite this store signs in. */
  get suite(): SuiteName {
    return this.signing;
  }

  /** The key to sign with now. */
  current(): K {
    return this.view.active as K;
  }

  /** Every key of this node, every suite, oldest first, including keys kept only so that peers can still verify. */
  all(): readonly SigningKey[] {
    return [...this.views.values()].flatMap((v) => v.keys);
  }

  /**
   * The public keys for `GET /.well-known/jwks.json` (RFC 7517 §5): the active key, the next one
   * and the retiring ones. Built from the public members only (kty, crv, x, kid, alg, use): a
   * private part cannot get in by accident.
   *
   * @example keys.publicJwks() // { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '…', kid: 'SC-20260105-3fa9c1', alg: 'EdDSA', use: 'sig' }] }
   */
  publicJwks(): { keys: PublicJwk[] } {
    // The signing suite first: a reader that takes the first key gets the one in use.
    const views = [this.view, ...[...this.views].filter(([suite]) => suite !== this.signing).map(([, v]) => v)];
    return { keys: views.flatMap((v) => v.jwks.keys) };
  }

  /**
   * Each key's state, age and rotation deadline, oldest first, for the operator console.
   *
   * @example
   *   keys.keyStatus()
   *   // [{ kid: 'SC-20260105-3fa9c1', state: 'active', createdAt: '2026-01-05T09:00:00.000+08:00', ageDays: 340,
   *   //    rotateBy: '2027-01-05T09:00:00.000+08:00', warning: true }]
   */
  keyStatus(): KeyStatus[] {
    const nowMs = this.clock.nowMs();
    const { maxAgeDays, warnDays } = this.options;
    return [...this.views].flatMap(([suite, view]) => view.keys.map((key): KeyStatus => {
      const createdMs = parseInstant(key.createdAt);
      const rotateByMs = createdMs + maxAgeDays * DAY_MS;
      const state = stateOf(view, key.kid);
      const retireAfterMs = view.retireAfter.get(key.kid);
      return {
        kid: key.kid,
        suite,
        state,
        createdAt: key.createdAt,
        ageDays: Math.max(0, Math.floor((nowMs - createdMs) / DAY_MS)),
        ...(retireAfterMs === undefined ? {} : { retireAfter: toShanghaiIso(retireAfterMs) }),
        rotateBy: toShanghaiIso(rotateByMs),
        // A retiring key no longer signs: its age needs no action, so it never warns.
        warning: state !== 'retiring' && nowMs >= rotateByMs - warnDays * DAY_MS,
      };
    }));
  }

  /**
   * Rotation step 1: makes the next key and publishes it in `publicJwks()` without signing with
   * it. If a next key already exists, returns it unchanged (calling twice makes one key).
   *
   * @example const next = await keys.prepareNext(); // then add next.publicJwk to the federation
   */
  async prepareNext(): Promise<K> {
    return this.exclusive(async () => {
      // Read the disk again: another process may have rotated since this one opened.
      const view = await loadView(this.dir, this.space, this.clock);
      if (view.next !== undefined) {
        this.view = view;
        return view.next as K;
      }
      const kid = newKid(this.space, this.clock.nowMs());
      // The state is written before the key file: a crash in between leaves a `next` without a
      // file, which loading ignores, rather than a key file without a state.
      await writeRotation(this.dir, this.space, { version: 1, active: view.active.kid, next: kid, retiring: retiringOf(view) });
      await writeKeyFile(this.dir, this.space, kid, this.clock.nowMs());
      this.view = await loadView(this.dir, this.space, this.clock);
      if (this.view.next?.kid !== kid) throw new GatewayError('INTERNAL', { detail: `the next key ${kid} did not persist` });
      return this.view.next as K;
    });
  }

  /**
   * Rotation step 2: signs with the next key from now on; the key it replaces becomes `retiring`
   * until now + `retentionSeconds`. Refuses with KEY_ROTATION_REFUSED when there is no next key:
   * a key nobody has been given yet would make every peer refuse our envelopes.
   *
   * Activate only once the peers trust the next key (the federation configuration they run lists it).
   *
   * @example const active = await keys.activateNext();
   */
  async activateNext(): Promise<K> {
    return this.exclusive(async () => {
      const view = await loadView(this.dir, this.space, this.clock);
      if (view.next === undefined) {
        throw new GatewayError('KEY_ROTATION_REFUSED', { detail: 'there is no next key: prepare it and publish it before activating' });
      }
      const retireAfter = toShanghaiIso(this.clock.nowMs() + this.options.retentionSeconds * 1000);
      // The rotation file is the truth and is written first; the marker follows it, and a crash in
      // between is repaired at the next load (the marker is moved to the rotation file's active).
      await writeRotation(this.dir, this.space, {
        version: 1,
        active: view.next.kid,
        retiring: [...retiringOf(view), { kid: view.active.kid, retireAfter }],
      });
      await writeMarker(this.dir, this.space, view.next.kid, { exclusive: false });
      this.view = await loadView(this.dir, this.space, this.clock);
      return this.view.active as K;
    });
  }

  /**
   * One operator action per call, in order, each refused with KEY_ROTATION_REFUSED when it does not
   * fit yet (issue 6: "creates the next key, publishes it before use, switches to it, and keeps the
   * old public key for verification until every message signed with it has expired"):
   *
   *   1. No next key: makes it (`prepared`). Publish it: list it in the federation and sign that.
   *   2. A next key: switches to it (`activated`) only once it has been published for at least
   *      `minPublishedSeconds` (default 1 day: time for every peer to load the new federation or
   *      to refresh our JWKS) and, when `publishedKids` is given (the kids the signed federation
   *      lists for this node), only if it is listed there. The old key stays published as retiring
   *      until now + `retentionSeconds` (at least the envelope TTL), then `pruneRetired` deletes it.
   *
   * @example
   *   await keys.rotate();                                   // { action: 'prepared', kid }
   *   // … sign and deploy a federation listing kid, wait a day …
   *   await keys.rotate({ publishedKids: federationKidsOf('SC') }); // { action: 'activated', kid, retiring, retireAfter }
   */
  async rotate(options: RotateOptions = {}): Promise<RotationStep> {
    const minPublishedSeconds = options.minPublishedSeconds ?? DEFAULT_MIN_PUBLISHED_SECONDS;
    if (!Number.isSafeInteger(minPublishedSeconds) || minPublishedSeconds < 0) {
      throw config('minPublishedSeconds must be a whole number of seconds');
    }
    await this.reload();
    const next = this.view.next;
    if (next === undefined) {
      const prepared = await this.prepareNext();
      return { action: 'prepared', kid: prepared.kid, publishBy: prepared.createdAt };
    }
    if (options.publishedKids !== undefined && !options.publishedKids.includes(next.kid)) {
      throw new GatewayError('KEY_ROTATION_REFUSED', {
        detail: `the next key ${next.kid} is not in the federation the peers run: publish it before switching to it`,
      });
    }
    const publishedForMs = this.clock.nowMs() - parseInstant(next.createdAt);
    if (publishedForMs < minPublishedSeconds * 1000) {
      const at = toShanghaiIso(parseInstant(next.createdAt) + minPublishedSeconds * 1000);
      throw new GatewayError('KEY_ROTATION_REFUSED', {
        detail: `the next key ${next.kid} has been published for ${Math.floor(publishedForMs / 1000)} s; switch to it at ${at} or later`,
      });
    }
    const retiring = this.view.active.kid;
    const active = await this.activateNext();
    const retireAfterMs = this.view.retireAfter.get(retiring);
    return { action: 'activated', kid: active.kid, retiring, retireAfter: toShanghaiIso(retireAfterMs ?? this.clock.nowMs()) };
  }

  /**
   * Rotation step 3: deletes the files of retiring keys whose `retireAfter` has passed and
   * returns their kids. Keys without a recorded `retireAfter` are never deleted here.
   *
   * @example const deleted = await keys.pruneRetired(); // ['SC-20260105-3fa9c1']
   */
  async pruneRetired(): Promise<string[]> {
    return this.exclusive(async () => {
      const view = await loadView(this.dir, this.space, this.clock);
      const nowMs = this.clock.nowMs();
      const due = [...view.retireAfter].filter(([, at]) => nowMs > at).map(([kid]) => kid);
      if (due.length === 0) {
        this.view = view;
        return [];
      }
      // Files first, then the state: a crash in between leaves a state naming a missing retiring
      // key, which loading ignores, rather than a key file without a state.
      for (const kid of due) await removeFile(this.dir, keyFileName(kid));
      await writeRotation(this.dir, this.space, {
        version: 1,
        active: view.active.kid,
        ...(view.next === undefined ? {} : { next: view.next.kid }),
        retiring: retiringOf(view).filter((r) => !due.includes(r.kid)),
      });
      this.view = await loadView(this.dir, this.space, this.clock);
      return due;
    });
  }

  /**
   * Reads the directory again: for a process that shares the directory with the one that rotated.
   *
   * @example await keys.reload(); keys.current().kid // the key another process activated
   */
  async reload(): Promise<void> {
    await this.exclusive(() => this.loadAll());
  }

  /** The signing suite's keys (made on first use) and those of any other suite found on disk. */
  private async loadAll(): Promise<void> {
    this.views.set(this.signing, await loadView(this.dir, this.space, this.clock));
    for (const suite of ['intl', 'gm'] as const) {
      if (suite === this.signing) continue;
      const space = spaceOf(this.node, suite);
      if ((await loadKeys(this.dir, space)).length > 0) this.views.set(suite, await loadView(this.dir, space, this.clock));
    }
  }

  private exclusive<T>(action: () => Promise<T>): Promise<T> {
    const run = this.tail.then(action);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

function checkOptions(options: FileKeyStoreOptions): Required<Omit<FileKeyStoreOptions, 'envelopeTtlSeconds'>> {
  const maxAgeDays = options.maxAgeDays ?? DEFAULTS.maxAgeDays;
  const warnDays = options.warnDays ?? DEFAULTS.warnDays;
  const retentionSeconds = options.retentionSeconds ?? DEFAULTS.retentionSeconds;
  const whole = (value: number, min: number) => Number.isSafeInteger(value) && value >= min;
  if (!whole(maxAgeDays, 1)) throw config('maxAgeDays must be a whole number of days, at least 1');
  if (!whole(warnDays, 0) || warnDays >= maxAgeDays) throw config('warnDays must be a whole number of days, less than maxAgeDays');
  if (!whole(retentionSeconds, 0)) throw config('retentionSeconds must be a whole number of seconds');
  const ttl = options.envelopeTtlSeconds;
  if (ttl !== undefined && !(Number.isFinite(ttl) && retentionSeconds >= ttl)) {
    // A key deleted before its envelopes expire turns their late deliveries into refusals.
    throw config(`retentionSeconds (${retentionSeconds}) must be at least the envelope TTL (${ttl})`);
  }
  return { maxAgeDays, warnDays, retentionSeconds };
}

function stateOf(view: View, kid: string): KeyState {
  if (kid === view.active.kid) return 'active';
  if (kid === view.next?.kid) return 'next';
  return 'retiring';
}

/** The retiring keys with a recorded retireAfter, as the rotation file lists them. */
function retiringOf(view: View): { kid: string; retireAfter: string }[] {
  return [...view.retireAfter].map(([kid, at]) => ({ kid, retireAfter: toShanghaiIso(at) }));
}

/**
 * Reads the whole store. Two processes may open an empty store at once (the local stack and a
 * node it starts): whoever writes the marker first wins; the other discards its key and reads
 * the winner's.
 */
async function loadView(dir: string, space: Space, clock: Clock): Promise<View> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const keys = await loadKeys(dir, space);
    const marker = await readMarker(dir, space);
    const rotation = await readRotation(dir, space);
    if (keys.length === 0) {
      if (marker !== undefined) throw config(`${markerName(space)} names ${marker}, but there is no key file`);
      if (rotation !== undefined) throw config(`${rotationName(space)} names ${rotation.active}, but there is no key file`);
      const created = newKid(space, clock.nowMs());
      await writeKeyFile(dir, space, created, clock.nowMs());
      const won = await writeMarker(dir, space, created, { exclusive: true });
      // Lost the race, unless the winner (seeing our key without a marker) chose our key.
      if (!won && (await readMarker(dir, space)) !== created) await removeQuietly(join(dir, keyFileName(created)));
      continue; // read back what is on disk, whoever wrote it
    }
    // Keys without a marker (deleted by hand, or a crash between the two writes): the newest key is
    // the only sensible choice, and every process makes the same one. With a rotation file, that
    // file decides, and a marker left behind by a crash during activation is moved to match it.
    const activeKid = rotation?.active ?? marker ?? keys[keys.length - 1].kid;
    const source = rotation === undefined ? markerName(space) : rotationName(space);
    const active = keys.find((k) => k.kid === activeKid);
    if (active === undefined) throw config(`${source} names ${activeKid}, which has no key file`);
    if (marker !== activeKid) await writeMarker(dir, space, activeKid, { exclusive: false });

    // A next key without a file is what a crash in prepareNext leaves: as if never prepared.
    const next = rotation?.next === undefined || rotation.next === activeKid ? undefined : keys.find((k) => k.kid === rotation.next);
    // A retiring entry without a file is what a crash in pruneRetired leaves: already gone.
    const retireAfter = new Map(
      (rotation?.retiring ?? [])
        .filter((r) => r.kid !== activeKid && r.kid !== next?.kid && keys.some((k) => k.kid === r.kid))
        .map((r) => [r.kid, parseInstant(r.retireAfter)] as const),
    );
    return Object.freeze({
      keys: Object.freeze(keys),
      active,
      next,
      retireAfter,
      jwks: Object.freeze({ keys: Object.freeze(keys.map((k) => k.publicJwk)) }),
    });
  }
  throw new GatewayError('INTERNAL', { detail: 'the key store kept changing while it was opened' });
}

// --- files ---

function keyFileName(kid: string): string {
  return `${kid}${KEY_FILE_SUFFIX}`;
}

function markerName(space: Space): string {
  return `${space.ns}.active`;
}

function rotationName(space: Space): string {
  return `${space.ns}.keys.json`;
}

function kidPattern(space: Space): RegExp {
  return new RegExp(`^${space.ns}-\\d{8}-[0-9a-f]{6}$`);
}

/** A kid carries the node (and SM2 for `gm`) and the Shanghai date it was made: `SC-20261123-3fa9c1`, `SC-SM2-20261123-3fa9c1`. */
function newKid(space: Space, nowMs: number): string {
  return `${space.ns}-${shanghaiDate(nowMs).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
}

async function loadKeys(dir: string, space: Space): Promise<SigningKey[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: 'key store: cannot list the key directory', cause });
  }
  const pattern = kidPattern(space);
  const kids = names
    .filter((name) => name.endsWith(KEY_FILE_SUFFIX))
    .map((name) => name.slice(0, -KEY_FILE_SUFFIX.length))
    .filter((kid) => pattern.test(kid))
    .sort();
  const keys: SigningKey[] = [];
  for (const kid of kids) {
    const key = await loadKey(dir, space, kid);
    if (key !== undefined) keys.push(key);
  }
  return keys.sort((a, b) => parseInstant(a.createdAt) - parseInstant(b.createdAt) || (a.kid < b.kid ? -1 : 1));
}

/** Loads one key file; `undefined` if it vanished meanwhile (the losing side of a first-start race). */
async function loadKey(dir: string, space: Space, kid: string): Promise<SigningKey | undefined> {
  const parsed = await readPrivateKeyFile(join(dir, keyFileName(kid)), kid);
  if (parsed === undefined) return undefined;
  const f = (parsed ?? {}) as Partial<Record<keyof KeyFile, unknown>>;
  const node = space.node;
  const gm = space.suite === 'gm';
  if (gm ? f.kty !== 'EC' || f.crv !== 'SM2' || !isKey32(f.y) : f.kty !== 'OKP' || f.crv !== 'Ed25519') {
    throw config(`key file of ${kid} is not an ${gm ? 'SM2' : 'Ed25519'} private JWK`);
  }
  if (!isKey32(f.x) || !isKey32(f.d)) throw config(`key file of ${kid} is not an ${gm ? 'SM2' : 'Ed25519'} private JWK`);
  if (f.kid !== kid || f.node !== node || (f.alg !== undefined && f.alg !== (gm ? SM2_ALG : SIGNING_ALG))) {
    throw config(`key file of ${kid} names another kid, node or alg`);
  }
  if (typeof f.createdAt !== 'string' || Number.isNaN(parseInstant(f.createdAt))) {
    throw config(`key file of ${kid} has no valid createdAt`);
  }
  return gm ? importSm2SigningKey(kid, node, f.x, f.y as string, f.d, f.createdAt) : importSigningKey(kid, node, f.x, f.d, f.createdAt);
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

/** Makes a new key pair of the space's suite and writes its file under `kid`. */
async function writeKeyFile(dir: string, space: Space, kid: string, nowMs: number): Promise<void> {
  const content: KeyFile = space.suite === 'gm' ? newSm2KeyFile(space.node, kid, nowMs) : await newEd25519KeyFile(space.node, kid, nowMs);
  await writeFileSafely(dir, keyFileName(kid), `${JSON.stringify(content, null, 2)}\n`, { exclusive: true });
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
    node,
    createdAt: toShanghaiIso(nowMs),
  };
}

async function readMarker(dir: string, space: Space): Promise<string | undefined> {
  const text = await readOptionalText(dir, markerName(space));
  if (text === undefined) return undefined;
  const kid = text.trim();
  if (!kidPattern(space).test(kid)) throw config(`${markerName(space)} does not hold a kid of ${space.ns}`);
  return kid;
}

/** Writes the marker; with `exclusive`, returns false if another process wrote one first. */
async function writeMarker(dir: string, space: Space, kid: string, opts: { exclusive: boolean }): Promise<boolean> {
  return writeFileSafely(dir, markerName(space), `${kid}\n`, opts);
}

async function readRotation(dir: string, space: Space): Promise<RotationFile | undefined> {
  const name = rotationName(space);
  const node = space.ns;
  const text = await readOptionalText(dir, name);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: ${name} is not JSON`, cause });
  }
  const r = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<Record<keyof RotationFile, unknown>>;
  const isOwnKid = (value: unknown): value is string => typeof value === 'string' && kidPattern(space).test(value);
  if (r.version !== 1) throw config(`${name}: version must be 1`);
  if (!isOwnKid(r.active)) throw config(`${name}: active must be a kid of ${node}`);
  if (r.next !== undefined && !isOwnKid(r.next)) throw config(`${name}: next must be a kid of ${node}`);
  if (!Array.isArray(r.retiring)) throw config(`${name}: retiring must be an array`);
  const retiring = (r.retiring as readonly unknown[]).map((raw, i) => {
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as { kid?: unknown; retireAfter?: unknown };
    if (!isOwnKid(entry.kid)) throw config(`${name}: retiring[${i}].kid must be a kid of ${node}`);
    if (typeof entry.retireAfter !== 'string' || Number.isNaN(parseInstant(entry.retireAfter))) {
      throw config(`${name}: retiring[${i}].retireAfter must be an ISO 8601 instant with an offset`);
    }
    return { kid: entry.kid, retireAfter: entry.retireAfter };
  });
  return { version: 1, active: r.active, ...(r.next === undefined ? {} : { next: r.next }), retiring };
}

async function writeRotation(dir: string, space: Space, rotation: RotationFile): Promise<void> {
  await writeFileSafely(dir, rotationName(space), `${JSON.stringify(rotation, null, 2)}\n`, { exclusive: false });
}
