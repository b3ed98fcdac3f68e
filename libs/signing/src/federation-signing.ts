import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { CompactSign, compactVerify, importJWK, type CryptoKey } from 'jose';
import { GatewayError, toShanghaiIso, type Clock } from '#core';
import {
  checkAlgorithm,
  checkCritical,
  checkKid,
  checkType,
  parseCompact,
  signCompactBytes,
  verifySignature,
  type Refuse,
} from './compact-jws.js';
import { evidenceHash, suiteNamed, type SuiteName } from './crypto-suite.js';
import { parseFederation, type Federation } from './federation.js';
import { createdAtOf, loadOrCreateKeys, newKid, readKeyDirectory, writeNewKeyFile } from './key-directory.js';
import { keyStoreConfig, readOptionalText, writeFileSafely } from './key-files.js';
import { createOkpKey, loadOkpKeys, loadOrCreateOkpKeys, type OkpKeySpec, type StoredOkpKey } from './okp-key-directory.js';
import { isKey32, isKid, publicJwkProblem, SIGNING_ALG, SM2_ALG, toPublicJwk, toSm2PublicJwk, type PublicJwk } from './public-jwk.js';
import type { Signer } from './signing-key.js';
import { newSm2SigningJwk } from './signing-key-files.js';
import { Sm2PrivateKey, Sm2PublicKey } from './sm2.js';

/**
 * The federation configuration is distributed signed (X-Road signs its global configuration the
 * same way): a compact JWS (RFC 7515 §7.1) by a federation authority key, Ed25519 only, explicitly
 * typed, with a `serial` that only grows so that a node never goes back to an older document.
 */

/** The JWS `typ` of a signed federation (RFC 8725 §3.11: keeps it apart from envelopes and receipts). */
export const FEDERATION_TYP = 'cytb-federation+jwt';

/**
 * The federation authority's signing key, imported once; the private key is not extractable.
 * Ed25519 for documents in the `intl` suite, SM2 for `gm` (each document is signed in its suite).
 */
export type AuthorityKey = Signer & {
  readonly publicJwk: PublicJwk;
  /** ISO 8601, China Standard Time. */
  readonly createdAt: string;
};

/** The `intl` authority key (`FederationAuthorityKeyStore.open` without a suite). */
export type Ed25519AuthorityKey = Extract<AuthorityKey, { alg: 'EdDSA' }>;

/** What a verified signed federation yields. */
export interface VerifiedFederation {
  readonly federation: Federation;
  readonly serial: number;
  /** The authority key that signed it. */
  readonly kid: string;
  /** base64url SHA-256 of the compact JWS: equal serials must have equal hashes. */
  readonly sha256: string;
}

/** The last document a node accepted, kept to refuse rollbacks. */
export interface AcceptedFederation {
  readonly serial: number;
  readonly sha256: string;
}

const refuseFederation: Refuse = (_failure, detail, extra) =>
  new GatewayError('FEDERATION_SIGNATURE_INVALID', { detail: `signed federation: ${detail}`, cause: extra?.cause });
/** Both suites' algorithms: which one a document may use is its own `suite` (checked in step 5). */
const ALGS: readonly string[] = Object.freeze([SIGNING_ALG, SM2_ALG]);
const encoder = new TextEncoder();
const AUTHORITY_SPEC: OkpKeySpec = { crv: 'Ed25519', alg: SIGNING_ALG, use: 'sig', kidPrefix: 'FA' };

/**
 * The federation authority's public keys, imported once. Only Ed25519 keys with a kid; a key that
 * is not one refuses the whole set (CONFIG_INVALID), as TrustStore does.
 *
 * @example const authority = await FederationAuthorityTrust.create(JSON.parse(readFileSync('authority.jwks.json', 'utf8')));
 */
export class FederationAuthorityTrust {
  private constructor(private readonly byKid: ReadonlyMap<string, AuthorityPublicKey>) {}

