import { isGatewayError, parseInstant } from '#core';
import { activation, checkSwitch, parseMarker, parseRotation, preparation, pruning, resolveView, stateOf, type RotationFile } from './key-rotation-state.js';
import { toSm2PublicJwk } from './public-jwk.js';
import type { Sm2SigningKey } from './signing-key.js';
import { spaceOf } from './signing-key-files.js';
import { Sm2PrivateKey } from './sm2.js';

// The rules of a rotation, without a directory: each step is a function of the view it is given.
const space = spaceOf('SC', 'gm');
const DAY_MS = 86_400_000;

function key(kid: string, createdAt: string): Sm2SigningKey {
  const privateKey = Sm2PrivateKey.generate();
  const { x, y } = privateKey.publicKey.coordinates();
  return { kid, node: 'SC', alg: 'SM2', privateKey, publicJwk: toSm2PublicJwk(x.toString('base64url'), y.toString('base64url'), kid), createdAt };
}

const old = key('SC-SM2-20261101-aaaaaa', '2026-11-01T09:00:00.000+08:00');
const current = key('SC-SM2-20261110-bbbbbb', '2026-11-10T09:00:00.000+08:00');
const next = key('SC-SM2-20261120-cccccc', '2026-11-20T09:00:00.000+08:00');
const keys = [old, current, next];

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return isGatewayError(error) ? error.code : 'not a GatewayError';
  }
  return undefined;
}

describe('key rotation state (pure steps)', () => {
  it('takes the newest key as active when neither a marker nor a rotation file names one', () => {
    const view = resolveView(space, keys, undefined, undefined);
    expect(view.active.kid).toBe(next.kid);
    expect(view.next).toBeUndefined();
    expect(view.jwks.keys.map((k) => k.kid)).toEqual(keys.map((k) => k.kid));
  });

  it('lets the rotation file decide over a marker a crash left behind, and ignores a next key without a file', () => {
    const rotation: RotationFile = { version: 1, active: current.kid, next: 'SC-SM2-20261121-dddddd', retiring: [] };
    const view = resolveView(space, keys, old.kid, rotation);
    expect(view.active.kid).toBe(current.kid);
    expect(view.next).toBeUndefined();
  });

  it('refuses a marker naming a key without a file (CONFIG_INVALID)', () => {
    expect(codeOf(() => resolveView(space, [old], current.kid, undefined))).toBe('CONFIG_INVALID');
  });

  it('prepares, activates and prunes: each step the rotation file the next one reads', () => {
    const start = resolveView(space, [old, current], current.kid, undefined);
    const prepared = preparation(start, next.kid);
    expect(prepared).toEqual({ version: 1, active: current.kid, next: next.kid, retiring: [] });

    const withNext = resolveView(space, keys, current.kid, prepared);
    expect(stateOf(withNext, next.kid)).toBe('next');
    const nowMs = parseInstant('2026-11-22T09:00:00.000+08:00');
    const { next: activated, rotation: afterActivation } = activation(withNext, nowMs, 8 * 86_400);
    expect(activated.kid).toBe(next.kid);
    expect(afterActivation).toEqual({ version: 1, active: next.kid, retiring: [{ kid: current.kid, retireAfter: '2026-11-30T09:00:00.000+08:00' }] });

    const retiring = resolveView(space, keys, next.kid, afterActivation);
    expect(stateOf(retiring, current.kid)).toBe('retiring');
    // Nothing is due before its retireAfter, and the oldest key, with none recorded, never is.
    expect(pruning(retiring, nowMs + 7 * DAY_MS).due).toEqual([]);
    const pruned = pruning(retiring, nowMs + 9 * DAY_MS);
    expect(pruned.due).toEqual([current.kid]);
    expect(pruned.rotation).toEqual({ version: 1, active: next.kid, retiring: [] });
  });

  it('refuses to activate without a next key (KEY_ROTATION_REFUSED)', () => {
    expect(codeOf(() => activation(resolveView(space, keys, current.kid, undefined), 0, 60))).toBe('KEY_ROTATION_REFUSED');
  });

  it('refuses to switch to a next key the federation does not list, or published too recently', () => {
    const createdMs = parseInstant(next.createdAt);
    expect(codeOf(() => checkSwitch(next, createdMs + DAY_MS, 86_400, [current.kid]))).toBe('KEY_ROTATION_REFUSED');
    expect(codeOf(() => checkSwitch(next, createdMs + DAY_MS - 1, 86_400, [next.kid]))).toBe('KEY_ROTATION_REFUSED');
    expect(codeOf(() => checkSwitch(next, createdMs + DAY_MS, 86_400, [next.kid]))).toBeUndefined();
  });

  it('reads only kids of its own space from the marker and the rotation file', () => {
    expect(parseMarker(space, `${current.kid}\n`)).toBe(current.kid);
    expect(codeOf(() => parseMarker(space, 'SC-20261110-bbbbbb'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseRotation(space, JSON.stringify({ version: 1, active: 'CQ-SM2-20261110-bbbbbb', retiring: [] })))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseRotation(space, '{'))).toBe('CONFIG_INVALID');
  });
});
