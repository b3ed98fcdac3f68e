import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { envelopeClaims, NOW, NOW_MS } from './claims.fixtures.js';
import { GM_SUITE, suiteHash } from './crypto-suite.js';
import { signEnvelope, verifyEnvelope } from './envelope.js';
import { parseFederation, suitePolicyOf, trustedKeysOf, type Federation } from './federation.js';
import { FederationAuthorityKeyStore, FederationAuthorityTrust, signFederation, verifySignedFederation } from './federation-signing.js';
import { FileKeyStore } from './file-key-store.js';
import { countersignCheckpoint, signCheckpoint, verifyCheckpoint, verifyCountersignature } from './log-checkpoint.js';
import { signReceipt, verifyReceipt } from './receipt.js';
import { SM2_DEFAULT_USER_ID } from './sm2.js';
import { TrustStore, type SuitePolicy } from './trust-store.js';

/** The gm suite (issue 17) end to end in the signing layer, and the refusals between suites. */
describe('the gm suite: SM2 signatures, SM3 hashes, one suite per federation', () => {
  let dir: string;
  let sc: FileKeyStore;
  let cq: FileKeyStore;
  const clock = new ManualClock(NOW_MS);
  const GM: SuitePolicy = { suite: 'gm' };
  const INTL: SuitePolicy = { suite: 'intl' };

  const trustOf = (policy: SuitePolicy) =>
    TrustStore.create([sc, cq].flatMap((s) => s.publicJwks().keys.map((publicJwk) => ({ kid: publicJwk.kid, node: s.node, publicJwk }))), undefined, policy);
  const verifyAt = async (compact: string, policy: SuitePolicy, nowMs = NOW_MS) =>
    verifyEnvelope(compact, { trust: await trustOf(policy), self: 'SC', nowMs, maxSkewSeconds: 60, maxLifetimeSeconds: 86_400 });
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-gm-'));
    // Each node holds keys of both suites and signs in gm; the intl keys stay published.
    sc = await FileKeyStore.open(join(dir, 'sc'), 'SC', clock, { suite: 'gm' });
    cq = await FileKeyStore.open(join(dir, 'cq'), 'CQ', clock, { suite: 'intl' });
    await cq.prepareSuite('gm');
    await cq.useSuite('gm');
    await sc.prepareSuite('intl');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes SM2 keys on first start, 0600 files in a 0700 folder, and publishes them as EC/SM2 JWKs', async () => {
    const key = sc.current();
    expect(key.alg).toBe('SM2');
    expect(key.kid).toMatch(/^SC-SM2-\d{8}-[0-9a-f]{6}$/);
    const jwk = sc.publicJwks().keys[0];
    expect(jwk).toEqual({ kty: 'EC', crv: 'SM2', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), y: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), kid: key.kid, alg: 'SM2', use: 'sig' });
    expect(sc.publicJwks().keys.map((k) => k.alg)).toEqual(['SM2', 'EdDSA']);
    expect((await stat(join(dir, 'sc'))).mode & 0o777).toBe(0o700);
    for (const name of (await readdir(join(dir, 'sc'))).filter((n) => n.endsWith('.private.jwk.json'))) {
      expect((await stat(join(dir, 'sc', name))).mode & 0o777).toBe(0o600);
    }
    // Reopened, the store finds the same key (and does not make another).
    const again = await FileKeyStore.open(join(dir, 'sc'), 'SC', clock, { suite: 'gm' });
    expect(again.current().kid).toBe(key.kid);
  });

  it('rotates SM2 keys in the same two audited steps as Ed25519 keys, with the expiry warning', async () => {
    const local = new ManualClock(NOW_MS);
    const store = await FileKeyStore.open(join(dir, 'rot'), 'SC', local, { suite: 'gm', maxAgeDays: 90, warnDays: 10 });
    const first = store.current().kid;
    expect(await store.rotate()).toMatchObject({ action: 'prepared', kid: expect.stringMatching(/^SC-SM2-/) });
    await expect(store.rotate()).rejects.toMatchObject({ code: 'KEY_ROTATION_REFUSED' });
    local.advance(86_400_000);
    expect(await store.rotate()).toMatchObject({ action: 'activated', retiring: first });
    // Both keys were made at the same instant: their order is the kids', so compare as a set.
    expect(store.keyStatus().map((s) => `${s.suite}:${s.state}`).sort()).toEqual(['gm:active', 'gm:retiring']);
    local.advance(85 * 86_400_000);
    expect(store.keyStatus().find((s) => s.state === 'active')?.warning).toBe(true);
  });

  it('signs and verifies an SM2 envelope, and names its SM3 hash', async () => {
    const compact = await signEnvelope(cq.current(), envelopeClaims());
    const header = JSON.parse(Buffer.from(compact.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
    expect(header).toEqual({ alg: 'SM2', kid: cq.current().kid, typ: 'cytb-envelope+jws' });
    expect(Buffer.from(compact.split('.')[2], 'base64url')).toHaveLength(64);
    const verified = await verifyAt(compact, GM);
    expect(verified.sha256).toBe(createHash('sm3').update(compact).digest('base64url'));
    expect(verified.sha256).toBe(suiteHash(GM_SUITE, compact));
    expect(SM2_DEFAULT_USER_ID).toBe('1234567812345678');
  });

  it('refuses an EdDSA envelope in a gm federation, and an SM2 one in an intl federation, with SUITE_NOT_ACCEPTED before any key look-up', async () => {
    const eddsa = `${b64({ alg: 'EdDSA', kid: 'CQ-20260101-000000', typ: 'cytb-envelope+jws' })}.${b64(envelopeClaims())}.${'A'.repeat(86)}`;
    const sm2 = `${b64({ alg: 'SM2', kid: 'CQ-SM2-20260101-000000', typ: 'cytb-envelope+jws' })}.${b64(envelopeClaims())}.${'A'.repeat(86)}`;
    // Unknown kids and garbage signatures: the refusal comes before the key and the signature.
    await expect(verifyAt(eddsa, GM)).rejects.toMatchObject({ code: 'SUITE_NOT_ACCEPTED' });
    await expect(verifyAt(sm2, INTL)).rejects.toMatchObject({ code: 'SUITE_NOT_ACCEPTED' });
    const real = await signEnvelope(cq.current(), envelopeClaims());
    await expect(verifyAt(real, INTL)).rejects.toMatchObject({ code: 'SUITE_NOT_ACCEPTED' });
  });

  it('accepts both suites during the overlap, and only the new one after it', async () => {
    const untilMs = NOW_MS + 3_600_000;
    const moving: SuitePolicy = { suite: 'gm', overlap: { suite: 'intl', untilMs } };
    const cqIntl = await FileKeyStore.open(join(dir, 'cq'), 'CQ', clock, { suite: 'intl' });
    const old = await signEnvelope(cqIntl.current(), envelopeClaims());
    const fresh = await signEnvelope(cq.current(), envelopeClaims());
    await expect(verifyAt(old, moving)).resolves.toMatchObject({ header: { alg: 'EdDSA' } });
    await expect(verifyAt(fresh, moving)).resolves.toMatchObject({ header: { alg: 'SM2' } });
    await expect(verifyAt(old, moving, untilMs + 1000)).rejects.toMatchObject({ code: 'SUITE_NOT_ACCEPTED' });
    await expect(verifyAt(fresh, moving, untilMs + 1000)).resolves.toBeDefined();
  });

  it('refuses an SM2 key presented as Ed25519 and the reverse (ENVELOPE_ALG_REFUSED), even when both suites are accepted', async () => {
    const both: SuitePolicy = { suite: 'gm', overlap: { suite: 'intl', untilMs: NOW_MS + 3_600_000 } };
    const fresh = await signEnvelope(cq.current(), envelopeClaims());
    const [, payload, signature] = fresh.split('.');
    const asEd = `${b64({ alg: 'EdDSA', kid: cq.current().kid, typ: 'cytb-envelope+jws' })}.${payload}.${signature}`;
    await expect(verifyAt(asEd, both)).rejects.toMatchObject({ code: 'ENVELOPE_ALG_REFUSED' });
    const cqIntl = await FileKeyStore.open(join(dir, 'cq'), 'CQ', clock, { suite: 'intl' });
    const old = await signEnvelope(cqIntl.current(), envelopeClaims());
    const [, p2, s2] = old.split('.');
    const asSm2 = `${b64({ alg: 'SM2', kid: cqIntl.current().kid, typ: 'cytb-envelope+jws' })}.${p2}.${s2}`;
    await expect(verifyAt(asSm2, both)).rejects.toMatchObject({ code: 'ENVELOPE_ALG_REFUSED' });
    // A JWK that pins an SM2 key to EdDSA is refused when the federation is loaded.
    const wrong = { ...cq.current().publicJwk, alg: 'EdDSA' };
    await expect(TrustStore.create([{ kid: wrong.kid, node: 'CQ', publicJwk: wrong as never }])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a DER SM2 signature where r||s is expected (ENVELOPE_SIGNATURE_INVALID)', async () => {
    const fresh = await signEnvelope(cq.current(), envelopeClaims());
    const [h, p, s] = fresh.split('.');
    const raw = Buffer.from(s, 'base64url');
    const integer = (b: Buffer) => {
      const trimmed = b.subarray(b.findIndex((x) => x !== 0));
      const v = trimmed[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
      return Buffer.concat([Buffer.from([2, v.length]), v]);
    };
    const body = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    await expect(verifyAt(`${h}.${p}.${der.toString('base64url')}`, GM)).rejects.toMatchObject({
      code: 'ENVELOPE_SIGNATURE_INVALID',
      detail: expect.stringContaining('not DER'),
    });
  });

  it('signs receipts in SM2 with an sm3 claim, and refuses an intl receipt in a gm federation', async () => {
    const envelope = await signEnvelope(cq.current(), envelopeClaims());
    const sm3 = suiteHash(GM_SUITE, envelope);
    const claims = { jti: '019aa8c4-1a00-7000-8000-0000000000aa', iss: 'SC' as const, aud: 'CQ' as const, iat: NOW, msg: envelopeClaims().jti, sha256: sm3, result: 'accepted' as const };
    const receipt = await signReceipt(sc.current(), claims);
    const payload = JSON.parse(Buffer.from(receipt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(payload.sm3).toBe(sm3);
    expect(payload).not.toHaveProperty('sha256');
    const options = { expectedSigner: 'SC' as const, expectedAudience: 'CQ' as const, messageId: claims.msg, sha256: sm3, nowMs: NOW_MS, maxSkewSeconds: 60 };
    await expect(verifyReceipt(receipt, { ...options, trust: await trustOf(GM) })).resolves.toMatchObject({ sha256: sm3 });
    const scIntl = await FileKeyStore.open(join(dir, 'sc'), 'SC', clock, { suite: 'intl' });
    const intlReceipt = await signReceipt(scIntl.current(), claims);
    await expect(verifyReceipt(intlReceipt, { ...options, trust: await trustOf(GM) })).rejects.toMatchObject({
      code: 'RECEIPT_INVALID',
      detail: expect.stringContaining('suite not accepted'),
    });
  });

  it('signs checkpoints and countersignatures in SM2, bound by the SM3 of the checkpoint', async () => {
    const trust = await trustOf(GM);
    const checkpoint = await signCheckpoint(sc.current(), { node: 'SC', peer: 'CQ', count: 1, headHash: 'a'.repeat(64), hashAlg: 'sm3', at: NOW_MS });
    const claims = await verifyCheckpoint(checkpoint, { trust });
    const countersignature = await countersignCheckpoint(cq.current(), checkpoint, claims, NOW_MS);
    await expect(verifyCountersignature(countersignature, { trust, checkpoint })).resolves.toMatchObject({ checkpoint: suiteHash(GM_SUITE, checkpoint) });
  });

  describe('the federation document', () => {
    const doc = (suite?: 'intl' | 'gm'): Federation => ({
      version: 2,
      serial: 3,
      // The keys of the document's suite only: a gm federation lists no Ed25519 key (FEDERATION_KEY_SUITE_MISMATCH).
      nodes: [sc, cq].map((s) => ({ node: s.node, name: s.node, url: `http://127.0.0.1/${s.node}`, keys: s.publicJwks().keys.filter((k) => (k.kty === 'EC') === (suite === 'gm')) })),
      rules: [],
      ...(suite === undefined ? {} : { suite }),
    });

    it('declares its suite (absent means intl) and is signed in it by an SM2 authority key for gm', async () => {
      expect(suitePolicyOf(parseFederation(doc()))).toEqual({ suite: 'intl' });
      const gmAuthority = await FederationAuthorityKeyStore.open(join(dir, 'fa'), clock, { suite: 'gm' });
      const intlAuthority = await FederationAuthorityKeyStore.open(join(dir, 'fa'), clock);
      expect(gmAuthority.current().kid).toMatch(/^FA-SM2-/);
      const authority = await FederationAuthorityTrust.create({ keys: [...gmAuthority.publicJwks().keys, ...intlAuthority.publicJwks().keys] });
      const signed = await signFederation(gmAuthority.current(), doc('gm'));
      expect(JSON.parse(Buffer.from(signed.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'SM2' });
      const verified = await verifySignedFederation(signed, authority);
      expect(verified.federation.suite).toBe('gm');
      expect(verified.sha256).toBe(suiteHash(GM_SUITE, signed));
      expect(trustedKeysOf(verified.federation).map((k) => k.publicJwk.alg)).toEqual(['SM2', 'SM2']);
      // A gm document signed with EdDSA is not made, nor accepted.
      await expect(signFederation(intlAuthority.current(), doc('gm'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });

    it('refuses an overlap naming its own suite, or without an instant', () => {
      expect(() => parseFederation({ ...doc('gm'), suiteOverlap: { suite: 'gm', until: '2026-12-01T00:00:00+08:00' } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
      expect(() => parseFederation({ ...doc('gm'), suiteOverlap: { suite: 'intl', until: 'soon' } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
      expect(suitePolicyOf(parseFederation({ ...doc('gm'), suiteOverlap: { suite: 'intl', until: '2026-12-01T00:00:00+08:00' } }))).toEqual({
        suite: 'gm',
        overlap: { suite: 'intl', untilMs: Date.parse('2026-12-01T00:00:00+08:00') },
      });
    });
  });
});