  /**
   * Accepts a JWKS (`{ keys: [...] }`) or an array of JWKs.
   *
   * @example await FederationAuthorityTrust.create({ keys: [authorityStore.current().publicJwk] });
   */
  static async create(jwks: unknown): Promise<FederationAuthorityTrust> {
    const list: unknown = Array.isArray(jwks) ? jwks : (jwks as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(list) || list.length === 0) {
      throw new GatewayError('CONFIG_INVALID', { detail: 'federation authority: the JWKS must list at least one key' });
    }
    const byKid = new Map<string, AuthorityPublicKey>();
    for (const [i, jwk] of (list as readonly unknown[]).entries()) {
      const kid = (jwk as { kid?: unknown } | null)?.kid;
      const problem = isKid(kid) ? publicJwkProblem(jwk, kid) : 'kid is missing or not a plain string';
      if (problem !== undefined) throw new GatewayError('CONFIG_INVALID', { detail: `federation authority key ${i + 1}: ${problem}` });
      if (byKid.has(kid as string)) throw new GatewayError('CONFIG_INVALID', { detail: `federation authority: kid ${String(kid)} is listed twice` });
      try {
        const listed = jwk as PublicJwk;
        if (listed.kty === 'EC') {
          const key = Sm2PublicKey.fromCoordinates(Buffer.from(listed.x, 'base64url'), Buffer.from(listed.y, 'base64url'));
          if (key === undefined) throw new GatewayError('CONFIG_INVALID', { detail: `federation authority key ${i + 1} is not a point of the SM2 curve` });
          byKid.set(kid as string, { alg: SM2_ALG, key });
        } else {
          const key: CryptoKey = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: listed.x }, SIGNING_ALG);
          byKid.set(kid as string, { alg: SIGNING_ALG, key });
        }
      } catch (cause) {
        if (cause instanceof GatewayError) throw cause;
        throw new GatewayError('CONFIG_INVALID', { detail: `federation authority key ${i + 1} cannot be imported`, cause });
      }
    }
    return new FederationAuthorityTrust(byKid);
  }

  /** The imported key named `kid`, with the one algorithm it signs with, or `undefined`. */
  resolve(kid: string): AuthorityPublicKey | undefined {
    return this.byKid.get(kid);
  }
}

/** An authority public key and its algorithm. */
export type AuthorityPublicKey = { readonly alg: 'EdDSA'; readonly key: CryptoKey } | { readonly alg: 'SM2'; readonly key: Sm2PublicKey };

/**
 * Signs a federation document (version 2, with a `serial`) as a compact JWS with the header
 * `{ alg: 'EdDSA', kid, typ: 'cytb-federation+jwt' }`. The document is checked first with the rules
 * every node applies (CONFIG_INVALID), so a bad document fails here and not on every node.
 *
 * @example const jws = await signFederation(authorityStore.current(), { version: 2, serial: 8, nodes, rules });
 */
export async function signFederation(authorityKey: Signer, doc: Federation): Promise<string> {
  const federation = parseFederation(doc);
  if (federation.version !== 2) throw new GatewayError('CONFIG_INVALID', { detail: 'federation: only version 2 (with a serial) is signed' });
  // The document is signed in the suite it declares (issue 17): a gm federation by an SM2 key.
  const suite = suiteNamed(federation.suite ?? 'intl');
  if (suite?.signatureAlg !== authorityKey.alg) {
    throw new GatewayError('CONFIG_INVALID', { detail: `federation: a document of the ${federation.suite ?? 'intl'} suite is signed with ${suite?.signatureAlg ?? '?'}, not ${authorityKey.alg}` });
  }
  return signCompactBytes(authorityKey, FEDERATION_TYP, encoder.encode(JSON.stringify(federation)));
}

/**
 * Verifies a signed federation, as a checklist. Refuses with FEDERATION_SIGNATURE_INVALID anything
 * that is not a compact JWS of our type signed by a listed authority key, and with
 * FEDERATION_ROLLBACK a serial lower than `accepted.serial` (or the same serial with other bytes).
 *
 * @example const { federation, serial } = await verifySignedFederation(text, authority, { accepted: { serial: 7, sha256 } });
 */
