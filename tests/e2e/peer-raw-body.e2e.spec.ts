import { harnessSuite } from './support/harness-suite.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { newCaseNumber, newMessageId } from '#core';
import { batchRoot } from '#delivery';
import { FileKeyStore, signEnvelope } from '#signing';
import { cardApplication } from './support/applications.js';
import { GatewayPair } from './support/gateway-pair.js';

/**
 * Issue 14, point 5: the peer face takes application/jose only (RFC 7515 §9.2.1), and a receipt
 * binds the SHA-256 of exactly the bytes that arrived: nothing is trimmed, decoded or re-read.
 */
describe('peer face: application/jose only, receipts over the raw bytes', () => {
  let pair: GatewayPair;
  let cqKeys: FileKeyStore;

  beforeAll(async () => {
    pair = await GatewayPair.start();
    cqKeys = await FileKeyStore.open(join(pair.dir, 'CQ', 'keys'), 'CQ', pair.clock, { suite: harnessSuite() });
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  /** A card request from CQ that SC would accept as it is. */
  async function cardRequest(): Promise<{ compact: string; jti: string }> {
    const now = Math.floor(pair.clock.nowMs() / 1000);
    const jti = newMessageId(pair.clock.nowMs());
    const caseId = newCaseNumber('CQ', pair.clock.nowMs());
    const body = {
      caseId,
      service: 'ssc.apply',
      acceptedAt: '2026-11-23T09:00:00.000+08:00',
      acceptingNode: 'CQ',
      acceptingWindow: { id: 'cq-yuzhong', name: '渝中区', region: '500103' },
      route: { node: 'SC', agency: 'SC.card', region: '510104', regionHistoric: false },
      request: { ...cardApplication({ issuingRegion: '510104' }) },
    };
    const compact = await signEnvelope(cqKeys.current(), { jti, iss: 'CQ', aud: 'SC', iat: now, exp: now + 600, case: caseId, mtype: 'ssc.apply.request', ver: 1, body });
    return { compact, jti };
  }

  const post = (path: string, contentType: string | null, body: string | Buffer) =>
    fetch(pair.sc.url(path), { method: 'POST', headers: contentType === null ? {} : { 'content-type': contentType }, body });

  const stored = (jti: string) => pair.sc.gateway.db.read((s) => s.inbox.get(jti));

  // The suite's hash of the bytes: SHA-256 under intl, SM3 under gm (the receipt's claim is named after it).
  const HASH = harnessSuite() === 'gm' ? 'sm3' : 'sha256';
  const sha256 = (bytes: string | Buffer) => createHash(HASH).update(bytes).digest('base64url');

  const claimsOf = (compact: string) => JSON.parse(Buffer.from(compact.split('.')[1], 'base64url').toString('utf8')) as Record<string, string>;

  const PEER_POSTS = ['/peer/v1/envelopes', '/peer/v1/envelope-batches'] as const;

  describe.each(PEER_POSTS)('%s', (path) => {
    it.each<[string, (c: string) => string | Buffer]>([
      ['text/plain', (c: string) => c],
      ['text/plain; charset=utf-8', (c: string) => c],
      ['application/json', (c: string) => JSON.stringify(c)],
      ['application/x-www-form-urlencoded', (c: string) => `jws=${c}`],
      // RFC 7515 §9.2.1 registers application/jose without parameters: none is accepted.
      ['application/jose; charset=utf-8', (c: string) => c],
      // A Buffer, so that fetch sets no content type of its own (it would say text/plain for a string).
      ['no content type', (c: string) => Buffer.from(c, 'ascii')],
    ])('refuses an acceptable envelope sent as %s with 415 UNSUPPORTED_MEDIA_TYPE and stores nothing', async (contentType, encode) => {
      const { compact, jti } = await cardRequest();
      const response = await post(path, contentType === 'no content type' ? null : contentType, encode(compact));
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(await stored(jti)).toBeFalsy();
    });

    it('refuses malformed JSON sent as application/json with 415, not as a JSON error', async () => {
      const response = await post(path, 'application/json', '{"jws":');
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });
  });

  it.each([
    ['a trailing newline', (c: string) => `${c}\n`],
    ['a trailing CRLF', (c: string) => `${c}\r\n`],
    ['a leading space', (c: string) => ` ${c}`],
    ['a trailing tab', (c: string) => `${c}\t`],
  ])('refuses an envelope with %s as ENVELOPE_MALFORMED instead of trimming it, and stores nothing', async (_name, dress) => {
    const { compact, jti } = await cardRequest();
    const response = await post('/peer/v1/envelopes', 'application/jose', dress(compact));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'ENVELOPE_MALFORMED' });
    expect(await stored(jti)).toBeFalsy();
  });

  it('refuses bytes outside the compact JWS alphabet (RFC 7515 §7.1) as ENVELOPE_MALFORMED', async () => {
    const { compact, jti } = await cardRequest();
    // A byte that is not UTF-8: decoding it would replace it, and the hash would no longer be of what came.
    const response = await post('/peer/v1/envelopes', 'application/jose', Buffer.concat([Buffer.from(compact), Buffer.from([0xff])]));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'ENVELOPE_MALFORMED' });
    expect(await stored(jti)).toBeFalsy();
  });

  it('accepts application/jose in any letter case (RFC 9110 §8.3.1) and signs a receipt over the SHA-256 of exactly the bytes sent', async () => {
    const { compact, jti } = await cardRequest();
    const bytes = Buffer.from(compact, 'ascii');
    const response = await post('/peer/v1/envelopes', 'Application/JOSE', bytes);
    expect(response.status).toBe(200);
    const receipt = await response.text();
    expect(claimsOf(receipt)).toMatchObject({ msg: jti, [HASH]: sha256(bytes) });
    expect(await stored(jti)).toMatchObject({ sha256: sha256(bytes) });
  });

  it('refuses a batch with a trailing newline, a blank line or a CR as ENVELOPE_MALFORMED and stores nothing', async () => {
    for (const join of [(a: string, b: string) => `${a}\n${b}\n`, (a: string, b: string) => `${a}\n\n${b}`, (a: string, b: string) => `${a}\r\n${b}`]) {
      const [one, two] = [await cardRequest(), await cardRequest()];
      const response = await post('/peer/v1/envelope-batches', 'application/jose', join(one.compact, two.compact));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'ENVELOPE_MALFORMED' });
      expect(await stored(one.jti)).toBeFalsy();
      expect(await stored(two.jti)).toBeFalsy();
    }
  });

  it('signs a batch receipt whose root is over the SHA-256 of exactly each line sent', async () => {
    const [one, two] = [await cardRequest(), await cardRequest()];
    const response = await post('/peer/v1/envelope-batches', 'application/jose', `${one.compact}\n${two.compact}`);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { receipt: string; results: { status: string }[] };
    expect(answer.results).toEqual([{ status: 'received' }, { status: 'received' }]);
    const root = batchRoot([one, two].map((e) => ({ messageId: e.jti, sha256: sha256(Buffer.from(e.compact, 'ascii')) })), HASH);
    expect(claimsOf(answer.receipt)[HASH]).toBe(root);
    // The tree itself is in the suite's hash too (SM3 under gm; fails before issue 17.1/4, when
    // the Merkle tree was SHA-256 whatever the suite): recomputed here by hand, not by batchRoot.
    const leaf = (e: { jti: string; compact: string }) => createHash(HASH).update(Buffer.concat([Buffer.from([0]), Buffer.from(`cytb-batch-leaf\u0000${e.jti}\u0000${sha256(Buffer.from(e.compact, 'ascii'))}`)])).digest();
    const byHand = createHash(HASH).update(Buffer.concat([Buffer.from([1]), leaf(one), leaf(two)])).digest('base64url');
    expect(claimsOf(answer.receipt)[HASH]).toBe(byHand);
  });
});
