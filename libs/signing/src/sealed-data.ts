import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { importJWK, type CryptoKey } from 'jose';
import { GatewayError } from '#core';
import { decodeBase64url, encodeBase64url } from './base64url.js';
import { GM_SUITE, INTL_SUITE, type CryptoSuite, type SuiteName } from './crypto-suite.js';
import { aesKeyUnwrap, aesKeyWrap, concatKdf } from './ecdh-es.js';
import { okpKeyObject } from './key-objects.js';
import { encryptionJwkProblem, isKey32, isKid, SEAL_ALG, type EncryptionPublicJwk } from './public-jwk.js';
import { isSm2Coordinate, Sm2PrivateKey, Sm2PublicKey } from './sm2-key.js';
import { SM4_CTR_HS3_IV_BYTES, SM4_CTR_HS3_KEY_BYTES, SM4_CTR_HS3_TAG_BYTES, sm4CtrHs3Decrypt, sm4CtrHs3Encrypt } from './sm4-ctr-hmac-sm3.js';

/**
 * Personal data sealed end to end for the handling agency (docs/security.md, "Personal data at rest and in transit"): the
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
 *
 * The cryptography is node:crypto's (X25519, SHA-256, AES Key Wrap, AES-GCM), about four times
 * faster than jose's WebCrypto path; the output is the same standard compact JWE, which jose and
 * jwcrypto open, and what they seal opens here (jwcrypto-interop.spec.ts, sealed-data.spec.ts).
 *
 * Under the `gm` suite (issue 17, docs/adr/0102-gm-sealing.md) the same JWE carries SM algorithms:
 *   - `alg: SM2-ECDH-ES`: RFC 7518 §4.6's direct key agreement on the SM2 curve, a fresh ephemeral
 *     SM2 key per message in `epk` as `{ kty: 'EC', crv: 'SM2', x, y }`, the Concat KDF with SM3
 *     (AlgorithmID = the `enc` value, as §4.6.2 says for direct agreement), the 32-byte result the
 *     content key itself: the JWE Encrypted Key is empty (RFC 7516 §5.1 step 5);
 *   - `enc: SM4-CTR-HS3`: SM4-CTR with HMAC-SM3, encrypt-then-MAC, as RFC 7518 §5.2 builds
 *     A128CBC-HS256 (sm4-ctr-hmac-sm3.ts); the protected header is the AAD here too.
 * What the sender uses is decided by the recipient's key (its JWK `crv`), what the recipient
 * accepts by the suite of its key store: one key, one algorithm (RFC 8725 §3.1).
 */

/** The content encryption algorithm (RFC 7518 §5.3). */
export const SEAL_ENC = 'A256GCM';

/** The JWE `typ` of sealed personal data (RFC 7516 §4.1.11, RFC 8725 §3.11 explicit typing). */
export const SEALED_TYP = 'cytb-sealed+jwe';

/** An agency's public sealing key, imported once (see `importSealingKey`): X25519 under `intl`, SM2 under `gm`. */
export interface SealingKey {
  readonly kid: string;
  readonly suite: SuiteName;
  readonly key: CryptoKey | Sm2PublicKey;
}

/** Where `openSealed` finds the private key named by a JWE's `kid`: an AgencyKeyStore. */
export interface DecryptionKeyResolver {
  decryptionKey(kid: string): CryptoKey | Sm2PrivateKey | undefined;
}

/** What `openSealed` accepts: the profile of one suite, when the caller knows it (an agency's key store does). */
export interface OpenSealedOptions {
  readonly suite?: Pick<CryptoSuite, 'sealAlg' | 'sealEnc'>;
}

/** A sealed value is personal data of one applicant: small. Bounds work done before decryption. */
const MAX_SEALED_CHARS = 64 * 1024;
const MAX_HEADER_CHARS = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();
/** A256GCM (RFC 7518 §5.3): a 256-bit key, a 96-bit IV, a 128-bit tag. */
const CEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** AES Key Wrap of a 32-byte content key adds one 8-byte block (RFC 3394 §2.2.1). */
const WRAPPED_KEY_BYTES = CEK_BYTES + 8;
/** The key-encryption key of ECDH-ES+A256KW: 256 bits (RFC 7518 §4.6.2, keydatalen). */
const KEK_BITS = 256;