export async function verifySignedFederation(
  compact: string,
  authority: FederationAuthorityTrust,
  options: { readonly accepted?: AcceptedFederation } = {},
): Promise<VerifiedFederation> {
  const refuse = refuseFederation;
  const text = typeof compact === 'string' ? compact.trim() : compact;
  // 1. Signed at all: an unsigned JSON document is refused, never read.
  if (typeof text === 'string' && text.startsWith('{')) throw refuse('ENVELOPE_MALFORMED', 'the document is not signed (plain JSON)');
  // 2. Shape, algorithm (EdDSA or SM2, RFC 8725 §3.1), type (RFC 8725 §3.11), no crit (RFC 7515 §4.1.11), kid.
  const header = parseCompact(text, refuse);
  const alg = checkAlgorithm(header, ALGS, refuse);
  checkType(header, FEDERATION_TYP, refuse);
  checkCritical(header, refuse);
  const kid = checkKid(header, refuse);
  // 3. The authority key: named by kid, from the configured authority JWKS only (never the token).
  const key = authority.resolve(kid);
  if (key === undefined) throw refuse('ENVELOPE_KEY_UNKNOWN', `kid ${kid} is not a federation authority key`);
  if (key.alg !== alg) throw refuse('ENVELOPE_ALG_REFUSED', `kid ${kid} signs with ${key.alg}, not ${alg}`);
  // 4. Signature; nothing in the payload is read before this.
  const payload = await verifySignature(text, key, ALGS, refuse);
  // 5. Content: the same checks as an unsigned file, and version 2 with a serial; signed in the
  //    suite it declares (an EdDSA signature over a gm document is refused, and the reverse).
  const federation = parseFederation(payload);
  if (federation.version !== 2 || federation.serial === undefined) {
    throw new GatewayError('CONFIG_INVALID', { detail: 'signed federation: version must be 2, with a serial' });
  }
  if (suiteNamed(federation.suite ?? 'intl')?.signatureAlg !== alg) {
    throw refuse('ENVELOPE_ALG_REFUSED', `the document declares the ${federation.suite ?? 'intl'} suite but is signed with ${alg}`);
  }
  const sha256 = evidenceHash(text);
  // 6. Rollback: never back to an older document, nor to another document under the same serial.
  const accepted = options.accepted;
  if (accepted !== undefined) {
    if (federation.serial < accepted.serial) {
      throw new GatewayError('FEDERATION_ROLLBACK', { detail: `serial ${federation.serial} is older than the accepted ${accepted.serial}` });
    }
    if (federation.serial === accepted.serial && sha256 !== accepted.sha256) {
      throw new GatewayError('FEDERATION_ROLLBACK', { detail: `serial ${federation.serial} was accepted with other content; the authority must raise the serial` });
    }
  }
  return { federation, serial: federation.serial, kid, sha256 };
}

/**
 * Verifies a signed federation (text) against the authority's public keys and, with `stateFile`,
 * against the serial this node accepted last (FEDERATION_ROLLBACK), without recording anything:
 * for a new document an operator hands over, checked before it replaces the file.
 *
 * @example const { serial } = await checkSignedFederation(uploaded, authorityJwks, { stateFile });
 */
export async function checkSignedFederation(
  text: string,
  authorityPublicJwks: unknown,
  options: { readonly stateFile?: string } = {},
): Promise<VerifiedFederation> {
  const authority = await FederationAuthorityTrust.create(authorityPublicJwks);
  const accepted = options.stateFile === undefined ? undefined : await readAccepted(options.stateFile);
  return verifySignedFederation(text, authority, accepted === undefined ? {} : { accepted });
}

/**
 * Reads a signed federation file and verifies it against the authority's public keys. With
 * `stateFile`, refuses a rollback against the serial recorded there (FEDERATION_ROLLBACK) and
 * records the new serial once accepted (atomically, 0600).
 *
 * @example
 *   const federation = await loadSignedFederation('/etc/cytb/federation.jws', { keys: [authorityJwk] },
 *     { stateFile: '/var/lib/cytb/federation.accepted.json' });
 */
