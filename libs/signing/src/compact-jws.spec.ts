import type { Ed25519SigningKey } from './signing-key.js';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, compactVerify, importJWK, type CryptoKey, type JWK } from 'jose';
import { GatewayError, ManualClock } from '#core';
import { signCompactBytes, verifySignature, type Refuse } from './compact-jws.js';
import { ENVELOPE_TYP, signEnvelope, verifyEnvelope, type EnvelopeClaims } from './envelope.js';
import { FileKeyStore } from './file-key-store.js';
import { RECEIPT_TYP, signReceipt } from './receipt.js';
import { sha256Base64url } from './sha256.js';
import { TrustStore } from './trust-store.js';
import { envelopeClaims, NOW, NOW_MS } from './claims.fixtures.js';

/**
 * The node:crypto signer and verifier against jose 6 (WebCrypto), which did both before: the same
 * bytes out, each verifies the other's, and the refusals keep their codes.
 */
/** jose's importJWK answers a CryptoKey for an OKP key; the Uint8Array of its type is for `oct` keys. */
async function importKey(jwk: JWK, alg: string): Promise<CryptoKey> {
  const key = await importJWK(jwk, alg);
  if (key instanceof Uint8Array) throw new TypeError('expected an asymmetric key');
  return key;
}


const refuse: Refuse = (failure, detail, extra) => new GatewayError(failure, { detail, cause: extra?.cause });