/**
 * Imports an agency's public sealing JWK once, for every later `sealFor`: X25519 (`intl`) or SM2
 * (`gm`), by its `crv`. Refuses with CONFIG_INVALID a key that is neither, or an X25519 key that
 * is a low-order point (RFC 7748 §6.1), or an SM2 point that is not on the curve: no shared secret
 * can be derived with either, so every seal would fail later, one request at a time, as INTERNAL.
 *
 * @example const sealing = await importSealingKey(federationAgency.encryptionKeys[0]);
 */
export async function importSealingKey(jwk: EncryptionPublicJwk): Promise<SealingKey> {
  const problem = isKid(jwk?.kid) ? encryptionJwkProblem(jwk, jwk.kid) : 'kid is missing or not a plain string';
  if (problem !== undefined) throw new GatewayError('CONFIG_INVALID', { detail: `encryption key: ${problem}` });
  if (jwk.kty === 'EC') {
    try {
      return Object.freeze({ kid: jwk.kid, suite: GM_SUITE.name, key: Sm2PublicKey.fromJwk(jwk) });
    } catch (cause) {
      throw new GatewayError('CONFIG_INVALID', { detail: `encryption key ${jwk.kid} is not a point on the SM2 curve`, cause });
    }
  }
  let key: CryptoKey;
  let recipient: KeyObject | undefined;
  try {
    key = await importJWK({ kty: 'OKP', crv: 'X25519', x: jwk.x }, SEAL_ALG);
    // The KeyObject that every later `sealFor` uses is made here, once.
    recipient = okpKeyObject(key, 'x25519', 'public');
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `encryption key ${jwk.kid} cannot be imported`, cause });
  }
  if (recipient === undefined) throw new GatewayError('CONFIG_INVALID', { detail: `encryption key ${jwk.kid} is not a public X25519 key` });
  // One trial agreement with a throwaway key: OpenSSL refuses a low-order point (an all-zero Z)
  // here exactly as it would in every `sealFor`.
  try {
    diffieHellman({ privateKey: generateKeyPairSync('x25519').privateKey, publicKey: recipient }).fill(0);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `encryption key ${jwk.kid} is a low-order X25519 point: no shared secret can be derived with it`, cause });
  }
  return Object.freeze({ kid: jwk.kid, suite: INTL_SUITE.name, key });
}

/**
 * Seals `plaintext` (a JSON object) for the holder of the private half of `recipientKey`, as a
 * compact JWE with the protected header `{ alg, enc, kid, typ, cty: 'json', epk }`: the `intl`
 * profile (`ECDH-ES+A256KW`, `A256GCM`) for an X25519 key, the `gm` one (`SM2-ECDH-ES`,
 * `SM4-CTR-HS3`) for an SM2 key. A fault here is ours, not a peer's: INTERNAL.
 *
 * @example
 *   const sealing = await importSealingKey(agencyJwk); // once
 *   const sealed = await sealFor(sealing.key, { idNumber, name, phone }, { kid: sealing.kid });
 */
export async function sealFor(recipientKey: CryptoKey | Sm2PublicKey, plaintext: object, options: { readonly kid: string }): Promise<string> {
  if (!isKid(options.kid)) throw new GatewayError('INTERNAL', { detail: 'sealFor: kid is missing or not a plain string' });
  const recipient = recipientKey instanceof Sm2PublicKey ? recipientKey : okpKeyObject(recipientKey, 'x25519', 'public');
  if (recipient === undefined) {
    throw new GatewayError('INTERNAL', { detail: 'sealFor: the recipient key must be a public X25519 or SM2 key' });
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
    return recipient instanceof Sm2PublicKey ? sealBytesGm(recipient, bytes, options.kid) : sealBytes(recipient, bytes, options.kid);
  } catch (cause) {
    throw new GatewayError('INTERNAL', { detail: `sealing for ${options.kid} failed`, cause });
  }
}

/**
 * RFC 7516 §5.1 for one recipient, with `ECDH-ES+A256KW` (RFC 7518 §4.6) and `A256GCM` (§5.3).
 * The header members are in jose's order, `epk` last as `{ x, crv, kty }`.
 */
