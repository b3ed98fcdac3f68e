import { join } from 'node:path';
import { Clock, GatewayError, isNodeCode, parseInstant, toShanghaiIso, type NodeCode } from '#core';
import type { SuiteName } from './crypto-suite.js';
import { keyFileName, removeKeyFile } from './key-directory.js';
import { keyStoreConfig as config, prepareKeyDir, readOptionalText, removeQuietly, writeFileSafely } from './key-files.js';
import {
  activation,
  checkSwitch,
  markerName,
  parseMarker,
  parseRotation,
  preparation,
  pruning,
  resolveView,
  rotationName,
  stateOf,
  type KeyState,
  type RotationFile,
  type View,
} from './key-rotation-state.js';
import type { PublicJwk } from './public-jwk.js';
import type { Ed25519SigningKey, SigningKey } from './signing-key.js';
import { loadSigningKeys, newSigningKid, spaceOf, writeSigningKeyFile, type Space } from './signing-key-files.js';

export type { KeyState } from './key-rotation-state.js';

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
const DAY_MS = 86_400_000;
const DEFAULTS = { maxAgeDays: 365, warnDays: 30, retentionSeconds: 8 * 86_400 } as const;

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
 * Each step's rule is a pure function of the store's view (key-rotation-state.ts); this class reads
 * and writes the files around it, and the key files themselves are signing-key-files.ts's.
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
      const kid = newSigningKid(this.space, this.clock.nowMs());
      // The state is written before the key file (see `preparation`).
      await writeRotation(this.dir, this.space, preparation(view, kid));
      await writeSigningKeyFile(this.dir, this.space, kid, this.clock.nowMs());
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
      const { next, rotation } = activation(view, this.clock.nowMs(), this.options.retentionSeconds);
      // The rotation file is the truth and is written first; the marker follows it, and a crash in
      // between is repaired at the next load (the marker is moved to the rotation file's active).
      await writeRotation(this.dir, this.space, rotation);
      await writeMarker(this.dir, this.space, next.kid, { exclusive: false });
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
    checkSwitch(next, this.clock.nowMs(), minPublishedSeconds, options.publishedKids);
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
      const { due, rotation } = pruning(view, this.clock.nowMs());
      if (due.length === 0) {
        this.view = view;
        return [];
      }
      // Files first, then the state: a crash in between leaves a state naming a missing retiring
      // key, which loading ignores, rather than a key file without a state.
      for (const kid of due) await removeKeyFile(this.dir, kid);
      await writeRotation(this.dir, this.space, rotation);
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
      if ((await loadSigningKeys(this.dir, space)).length > 0) this.views.set(suite, await loadView(this.dir, space, this.clock));
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

/**
 * Reads the whole store. Two processes may open an empty store at once (the local stack and a
 * node it starts): whoever writes the marker first wins; the other discards its key and reads
 * the winner's.
 */
async function loadView(dir: string, space: Space, clock: Clock): Promise<View> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const keys = await loadSigningKeys(dir, space);
    const marker = await readMarker(dir, space);
    const rotation = await readRotation(dir, space);
    if (keys.length === 0) {
      if (marker !== undefined) throw config(`${markerName(space)} names ${marker}, but there is no key file`);
      if (rotation !== undefined) throw config(`${rotationName(space)} names ${rotation.active}, but there is no key file`);
      const created = newSigningKid(space, clock.nowMs());
      await writeSigningKeyFile(dir, space, created, clock.nowMs());
      const won = await writeMarker(dir, space, created, { exclusive: true });
      // Lost the race, unless the winner (seeing our key without a marker) chose our key.
      if (!won && (await readMarker(dir, space)) !== created) await removeQuietly(join(dir, keyFileName(created)));
      continue; // read back what is on disk, whoever wrote it
    }
    const view = resolveView(space, keys, marker, rotation);
    if (marker !== view.active.kid) await writeMarker(dir, space, view.active.kid, { exclusive: false });
    return view;
  }
  throw new GatewayError('INTERNAL', { detail: 'the key store kept changing while it was opened' });
}

// --- the state files ---

async function readMarker(dir: string, space: Space): Promise<string | undefined> {
  const text = await readOptionalText(dir, markerName(space));
  return text === undefined ? undefined : parseMarker(space, text);
}

/** Writes the marker; with `exclusive`, returns false if another process wrote one first. */
async function writeMarker(dir: string, space: Space, kid: string, opts: { exclusive: boolean }): Promise<boolean> {
  return writeFileSafely(dir, markerName(space), `${kid}\n`, opts);
}

async function readRotation(dir: string, space: Space): Promise<RotationFile | undefined> {
  const text = await readOptionalText(dir, rotationName(space));
  return text === undefined ? undefined : parseRotation(space, text);
}

async function writeRotation(dir: string, space: Space, rotation: RotationFile): Promise<void> {
  await writeFileSafely(dir, rotationName(space), `${JSON.stringify(rotation, null, 2)}\n`, { exclusive: false });
}