describe('compact JWS with node:crypto, interop with jose', () => {
  let dir: string;
  let cq: FileKeyStore<Ed25519SigningKey>;
  let trust: TrustStore;
  let josePublic: CryptoKey;
  const claims = (over: Partial<EnvelopeClaims> = {}): EnvelopeClaims => envelopeClaims({ body: { note: '社保卡补领', n: 3, nested: { list: [1, 'двa', null] } }, ...over });
  const verifyAt = (compact: string) => verifyEnvelope(compact, { trust, self: 'SC', nowMs: NOW_MS, maxSkewSeconds: 60, maxLifetimeSeconds: 7 * 86_400 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-compact-jws-'));
    cq = await FileKeyStore.open(join(dir, 'cq'), 'CQ', new ManualClock(NOW_MS));
    const publicJwk = cq.current().publicJwk;
    trust = await TrustStore.create([{ kid: publicJwk.kid, node: 'CQ', publicJwk }]);
    josePublic = await importKey({ ...publicJwk }, 'EdDSA');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('signs byte for byte what jose signs (Ed25519 is deterministic), envelopes and receipts alike', async () => {
    const key = cq.current();
    const c = claims();
    const ours = await signEnvelope(key, c);
    const payload = { jti: c.jti, iss: c.iss, aud: c.aud, iat: c.iat, exp: c.exp, case: c.case, mtype: c.mtype, ver: c.ver, body: c.body };
    const theirs = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: ENVELOPE_TYP })
      .sign(key.privateKey);
    expect(ours).toBe(theirs);

    const receipt = await signReceipt(await FileKeyStore.open(join(dir, 'sc'), 'SC', new ManualClock(NOW_MS)).then((s) => s.current()), {
      jti: 'r-1', iss: 'SC', aud: 'CQ', iat: NOW, msg: c.jti, sha256: sha256Base64url(ours), result: 'accepted',
    });
    expect(JSON.parse(Buffer.from(receipt.split('.')[0], 'base64url').toString('utf8'))).toEqual({ alg: 'EdDSA', kid: expect.any(String), typ: RECEIPT_TYP });
  });

  it('jose verifies the envelopes we sign', async () => {
    const ours = await signEnvelope(cq.current(), claims());
    const { payload, protectedHeader } = await compactVerify(ours, josePublic, { algorithms: ['EdDSA'] });
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: cq.current().kid, typ: ENVELOPE_TYP });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(claims());
  });

  it('verifies an envelope jose signed, and refuses it once one payload character is changed', async () => {
    const theirs = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'EdDSA', kid: cq.current().kid, typ: ENVELOPE_TYP })
      .sign(cq.current().privateKey);
    const verified = await verifyAt(theirs);
    expect(verified.claims).toEqual(claims());
    expect(verified.sha256).toBe(sha256Base64url(theirs));

    const [h, p, s] = theirs.split('.') as [string, string, string];
    const tampered = `${h}.${p.slice(0, 10)}${p[10] === 'A' ? 'B' : 'A'}${p.slice(11)}.${s}`;
    await expect(verifyAt(tampered)).rejects.toMatchObject({ code: 'ENVELOPE_SIGNATURE_INVALID' });
  });

  it('refuses a second spelling of a valid signature (stray bits in its last character), which jose let through', async () => {
    const good = await signEnvelope(cq.current(), claims());
    const [h, p, s] = good.split('.') as [string, string, string];
    // 86 characters carry 516 bits for 512: the last character's low 4 bits are not part of the signature.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s[s.length - 1]);
    const respelled = `${h}.${p}.${s.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(respelled.split('.')[2], 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    await expect(verifyAt(respelled)).rejects.toMatchObject({ code: 'ENVELOPE_SIGNATURE_INVALID' });
    expect(sha256Base64url(respelled)).not.toBe(sha256Base64url(good));
  });

  it('refuses a signature of the wrong length or not base64url with the codes jose gave', async () => {
    const [h, p, s] = (await signEnvelope(cq.current(), claims())).split('.') as [string, string, string];
    await expect(verifyAt(`${h}.${p}.${s.slice(0, 43)}`)).rejects.toMatchObject({ code: 'ENVELOPE_SIGNATURE_INVALID' });
    await expect(verifyAt(`${h}.${p}.${s}AAAA`)).rejects.toMatchObject({ code: 'ENVELOPE_SIGNATURE_INVALID' });
    await expect(verifyAt(`${h}.${p}.${s}AAA`)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' }); // 4n+1 characters
    await expect(verifyAt(`${h}.${p}.`)).rejects.toMatchObject({ code: 'ENVELOPE_SIGNATURE_INVALID' });
  });

  it('checks the header again before verifying: an algorithm it does not implement is refused, even if allowed', async () => {
    const key = { key: (trust.resolve(cq.current().kid) ?? { key: josePublic }).key };
    const es256 = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: cq.current().kid, typ: ENVELOPE_TYP })).toString('base64url')}.e30.${'A'.repeat(86)}`;
    await expect(verifySignature(es256, key, ['EdDSA', 'ES256'], refuse)).rejects.toMatchObject({ code: 'ENVELOPE_ALG_REFUSED' });
    await expect(verifySignature(es256, key, ['EdDSA'], refuse)).rejects.toMatchObject({ code: 'ENVELOPE_ALG_REFUSED' });
    const crit = `${Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'k', crit: ['exp'], exp: 1 })).toString('base64url')}.e30.${'A'.repeat(86)}`;
    await expect(verifySignature(crit, key, ['EdDSA'], refuse)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
  });

  it('never verifies or signs with a key of another kind: INTERNAL, not a verdict on the token', async () => {
    const good = await signEnvelope(cq.current(), claims());
    await expect(verifySignature(good, { key: cq.current().privateKey }, ['EdDSA'], refuse)).rejects.toMatchObject({ code: 'INTERNAL' });
    const x25519 = generateKeyPairSync('x25519');
    const xPublic = await importKey(x25519.publicKey.export({ format: 'jwk' }), 'ECDH-ES+A256KW');
    await expect(verifySignature(good, { key: xPublic }, ['EdDSA'], refuse)).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(signCompactBytes({ ...cq.current(), privateKey: josePublic }, ENVELOPE_TYP, new Uint8Array([1]))).rejects.toMatchObject({
      code: 'INTERNAL',
    });
  });
});
