import { CompactEncrypt, compactDecrypt, importJWK, type CryptoKey } from 'jose';
import { GatewayError } from '#core';
import { encryptionJwkProblem, isKid, SEAL_ALG, type EncryptionPublicJwk } from './public-jwk.js';

/**
 * Personal data sealed end to end for the handling agency (ARCHITECTURE.md, "the envelope"): the
 * accepting gateway encrypts the applicant's personal fields to the agency's X25519 key, so that
 * both gateways' storage, outboxes, message logs and logs hold ciphertext only, and only the agency
 * adapter, which holds the private key, reads them.
 *
 * One profile, pinned on both sides (RFC 8725 §3.1, the recipient names the algorithms it uses):
 *   - `alg: ECDH-ES+A256KW` (RFC 7518 §4.6): a fresh ephemeral X25519 key per message (RFC 8037
 *     §3.2), Concat KDF, and the content key wrapped with AES Key Wrap. Forward secrecy towards the
 *     sender: the sender keeps nothing that could open the message later.
 *   - `enc: A256GCM` (RFC 7518 §5.3): authenticated encryption; the protected header is the AAD
 *     (RFC 7516 §5.1 step 14), so `kid`, `typ`, `alg` and `enc` cannot be changed either.
 *   - compact serialization only (RFC 7516 §7.1), no `zip` (§4.1.3: compression of attacker-chosen
 *     plaintext next to secrets leaks them, and decompression is a resource attack), no `crit`.
 */

/** The content encryption algorithm (RFC 7518 §5.3). */
export const SEAL_ENC = 'A256GCM';

/** The JWE `typ` of sealed personal data (RFC 7516 §4.1.11, RFC 8725 §3.11 explicit typing). */
export const SEALED_TYP = 'cytb-sealed+jwe';

/** An agency's public sealing key, imported once (see `importSealingKey`). */
export interface SealingKey {
  readonly kid: string;
  readonly key: CryptoKey;
}

/** Where `openSealed` finds the private key named by a JWE's `kid`: an AgencyKeyStore. */
export interface DecryptionKeyResolver {
  decryptionKey(kid: string): CryptoKey | undefined;
}

/** A sealed value is personal data of one applicant: small. Bounds work done before decryption. */
const MAX_SEALED_CHARS = 64 * 1024;
const MAX_HEADER_CHARS = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * Imports an agency's public X25519 JWK once, for every later `sealFor`. Refuses with
 * CONFIG_INVALID a key that is not a public X25519 key for `ECDH-ES+A256KW`.
 *
 * @example const sealing = await importSealingKey(federationAgency.encryptionKeys[0]);
 */
export async function importSealingKey(jwk: EncryptionPublicJwk): Promise<SealingKey> {
  const problem = isKid(jwk?.kid) ? encryptionJwkProblem(jwk, jwk.kid) : 'kid is missing or not a plain string';
  if (problem !== undefined) throw new GatewayError('CONFIG_INVALID', { detail: `encryption key: ${problem}` });
  try {
    const key = await importJWK({ kty: 'OKP', crv: 'X25519', x: jwk.x }, SEAL_ALG);
    return Object.freeze({ kid: jwk.kid, key: key });
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `encryption key ${jwk.kid} cannot be imported`, cause });
  }
}

/**
 * Seals `plaintext` (a JSON object) for the holder of the private half of `recipientKey`, as a
 * compact JWE with the protected header `{ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid, typ,
 * cty: 'json' }`. A fault here is ours, not a peer's: INTERNAL.
 *
 * @example
 *   const sealing = await importSealingKey(agencyJwk); // once
 *   const sealed = await sealFor(sealing.key, { idNumber, name, phone }, { kid: sealing.kid });
 */
export async function sealFor(recipientKey: CryptoKey, plaintext: object, options: { readonly kid: string }): Promise<string> {
  if (!isKid(options.kid)) throw new GatewayError('INTERNAL', { detail: 'sealFor: kid is missing or not a plain string' });
  if (recipientKey.type !== 'public' || recipientKey.algorithm.name !== 'X25519') {
    throw new GatewayError('INTERNAL', { detail: 'sealFor: the recipient key must be a public X25519 key' });
  }
  if (typeof plaintext !== 'object' || plaintext === null || Array.isArray(plaintext)) {
    throw new GatewayError('INTERNAL', { detail: 'sealFor: only a JSON object is sealed' });
  }
  let bytes: Uint8Array;
  try {
    bytes = encoder.encode(JSON.stringify(plaintext));
  } catch (cause) {
    throw new GatewayError('INTERNAL', { detail: 'sealFor: the plaintext cannot be written as JSON', cause });
  }
  try {
    return await new CompactEncrypt(bytes)
      .setProtectedHeader({ alg: SEAL_ALG, enc: SEAL_ENC, kid: options.kid, typ: SEALED_TYP, cty: 'json' })
      .encrypt(recipientKey);
  } catch (cause) {
    throw new GatewayError('INTERNAL', { detail: `sealing for ${options.kid} failed`, cause });
  }
}