export async function loadSignedFederation(
  file: string,
  authorityPublicJwks: unknown,
  options: { readonly stateFile?: string } = {},
): Promise<Federation> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: 'the signed federation file cannot be read', cause });
  }
  const verified = await checkSignedFederation(text, authorityPublicJwks, options);
  if (options.stateFile !== undefined) await recordAcceptedFederation(options.stateFile, verified);
  return verified.federation;
}

/**
 * Records a verified federation as the one this node accepted (its serial and the SHA-256 of its
 * text, atomically, 0600), so that no older one is accepted again (FEDERATION_ROLLBACK).
 */
export async function recordAcceptedFederation(stateFile: string, verified: Pick<VerifiedFederation, 'serial' | 'sha256'>): Promise<void> {
  const accepted = await readAccepted(stateFile);
  if (accepted !== undefined && accepted.serial === verified.serial) return;
  await mkdir(dirname(stateFile), { recursive: true });
  const record: AcceptedFederation = { serial: verified.serial, sha256: verified.sha256 };
  await writeFileSafely(dirname(stateFile), basename(stateFile), `${JSON.stringify(record)}\n`, { exclusive: false });
}

async function readAccepted(stateFile: string): Promise<AcceptedFederation | undefined> {
  const text = await readOptionalText(dirname(stateFile), basename(stateFile));
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: 'the accepted federation state is not JSON', cause });
  }
  const r = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof r.serial !== 'number' || !Number.isSafeInteger(r.serial) || typeof r.sha256 !== 'string') {
    throw new GatewayError('CONFIG_INVALID', { detail: 'the accepted federation state must hold a serial and a sha256' });
  }
  return { serial: r.serial, sha256: r.sha256 };
}

/**
 * The federation authority's signing keys of one suite (Ed25519 for `intl`, SM2 for `gm`), one
 * file per key (0600 in a 0700 directory; a file others can read stops the start with
 * CONFIG_INVALID), created on first open for the embedded default. Both suites' keys may share the
 * directory (kids `FA-…` and `FA-SM2-…`). Production keeps this directory off the gateways: only
 * the machine that signs federation documents needs it, and the nodes get `publicJwks()` only.
 *
 * @example
 *   const authority = await FederationAuthorityKeyStore.open('data/federation-authority', new SystemClock());
 *   const jws = await signFederation(authority.current(), doc);
 *   const gm = await FederationAuthorityKeyStore.open('data/federation-authority', clock, { suite: 'gm' });
 */
export class FederationAuthorityKeyStore<K extends AuthorityKey = AuthorityKey> {
  private constructor(
    readonly dir: string,
    private readonly clock: Clock,
    readonly suite: SuiteName,
    private keys: readonly K[],
  ) {}

  /**
   * Opens (and on first use creates) the authority key store of `suite` (default intl) in `dir`.
   *
   * @example const authority = await FederationAuthorityKeyStore.open(join(dataDir, 'federation-authority'), clock);
   */
  static async open(dir: string, clock: Clock, options: { readonly suite: SuiteName }): Promise<FederationAuthorityKeyStore>;
  static async open(dir: string, clock: Clock): Promise<FederationAuthorityKeyStore<Ed25519AuthorityKey>>;
  static async open(dir: string, clock: Clock, options: { readonly suite?: SuiteName } = {}): Promise<FederationAuthorityKeyStore> {
    const suite = options.suite ?? 'intl';
    if (suite === 'gm') return new FederationAuthorityKeyStore(dir, clock, suite, await loadOrCreateSm2AuthorityKeys(dir, clock));
    const stored = await loadOrCreateOkpKeys(dir, AUTHORITY_SPEC, clock);
    return new FederationAuthorityKeyStore<AuthorityKey>(dir, clock, suite, await Promise.all(stored.map(importAuthorityKey)));
  }

  /** The newest key: the one to sign with. */
  current(): K {
    return this.keys[this.keys.length - 1];
  }

