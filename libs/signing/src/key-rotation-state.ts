import { GatewayError, parseInstant, toShanghaiIso } from '#core';
import { keyStoreConfig as config } from './key-files.js';
import type { PublicJwk } from './public-jwk.js';
import type { SigningKey } from './signing-key.js';
import { isKidOf, type Space } from './signing-key-files.js';

/**
 * A node's key rotation as data (FileKeyStore does the I/O): which key is active, next and
 * retiring, as read from the marker `<ns>.active` and the rotation file `<ns>.keys.json`, and the
 * rotation file each step writes. Every function here is pure: it reads what it is given and
 * returns the new state or refuses, so each step's rule can be read (and tested) apart from the
 * file handling around it.
 */

/**
 * What `<node>.keys.json` holds once a rotation has begun. Absent in a store that never rotated
 * (the layout of the first version: key files plus `<node>.active`), which opens as before.
 */
export interface RotationFile {
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

/** What the store knows at one moment; replaced as a whole, never changed in place. */
export interface View {
  readonly keys: readonly SigningKey[];
  readonly active: SigningKey;
  readonly next: SigningKey | undefined;
  /** Retiring keys with a recorded retireAfter (ms); other non-active, non-next keys have none. */
  readonly retireAfter: ReadonlyMap<string, number>;
  readonly jwks: { readonly keys: readonly PublicJwk[] };
}

/** The marker naming the active key: `SC.active`, `SC-SM2.active`. */
export function markerName(space: Space): string {
  return `${space.ns}.active`;
}

/** The rotation file: `SC.keys.json`, `SC-SM2.keys.json`. */
export function rotationName(space: Space): string {
  return `${space.ns}.keys.json`;
}

/**
 * The view of the keys on disk (at least one), from the marker and the rotation file as read.
 * Refuses (CONFIG_INVALID) a marker or rotation file naming an active key without a file. The
 * caller writes the marker again when it does not name `view.active` (see below).
 *
 * @example const view = resolveView(space, keys, 'SC-20261123-3fa9c1', undefined); // view.active.kid === 'SC-20261123-3fa9c1'
 */
export function resolveView(space: Space, keys: readonly SigningKey[], marker: string | undefined, rotation: RotationFile | undefined): View {
  // Keys without a marker (deleted by hand, or a crash between the two writes): the newest key is
  // the only sensible choice, and every process makes the same one. With a rotation file, that
  // file decides, and a marker left behind by a crash during activation is moved to match it.
  const activeKid = rotation?.active ?? marker ?? keys[keys.length - 1].kid;
  const source = rotation === undefined ? markerName(space) : rotationName(space);
  const active = keys.find((k) => k.kid === activeKid);
  if (active === undefined) throw config(`${source} names ${activeKid}, which has no key file`);

  // A next key without a file is what a crash in prepareNext leaves: as if never prepared.
  const next = rotation?.next === undefined || rotation.next === activeKid ? undefined : keys.find((k) => k.kid === rotation.next);
  // A retiring entry without a file is what a crash in pruneRetired leaves: already gone.
  const retireAfter = new Map(
    (rotation?.retiring ?? [])
      .filter((r) => r.kid !== activeKid && r.kid !== next?.kid && keys.some((k) => k.kid === r.kid))
      .map((r) => [r.kid, parseInstant(r.retireAfter)] as const),
  );
  return Object.freeze({
    keys: Object.freeze([...keys]),
    active,
    next,
    retireAfter,
    jwks: Object.freeze({ keys: Object.freeze(keys.map((k) => k.publicJwk)) }),
  });
}

/**
 * The marker's text as a kid of the space; refuses (CONFIG_INVALID) anything else.
 *
 * @example parseMarker(space, 'SC-20261123-3fa9c1\n') // 'SC-20261123-3fa9c1'
 */
export function parseMarker(space: Space, text: string): string {
  const kid = text.trim();
  if (!isKidOf(space, kid)) throw config(`${markerName(space)} does not hold a kid of ${space.ns}`);
  return kid;
}

/**
 * The rotation file's text, checked: version 1, kids of the space, retiring entries with an
 * instant. Refuses (CONFIG_INVALID) naming the member at fault.
 *
 * @example parseRotation(space, '{"version":1,"active":"SC-20261123-3fa9c1","retiring":[]}')
 */
export function parseRotation(space: Space, text: string): RotationFile {
  const name = rotationName(space);
  const node = space.ns;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: ${name} is not JSON`, cause });
  }
  const r = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<Record<keyof RotationFile, unknown>>;
  const isOwnKid = (value: unknown): value is string => isKidOf(space, value);
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

/** A key's state in the view: the active key, the next one, or retiring (every other key). */
export function stateOf(view: View, kid: string): KeyState {
  if (kid === view.active.kid) return 'active';
  if (kid === view.next?.kid) return 'next';
  return 'retiring';
}

/** The retiring keys with a recorded retireAfter, as the rotation file lists them. */
export function retiringOf(view: View): { kid: string; retireAfter: string }[] {
  return [...view.retireAfter].map(([kid, at]) => ({ kid, retireAfter: toShanghaiIso(at) }));
}

/**
 * Step 1, prepare: the rotation file that names `nextKid` next, the active key and the retiring
 * ones as they are. It is written before the key file: a crash in between leaves a `next` without
 * a file, which `resolveView` ignores, rather than a key file without a state.
 *
 * @example const rotation = preparation(view, 'SC-20261124-0b1c2d'); // { version: 1, active: view.active.kid, next: 'SC-20261124-0b1c2d', retiring: [] }
 */
export function preparation(view: View, nextKid: string): RotationFile {
  return { version: 1, active: view.active.kid, next: nextKid, retiring: retiringOf(view) };
}

/**
 * Step 2, activate: the rotation file in which the next key is active and the key it replaces
 * retires at `nowMs` + `retentionSeconds`. Refuses with KEY_ROTATION_REFUSED when there is no
 * next key: a key nobody has been given yet would make every peer refuse our envelopes.
 *
 * @example const { next, rotation } = activation(view, clock.nowMs(), 8 * 86_400);
 */
export function activation(view: View, nowMs: number, retentionSeconds: number): { readonly next: SigningKey; readonly rotation: RotationFile } {
  if (view.next === undefined) {
    throw new GatewayError('KEY_ROTATION_REFUSED', { detail: 'there is no next key: prepare it and publish it before activating' });
  }
  const retireAfter = toShanghaiIso(nowMs + retentionSeconds * 1000);
  return {
    next: view.next,
    rotation: { version: 1, active: view.next.kid, retiring: [...retiringOf(view), { kid: view.active.kid, retireAfter }] },
  };
}

/**
 * Step 3, prune: the retiring keys whose `retireAfter` has passed at `nowMs` (`due`, to delete)
 * and the rotation file without them. Keys without a recorded `retireAfter` are never due.
 *
 * @example const { due, rotation } = pruning(view, clock.nowMs()); // due: ['SC-20260105-3fa9c1']
 */
export function pruning(view: View, nowMs: number): { readonly due: string[]; readonly rotation: RotationFile } {
  const due = [...view.retireAfter].filter(([, at]) => nowMs > at).map(([kid]) => kid);
  return {
    due,
    rotation: {
      version: 1,
      active: view.active.kid,
      ...(view.next === undefined ? {} : { next: view.next.kid }),
      retiring: retiringOf(view).filter((r) => !due.includes(r.kid)),
    },
  };
}

/**
 * Whether the operator's rotation may switch to `next` now: refuses with KEY_ROTATION_REFUSED a
 * next key missing from `publishedKids` (when given: the kids the federation the peers run lists
 * for this node), or published for less than `minPublishedSeconds`.
 *
 * @example checkSwitch(view.next, clock.nowMs(), 86_400, federationKidsOf('SC'));
 */
export function checkSwitch(next: SigningKey, nowMs: number, minPublishedSeconds: number, publishedKids: readonly string[] | undefined): void {
  if (publishedKids !== undefined && !publishedKids.includes(next.kid)) {
    throw new GatewayError('KEY_ROTATION_REFUSED', {
      detail: `the next key ${next.kid} is not in the federation the peers run: publish it before switching to it`,
    });
  }
  const publishedForMs = nowMs - parseInstant(next.createdAt);
  if (publishedForMs < minPublishedSeconds * 1000) {
    const at = toShanghaiIso(parseInstant(next.createdAt) + minPublishedSeconds * 1000);
    throw new GatewayError('KEY_ROTATION_REFUSED', {
      detail: `the next key ${next.kid} has been published for ${Math.floor(publishedForMs / 1000)} s; switch to it at ${at} or later`,
    });
  }
}