function sealBytes(recipient: KeyObject, plaintext: Uint8Array, kid: string): string {
  // 1. A fresh ephemeral X25519 key (RFC 8037 §3.2) and the shared secret Z with the recipient.
  const ephemeral = generateKeyPairSync('x25519');
  const x = ephemeral.publicKey.export({ format: 'jwk' }).x;
  if (!isKey32(x)) throw new TypeError('the ephemeral key did not export as X25519');
  const z = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });

  // 2. The protected header, carrying the ephemeral public key (RFC 7518 §4.6.1.1); its base64url
  //    is the AAD of the content encryption (RFC 7516 §5.1 step 14).
  const header = { alg: SEAL_ALG, enc: SEAL_ENC, kid, typ: SEALED_TYP, cty: 'json', epk: { x, crv: 'X25519', kty: 'OKP' } };
  const head = encodeBase64url(JSON.stringify(header));

  // 3. Key-encryption key by the Concat KDF (no apu/apv), and a random content key wrapped under it.
  //    The secrets are zeroed whether or not the sealing succeeds.
  let kek: Buffer | undefined;
  let cek: Buffer | undefined;
  let encryptedKey: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer;
  try {
    kek = concatKdf(z, SEAL_ALG, KEK_BITS);
    cek = randomBytes(CEK_BYTES);
    encryptedKey = aesKeyWrap(kek, cek);

    // 4. AES-256-GCM of the plaintext under the content key, a random 96-bit IV, a 128-bit tag.
    iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', cek, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(head, 'latin1'));
    ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    tag = cipher.getAuthTag();
  } finally {
    z.fill(0);
    kek?.fill(0);
    cek?.fill(0);
  }

  // 5. Compact serialization (RFC 7516 §7.1).
  return [head, encryptedKey.toString('base64url'), iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
}

/**
 * RFC 7516 §5.1 for one recipient under the `gm` profile: direct key agreement on SM2 (RFC 7518
 * §4.6 with SM3 in the Concat KDF), then SM4-CTR-HS3. The header members are in the intl order.
 */
function sealBytesGm(recipient: Sm2PublicKey, plaintext: Uint8Array, kid: string): string {
  // 1. A fresh ephemeral SM2 key and Z, the x coordinate of the shared point with the recipient.
  const ephemeral = Sm2PrivateKey.generate();
  const z = ephemeral.agree(recipient);

  // 2. The protected header with the ephemeral public key; its base64url is the AAD.
  const header = { alg: GM_SUITE.sealAlg, enc: GM_SUITE.sealEnc, kid, typ: SEALED_TYP, cty: 'json', epk: { kty: 'EC', crv: 'SM2', ...ephemeral.publicKey.jwk() } };
  const head = encodeBase64url(JSON.stringify(header));

  // 3. The content key straight from the KDF (direct agreement: no encrypted key), then
  //    SM4-CTR-HS3 under it. The secrets are zeroed whether or not the sealing succeeds.
  let cek: Buffer | undefined;
  let out: { iv: Buffer; ciphertext: Buffer; tag: Buffer };
  try {
    cek = concatKdf(z, GM_SUITE.sealEnc, SM4_CTR_HS3_KEY_BYTES * 8, undefined, undefined, 'sm3');
    out = sm4CtrHs3Encrypt(cek, plaintext, Buffer.from(head, 'latin1'));
  } finally {
    z.fill(0);
    cek?.fill(0);
  }

  // 4. Compact serialization (RFC 7516 §7.1), the second segment empty.
  return [head, '', out.iv.toString('base64url'), out.ciphertext.toString('base64url'), out.tag.toString('base64url')].join('.');
}

/**
 * Opens sealed personal data with the private key its `kid` names, as a checklist. Anything other
 * than a JWE of exactly one of our profiles (the one of `options.suite` when given), for a key
 * `keys` holds, intact, is refused with SEALED_DATA_INVALID (the detail says which step failed;
 * never the content).
 *
 * @example
 *   const agencyKeys = await AgencyKeyStore.open(dir, 'SC.card', clock); // once
 *   const personal = await openSealed(request.sealed, agencyKeys, { suite: agencyKeys.suite }); // { idNumber: '…', name: '…' }
 */