/**
 * Opens sealed personal data with the private key its `kid` names, as a checklist. Anything other
 * than a JWE of exactly our profile, for a key `keys` holds, intact, is refused with
 * SEALED_DATA_INVALID (the detail says which step failed; never the content).
 *
 * @example
 *   const agencyKeys = await AgencyKeyStore.open(dir, 'SC.card', clock); // once
 *   const personal = await openSealed(request.sealed, agencyKeys); // { idNumber: '…', name: '…' }
 */
export async function openSealed(compactJwe: unknown, keys: DecryptionKeyResolver): Promise<Record<string, unknown>> {
  // 1. Shape: five base64url segments, bounded (RFC 7516 §7.1). The encrypted key is not empty:
  //    ECDH-ES+A256KW always wraps a content key (RFC 7518 §4.6.2).
  if (typeof compactJwe !== 'string') throw invalid('sealed data must be a compact JWE string');
  if (compactJwe.length > MAX_SEALED_CHARS) throw invalid('sealed data is too large');
  const segments = compactJwe.split('.');
  if (segments.length !== 5 || !segments.every((s) => BASE64URL.test(s))) {
    throw invalid('sealed data must be a compact JWE: five non-empty base64url segments');
  }
  const head = segments[0];
  if (head.length > MAX_HEADER_CHARS) throw invalid('the protected header is too large');
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(Buffer.from(head, 'base64url')));
  } catch (cause) {
    throw invalid('the protected header is not UTF-8 JSON', cause);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw invalid('the protected header is not a JSON object');
  const h = header as Record<string, unknown>;

  // 2. The profile, before any key is touched: alg and enc from our allowlists only (RFC 8725
  //    §3.1; RFC 7518 §4.6 and §5.3), our typ (RFC 8725 §3.11), no zip (RFC 7516 §4.1.3), no crit
  //    (RFC 7516 §4.1.13), and an X25519 ephemeral key (RFC 8037 §3.2; RFC 8725 §3.4 asks the
  //    recipient to check it is on the expected curve).
  if (h.alg !== SEAL_ALG) throw invalid(`alg must be ${SEAL_ALG}`);
  if (h.enc !== SEAL_ENC) throw invalid(`enc must be ${SEAL_ENC}`);
  if (typeof h.typ !== 'string' || h.typ.toLowerCase() !== SEALED_TYP) throw invalid(`typ must be ${SEALED_TYP}`);
  if ('zip' in h) throw invalid('compressed sealed data (zip) is not accepted');
  if ('crit' in h) throw invalid('critical header extensions (crit) are not supported');
  const epk = h.epk as Record<string, unknown> | undefined;
  if (typeof epk !== 'object' || epk === null || epk.kty !== 'OKP' || epk.crv !== 'X25519' || 'd' in epk) {
    throw invalid('epk must be a public X25519 key');
  }

  // 3. The key: named by kid, held by this agency (RFC 7516 §4.1.6).
  if (!isKid(h.kid)) throw invalid('kid is missing or not a plain string');
  const key = keys.decryptionKey(h.kid);
  if (key === undefined) throw invalid(`kid ${h.kid} is not a key of this agency`);

  // 4. Decrypt and authenticate: the GCM tag covers the ciphertext and the protected header
  //    (RFC 7516 §5.2 step 16). jose applies the same allowlists again.
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(compactJwe, key, {
      keyManagementAlgorithms: [SEAL_ALG],
      contentEncryptionAlgorithms: [SEAL_ENC],
      maxDecompressedLength: 0,
    }));
  } catch (cause) {
    throw invalid(`the sealed data does not open with key ${h.kid} (altered, or sealed for another key)`, cause);
  }

  // 5. The content: one JSON object.
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(plaintext));
  } catch (cause) {
    throw invalid('the opened content is not UTF-8 JSON', cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('the opened content is not a JSON object');
  return value as Record<string, unknown>;
}

function invalid(detail: string, cause?: unknown): GatewayError {
  return new GatewayError('SEALED_DATA_INVALID', { detail, cause });
}
