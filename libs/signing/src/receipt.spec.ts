import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { ManualClock } from '#core';
import { ENVELOPE_TYP, signEnvelope } from './envelope.js';
import { FileKeyStore } from './file-key-store.js';
import { RECEIPT_TYP, signReceipt, verifyReceipt, type ReceiptClaims, type VerifyReceiptOptions } from './receipt.js';
import { sha256Base64url } from './sha256.js';
import type { Ed25519SigningKey } from './signing-key.js';
import { TrustStore } from './trust-store.js';
import { envelopeClaims, headerText, NOW, NOW_MS, signExact } from './claims.fixtures.js';

const MESSAGE_ID = '019aa8c4-1a00-7000-8000-000000000001';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function forge(key: Ed25519SigningKey, header: Record<string, unknown>, payload: unknown): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: RECEIPT_TYP, ...header })
    .sign(key.privateKey);
}

describe('receipts', () => {
  let dir: string;
  let sc: FileKeyStore<Ed25519SigningKey>;
  let cq: FileKeyStore<Ed25519SigningKey>;
  let trust: TrustStore;
  let envelope: string;
  let envelopeHash: string;

  const receiptClaims = (over: Partial<ReceiptClaims> = {}): ReceiptClaims => ({
    jti: '019aa8c4-1a00-7000-8000-0000000000r1',
    iss: 'SC',
    aud: 'CQ',
    iat: NOW,
    msg: MESSAGE_ID,
    sha256: envelopeHash,
    result: 'accepted',
    ...over,
  });
  // CQ sent the envelope to SC and checks the receipt SC answered.
  const check = (receipt: string, over: Partial<VerifyReceiptOptions> = {}) =>
    verifyReceipt(receipt, {
      trust,
      expectedSigner: 'SC',
      expectedAudience: 'CQ',
      messageId: MESSAGE_ID,
      sha256: envelopeHash,
      nowMs: NOW_MS,
      maxSkewSeconds: 60,
      ...over,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-receipt-'));
    const clock = new ManualClock(NOW_MS);
    sc = await FileKeyStore.open(join(dir, 'sc'), 'SC', clock);
    cq = await FileKeyStore.open(join(dir, 'cq'), 'CQ', clock);
    trust = await TrustStore.create(
      [sc, cq].flatMap((s) => s.publicJwks().keys.map((publicJwk) => ({ kid: publicJwk.kid, node: s.node, publicJwk }))),
    );
    envelope = await signEnvelope(cq.current(), envelopeClaims({ jti: MESSAGE_ID, body: {} }));
    envelopeHash = sha256Base64url(envelope);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies a receipt for exactly the envelope sent', async () => {
    const receipt = await signReceipt(sc.current(), receiptClaims());
    await expect(check(receipt)).resolves.toEqual(receiptClaims());
    const header = JSON.parse(Buffer.from(receipt.split('.')[0], 'base64url').toString('utf8'));
    expect(header).toEqual({ alg: 'EdDSA', kid: sc.current().kid, typ: 'cytb-receipt+jws' });
  });

  it('verifies a duplicate receipt, and an old one: a receipt is evidence and does not expire', async () => {
    const receipt = await signReceipt(sc.current(), receiptClaims({ result: 'duplicate' }));
    await expect(check(receipt, { nowMs: NOW_MS + 400 * 86_400_000 })).resolves.toMatchObject({ result: 'duplicate' });
  });

  it('refuses a receipt for other bytes than those sent', async () => {
    const receipt = await signReceipt(sc.current(), receiptClaims({ sha256: sha256Base64url(`${envelope}x`) }));
    await expect(check(receipt)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('SHA-256') });
  });

  it('refuses a receipt for another message id', async () => {
    const receipt = await signReceipt(sc.current(), receiptClaims({ msg: '019aa8c4-1a00-7000-8000-000000000002' }));
    await expect(check(receipt)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('message id') });
  });

  it('refuses a receipt signed with a key that is not the expected signer’s', async () => {
    // A well-formed receipt claiming to be from SC, signed with CQ's (trusted) key.
    const forged = await forge(cq.current(), {}, receiptClaims());
    await expect(check(forged)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('wrong signer') });
    // And CQ's own honest receipt does not count as SC's.
    const own = await signReceipt(cq.current(), receiptClaims({ iss: 'CQ', aud: 'CQ' }));
    await expect(check(own)).rejects.toMatchObject({ code: 'RECEIPT_INVALID' });
  });

  it('refuses a receipt whose iss is not the expected signer even with the signer’s key', async () => {
    const forged = await forge(sc.current(), {}, receiptClaims({ iss: 'CQ' }));
    await expect(check(forged)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('wrong signer') });
  });

  it('refuses a receipt addressed to another node', async () => {
    const receipt = await signReceipt(sc.current(), receiptClaims({ aud: 'SC' }));
    await expect(check(receipt)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('wrong audience') });
  });

  it('refuses a tampered receipt', async () => {
    const [h, p, s] = (await signReceipt(sc.current(), receiptClaims())).split('.') as [string, string, string];
    const i = Math.floor(p.length / 2);
    const tampered = `${h}.${p.slice(0, i)}${p[i] === 'A' ? 'B' : 'A'}${p.slice(i + 1)}.${s}`;
    await expect(check(tampered)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('bad signature') });
  });

  it('refuses an unsecured or HMAC receipt', async () => {
    const none = `${b64({ alg: 'none', kid: sc.current().kid, typ: RECEIPT_TYP })}.${b64(receiptClaims())}.`;
    await expect(check(none)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('algorithm refused') });
    const hs = `${b64({ alg: 'HS256', kid: sc.current().kid, typ: RECEIPT_TYP })}.${b64(receiptClaims())}.AAAA`;
    await expect(check(hs)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('algorithm refused') });
  });

  it('refuses an envelope presented as a receipt', async () => {
    const asEnvelope = await forge(sc.current(), { typ: ENVELOPE_TYP }, receiptClaims());
    await expect(check(asEnvelope)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('typ') });
  });

  it('refuses a receipt with an unknown result or missing claims', async () => {
    const odd = await forge(sc.current(), {}, { ...receiptClaims(), result: 'maybe' });
    await expect(check(odd)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('result') });
    const { sha256: _missing, ...rest } = receiptClaims();
    await expect(check(await forge(sc.current(), {}, rest))).rejects.toMatchObject({ code: 'RECEIPT_INVALID' });
  });

  it('refuses a receipt issued in the future', async () => {
    const receipt = await signReceipt(sc.current(), receiptClaims({ iat: NOW + 120 }));
    await expect(check(receipt)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('future') });
  });

  describe('repeated member names (RFC 7515 §4, RFC 7519 §4)', () => {
    const header = () => headerText(sc.current().kid, RECEIPT_TYP);
    const payload = () => JSON.stringify(receiptClaims());

    it('verifies a receipt written byte for byte by the exact-bytes signer', async () => {
      await expect(check(signExact(sc.current(), header(), payload()))).resolves.toEqual(receiptClaims());
    });

    it('refuses a receipt naming sha256 twice, which a last-wins reader takes as the right hash', async () => {
      const twice = `{"sha256":${JSON.stringify(sha256Base64url('other bytes'))},${payload().slice(1)}`;
      const error = await check(signExact(sc.current(), header(), twice)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('malformed'), fields: [expect.objectContaining({ field: 'sha256' })] });
    });

    it('refuses a receipt header naming typ twice, envelope then receipt', async () => {
      const compact = signExact(sc.current(), headerText(sc.current().kid, RECEIPT_TYP, `"typ":${JSON.stringify(ENVELOPE_TYP)},`), payload());
      await expect(check(compact)).rejects.toMatchObject({ code: 'RECEIPT_INVALID', detail: expect.stringContaining('malformed') });
    });
  });
});