export async function openSealed(compactJwe: unknown, keys: DecryptionKeyResolver, options: OpenSealedOptions = {}): Promise<Record<string, unknown>> {
  // 1. Shape: five base64url segments, bounded (RFC 7516 §7.1). Only the encrypted key may be
  //    empty, and then only under direct key agreement (step 2).
  if (typeof compactJwe !== 'string') throw invalid('sealed data must be a compact JWE string');
  if (compactJwe.length > MAX_SEALED_CHARS) throw invalid('sealed data is too large');
  const segments = compactJwe.split('.');
  if (segments.length !== 5 || !segments.every((s, i) => BASE64URL.test(s) || (i === 1 && s === ''))) {
    throw invalid('sealed data must be a compact JWE: five base64url segments');
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

  // 2. The profile, before any key is touched: alg and enc from our allowlist only, as one pair,
  //    and the suite's pair when the caller names one (RFC 8725 §3.1; RFC 7518 §4.6 and §5.3;
  //    docs/adr/0102-gm-sealing.md for gm), our typ (RFC 8725 §3.11), no zip (RFC 7516 §4.1.3), no
  //    crit (RFC 7516 §4.1.13), and an ephemeral key on the profile's curve (RFC 8725 §3.4).
  const suite = [INTL_SUITE, GM_SUITE].find((candidate) => candidate.sealAlg === h.alg);
  if (suite === undefined) throw invalid(`alg must be ${options.suite?.sealAlg ?? `${INTL_SUITE.sealAlg} or ${GM_SUITE.sealAlg}`}`);
  if (options.suite !== undefined && (options.suite.sealAlg !== suite.sealAlg || options.suite.sealEnc !== suite.sealEnc)) {
    throw invalid(`alg must be ${options.suite.sealAlg} with enc ${options.suite.sealEnc} (the suite of this key store)`);
  }
  if (h.enc !== suite.sealEnc) throw invalid(`enc must be ${suite.sealEnc} with alg ${suite.sealAlg}`);
  if (typeof h.typ !== 'string' || h.typ.toLowerCase() !== SEALED_TYP) throw invalid(`typ must be ${SEALED_TYP}`);
  if ('zip' in h) throw invalid('compressed sealed data (zip) is not accepted');
  if ('crit' in h) throw invalid('critical header extensions (crit) are not supported');
  const epk = h.epk as Record<string, unknown> | undefined;
  const gm = suite === GM_SUITE;
  if (gm) {
    if (typeof epk !== 'object' || epk === null || epk.kty !== 'EC' || epk.crv !== 'SM2' || 'd' in epk) throw invalid('epk must be a public SM2 key');
    if ('apu' in h || 'apv' in h) throw invalid(`${GM_SUITE.sealAlg} carries no apu or apv`);
  } else if (typeof epk !== 'object' || epk === null || epk.kty !== 'OKP' || epk.crv !== 'X25519' || 'd' in epk) {
    throw invalid('epk must be a public X25519 key');
  }

  // 3. The key: named by kid, held by this agency (RFC 7516 §4.1.6).
  const kid = h.kid;
  if (!isKid(kid)) throw invalid('kid is missing or not a plain string');
  const key = keys.decryptionKey(kid);
  if (key === undefined) throw invalid(`kid ${kid} is not a key of this agency`);

  // 4. Decrypt and authenticate (RFC 7516 §5.2), by the profile: every failure here reads the
  //    same, so nothing tells a prober which step it failed.
  const doesNotOpen = (cause?: unknown): GatewayError =>
    invalid(`the sealed data does not open with key ${kid} (altered, or sealed for another key)`, cause);
  let plaintext: Buffer;
  if (gm) {
    if (!(key instanceof Sm2PrivateKey)) throw invalid(`kid ${kid} is not an SM2 key: ${GM_SUITE.sealAlg} does not apply to it`);
    plaintext = openGm(head, segments, epk, key, doesNotOpen);
  } else {
    if (key instanceof Sm2PrivateKey) throw invalid(`kid ${kid} is an SM2 key: ${INTL_SUITE.sealAlg} does not apply to it`);
    plaintext = openIntl(head, segments, h, epk, key, kid, doesNotOpen);
  }

  // 5. The content: one JSON object. A parse error is not kept as the cause: its message can
  //    quote the decrypted personal data, and causes reach the logs.
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(plaintext));
  } catch {
    throw invalid('the opened content is not UTF-8 JSON');
  } finally {
    plaintext.fill(0);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('the opened content is not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Step 4 under `intl`: Z from our key and the ephemeral one, the key-encryption key (Concat KDF,
 * with apu/apv when the sender set them), the content key unwrapped (AES-KW's integrity check),
 * then AES-GCM, whose tag covers the ciphertext and the protected header (RFC 7516 §5.2 step 16).
 */
function openIntl(
  head: string,
  segments: readonly string[],
  h: Record<string, unknown>,
  epk: Record<string, unknown>,
  key: CryptoKey,
  kid: string,
  doesNotOpen: (cause?: unknown) => GatewayError,
): Buffer {
  const privateKey = okpKeyObject(key, 'x25519', 'private');
  if (privateKey === undefined) throw new GatewayError('INTERNAL', { detail: `key ${kid} is not a private X25519 key` });
  const apu = partyInfo(h.apu);
  const apv = partyInfo(h.apv);
  if (apu === null || apv === null || (apu !== undefined && apv !== undefined && apu.equals(apv))) {
    // jose's rule too: apu and apv, when both present, name two different parties.
    throw doesNotOpen();
  }
  const encryptedKey = decodeBase64url(segments[1]);
  const iv = decodeBase64url(segments[2]);
  const ciphertext = decodeBase64url(segments[3]);
  const tag = decodeBase64url(segments[4]);
  if (
    !isKey32(epk.x) ||
    encryptedKey?.length !== WRAPPED_KEY_BYTES ||
    iv?.length !== IV_BYTES ||
    ciphertext === undefined ||
    tag?.length !== TAG_BYTES
  ) {
    throw doesNotOpen();
  }
  let z: Buffer | undefined;
  let kek: Buffer | undefined;
  let cek: Buffer | undefined;
  try {
    const ephemeral = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epk.x }, format: 'jwk' });
    // OpenSSL refuses a low-order ephemeral key (an all-zero Z, RFC 7748 §6.1) by throwing here.
    z = diffieHellman({ privateKey, publicKey: ephemeral });
    kek = concatKdf(z, SEAL_ALG, KEK_BITS, apu, apv);
    cek = aesKeyUnwrap(kek, encryptedKey);
    const decipher = createDecipheriv('aes-256-gcm', cek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(head, 'latin1'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (cause) {
    throw doesNotOpen(cause);
  } finally {
    // Zeroed on every path: a tag that fails still leaves Z, the KEK and the content key here.
    z?.fill(0);
    kek?.fill(0);
    cek?.fill(0);
  }
}

/**
 * Step 4 under `gm`: the ephemeral point checked to be on the SM2 curve (refused with its own
 * detail: it is public), Z with our key, the content key by the Concat KDF with SM3, then
 * SM4-CTR-HS3, whose tag is checked before anything is decrypted.
 */
function openGm(head: string, segments: readonly string[], epk: Record<string, unknown>, key: Sm2PrivateKey, doesNotOpen: (cause?: unknown) => GatewayError): Buffer {
  // Direct key agreement: the JWE Encrypted Key is the empty octet sequence (RFC 7516 §5.2 step 10).
  if (segments[1] !== '') throw invalid(`${GM_SUITE.sealAlg} is direct key agreement: the encrypted key must be empty`);
  const iv = decodeBase64url(segments[2]);
  const ciphertext = decodeBase64url(segments[3]);
  const tag = decodeBase64url(segments[4]);
  if (iv?.length !== SM4_CTR_HS3_IV_BYTES || ciphertext === undefined || tag?.length !== SM4_CTR_HS3_TAG_BYTES) {
    throw invalid(`${GM_SUITE.sealEnc} takes a ${SM4_CTR_HS3_IV_BYTES}-byte IV and a ${SM4_CTR_HS3_TAG_BYTES}-byte tag`);
  }
  if (!isSm2Coordinate(epk.x) || !isSm2Coordinate(epk.y)) throw invalid('epk x and y must be 32-byte base64url values');
  let ephemeral: Sm2PublicKey;
  try {
    ephemeral = Sm2PublicKey.fromJwk({ x: epk.x, y: epk.y });
  } catch (cause) {
    throw invalid('epk is not a point on the SM2 curve', cause);
  }
  let z: Buffer | undefined;
  let cek: Buffer | undefined;
  let plaintext: Buffer | undefined;
  try {
    z = key.agree(ephemeral);
    cek = concatKdf(z, GM_SUITE.sealEnc, SM4_CTR_HS3_KEY_BYTES * 8, undefined, undefined, 'sm3');
    plaintext = sm4CtrHs3Decrypt(cek, iv, ciphertext, tag, Buffer.from(head, 'latin1'));
  } catch (cause) {
    throw doesNotOpen(cause);
  } finally {
    z?.fill(0);
    cek?.fill(0);
  }
  if (plaintext === undefined) throw doesNotOpen();
  return plaintext;
}

/** `apu`/`apv` (RFC 7518 §4.6.1.2, §4.6.1.3): absent, or base64url; `null` when present but not that. */
function partyInfo(value: unknown): Buffer | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (value !== '' && !BASE64URL.test(value))) return null;
  return decodeBase64url(value) ?? null;
}

function invalid(detail: string, cause?: unknown): GatewayError {
  return new GatewayError('SEALED_DATA_INVALID', { detail, cause });
}