  /**
   * Every authority public key of this suite, newest first: what nodes configure as the authority
   * JWKS (during a move between suites, both suites' lists together).
   *
   * @example writeFileSync('authority.jwks.json', JSON.stringify(authority.publicJwks()));
   */
  publicJwks(): { keys: PublicJwk[] } {
    return { keys: [...this.keys].reverse().map((k) => k.publicJwk) };
  }

  /**
   * Makes a new authority key, which signs from now on. Give its public key to every node (their
   * authority JWKS) before signing with it; keep the old one listed until every node has a document
   * signed by the new key.
   *
   * @example const next = await authority.rotate();
   */
  async rotate(): Promise<K> {
    if (this.suite === 'gm') {
      await createSm2AuthorityKey(this.dir, this.clock);
      this.keys = (await loadSm2AuthorityKeys(this.dir)) as unknown as K[];
    } else {
      await createOkpKey(this.dir, AUTHORITY_SPEC, this.clock);
      this.keys = (await Promise.all((await loadOkpKeys(this.dir, AUTHORITY_SPEC)).map(importAuthorityKey))) as K[];
    }
    return this.current();
  }
}

async function importAuthorityKey(stored: StoredOkpKey): Promise<AuthorityKey> {
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  try {
    privateKey = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: stored.x, d: stored.d }, SIGNING_ALG, { extractable: false });
    publicKey = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: stored.x }, SIGNING_ALG);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `federation authority: key ${stored.kid} cannot be imported`, cause });
  }
  // One signature at start-up proves the public half belongs to the private half.
  try {
    const probe = await new CompactSign(encoder.encode(stored.kid)).setProtectedHeader({ alg: SIGNING_ALG }).sign(privateKey);
    await compactVerify(probe, publicKey, { algorithms: [SIGNING_ALG] });
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `federation authority: key ${stored.kid}: the public half does not match the private half`, cause });
  }
  return Object.freeze({ kid: stored.kid, alg: SIGNING_ALG, privateKey, publicJwk: toPublicJwk(stored.x, stored.kid), createdAt: stored.createdAt });
}

// --- the gm suite's authority keys: SM2 JWKs written by hand (Node cannot export one) ---

const SM2_AUTHORITY_PREFIX = 'FA-SM2';

async function loadOrCreateSm2AuthorityKeys(dir: string, clock: Clock): Promise<AuthorityKey[]> {
  return loadOrCreateKeys(dir, () => loadSm2AuthorityKeys(dir), () => createSm2AuthorityKey(dir, clock));
}

async function loadSm2AuthorityKeys(dir: string): Promise<AuthorityKey[]> {
  return readKeyDirectory(
    dir,
    SM2_AUTHORITY_PREFIX,
    (kid, f) => {
      if (f.kty !== 'EC' || f.crv !== 'SM2' || !isKey32(f.x) || !isKey32(f.y) || !isKey32(f.d)) throw keyStoreConfig(`key file of ${kid} is not an SM2 private JWK`);
      if (f.kid !== kid || (f.alg !== undefined && f.alg !== SM2_ALG)) throw keyStoreConfig(`key file of ${kid} names another kid or alg`);
      const createdAt = createdAtOf(kid, f);
      const privateKey = Sm2PrivateKey.fromScalar(Buffer.from(f.d, 'base64url'));
      const point = privateKey?.publicKey.coordinates();
      if (privateKey === undefined || point?.x.toString('base64url') !== f.x || point.y.toString('base64url') !== f.y) {
        throw keyStoreConfig(`federation authority: key ${kid}: the public half does not match the private half`);
      }
      return Object.freeze({ kid, alg: SM2_ALG, privateKey, publicJwk: toSm2PublicJwk(f.x, f.y, kid), createdAt });
    },
    'federation authority: cannot list the key directory',
  );
}

async function createSm2AuthorityKey(dir: string, clock: Clock): Promise<void> {
  const nowMs = clock.nowMs();
  const kid = newKid(SM2_AUTHORITY_PREFIX, nowMs);
  const content = { ...newSm2SigningJwk(kid), createdAt: toShanghaiIso(nowMs) };
  await writeNewKeyFile(dir, kid, content);
}
