import type { EnvelopeClaims } from './envelope.js';

/**
 * Envelope claims for the signing specs (excluded from the build, like the specs): one instant
 * and one card request from Chongqing to Sichuan, valid for an hour, changed where a test says.
 */
export const NOW_MS = Date.UTC(2026, 10, 22, 2, 0, 0);
export const NOW = NOW_MS / 1000;

export function envelopeClaims(over: Partial<EnvelopeClaims> = {}): EnvelopeClaims {
  return {
    jti: '019aa8c4-1a00-7000-8000-000000000001',
    iss: 'CQ',
    aud: 'SC',
    iat: NOW,
    exp: NOW + 3600,
    case: 'CQ-20261122-7K3F9ZQ2M8',
    mtype: 'ssc.apply.request',
    ver: 1,
    body: { note: '社保卡补领', n: 3 },
    ...over,
  };
}
