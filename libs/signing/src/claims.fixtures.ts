import { KeyObject, sign } from 'node:crypto';
import type { CryptoKey } from 'jose';
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

/**
 * Signs exactly these header and payload texts (RFC 7515 §5.1) with node:crypto, so that a test
 * can send JSON that no signer of ours writes (repeated member names, escaped spellings) with a
 * signature that verifies.
 *
 * @example signExact(key, '{"alg":"none","alg":"EdDSA","kid":"CQ-1","typ":"cytb-envelope+jws"}', JSON.stringify(claims))
 */
export function signExact(key: { readonly privateKey: CryptoKey }, headerJson: string, payloadJson: string): string {
  const input = `${Buffer.from(headerJson, 'utf8').toString('base64url')}.${Buffer.from(payloadJson, 'utf8').toString('base64url')}`;
  return `${input}.${sign(null, Buffer.from(input, 'latin1'), KeyObject.from(key.privateKey)).toString('base64url')}`;
}

/** A JWS header as our signer writes it (alg, kid, typ), as text, with `extra` members spliced in first. */
export function headerText(kid: string, typ: string, extra = ''): string {
  return `{${extra}"alg":"EdDSA","kid":${JSON.stringify(kid)},"typ":${JSON.stringify(typ)}}`;
}
