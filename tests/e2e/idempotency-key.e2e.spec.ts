import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { cardApplication, freshIdNumber } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { TwoNodeHarness, type NodeUnderTest } from './support/two-node-harness.js';

/**
 * Idempotency-Key on the window's state-changing requests (issue 15 point 3): a clerk's retry of
 * a submission whose answer was lost is answered the original response, never a second case.
 */
describe('Idempotency-Key on window requests (two nodes, real transports)', () => {
  let h: TwoNodeHarness;

  beforeAll(async () => {
    h = await TwoNodeHarness.start();
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const post = (n: NodeUnderTest, path: string, body: object, key: string | null, auth = n.window) => {
    const r = request(n.url('')).post(path).set('authorization', auth);
    return (key === null ? r : r.set('idempotency-key', key)).send(body);
  };
  const casesOf = async (n: NodeUnderTest, idNumber: string, auth = n.window) =>
    ((await request(n.url('')).get('/api/v1/applications').query({ idNumber }).set('authorization', auth)).body as { items: { caseId: string }[] }).items;

  it('answers a retry with the same key and body the original receipt, and keeps one case', async () => {
    const idNumber = freshIdNumber();
    const key = `"${randomUUID()}"`;
    const first = await post(h.cq, '/api/v1/applications', cardApplication({ idNumber }), key);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retry = await post(h.cq, '/api/v1/applications', cardApplication({ idNumber }), key);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await casesOf(h.cq, idNumber)).map((c) => c.caseId)).toEqual([(first.body as { caseId: string }).caseId]);
  });

  it('treats a body with its keys in another order as the same request', async () => {
    const idNumber = freshIdNumber();
    const key = randomUUID();
    const body = cardApplication({ idNumber });
    const first = await post(h.cq, '/api/v1/applications', body, key);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const retry = await post(h.cq, '/api/v1/applications', reordered, key);
    expect([first.status, retry.status, retry.headers['idempotent-replayed']]).toEqual([201, 201, 'true']);
    expect((retry.body as { caseId: string }).caseId).toBe((first.body as { caseId: string }).caseId);
  });

  it('refuses the same key with another body (IDEMPOTENCY_KEY_REUSED) and makes no case for it', async () => {
    const key = `"${randomUUID()}"`;
    const other = freshIdNumber();
    expect((await post(h.cq, '/api/v1/applications', cardApplication(), key)).status).toBe(201);
    const reused = await post(h.cq, '/api/v1/applications', cardApplication({ idNumber: other }), key);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', errors: [{ field: 'Idempotency-Key' }] });
    expect(await casesOf(h.cq, other)).toEqual([]);
  });

  it("scopes keys per credential: another window's same key is a new request", async () => {
    const key = `"${randomUUID()}"`;
    const idNumber = freshIdNumber();
    const mine = await post(h.cq, '/api/v1/applications', cardApplication({ idNumber }), key);
    const theirs = await post(h.cq, '/api/v1/applications', cardApplication({ idNumber }), key, h.cq.otherWindow);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect((theirs.body as { caseId: string }).caseId).not.toBe((mine.body as { caseId: string }).caseId);
  });

  it('refuses a malformed key with IDEMPOTENCY_KEY_INVALID on the header, before anything is done', async () => {
    const idNumber = freshIdNumber();
    const response = await post(h.cq, '/api/v1/applications', cardApplication({ idNumber }), `"${'k'.repeat(256)}"`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID', errors: [{ field: 'Idempotency-Key' }] });
    expect(await casesOf(h.cq, idNumber)).toEqual([]);
  });

  it('keeps no refusal: the key of a refused form may be sent again with the form corrected', async () => {
    const key = randomUUID();
    const idNumber = freshIdNumber();
    const refused = await post(h.cq, '/api/v1/applications', { ...cardApplication({ idNumber }), issuingRegion: '999999' }, key);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'REGION_UNKNOWN' });
    const accepted = await post(h.cq, '/api/v1/applications', cardApplication({ idNumber }), key);
    expect(accepted.status).toBe(201);
    expect(accepted.headers['idempotent-replayed']).toBeUndefined();
  });

  it('processes a request without a key as before (each one is a new case)', async () => {
    const idNumber = freshIdNumber();
    expect((await post(h.cq, '/api/v1/applications', cardApplication({ idNumber }), null)).status).toBe(201);
    expect((await post(h.cq, '/api/v1/applications', cardApplication({ idNumber }), null)).status).toBe(201);
    expect(await casesOf(h.cq, idNumber)).toHaveLength(2);
  });

  it('answers a withdrawal retried with its key the original receipt, and sends one withdrawal', async () => {
    const submitted = await post(h.sc, '/api/v1/applications', cardApplication({ issuingRegion: '500106' }), randomUUID());
    const caseId = (submitted.body as { caseId: string }).caseId;
    await eventually(() => h.caseAt(h.sc, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'));
    const key = randomUUID();
    const first = await post(h.sc, `/api/v1/applications/${caseId}/withdrawal`, { reason: '申请人已在本地补办' }, key);
    const retry = await post(h.sc, `/api/v1/applications/${caseId}/withdrawal`, { reason: '申请人已在本地补办' }, key);
    expect([first.status, retry.status, retry.headers['idempotent-replayed']]).toEqual([202, 202, 'true']);
    expect(retry.body).toEqual(first.body);
    const sent = await h.sc.gateway.db.read((s) => s.outbox.list({ caseId, messageType: 'case.withdrawal' }));
    expect(sent.map((m) => m.messageId)).toEqual([(first.body as { messageId: string }).messageId]);
    // The same key on another case's path is another request.
    const elsewhere = await post(h.sc, `/api/v1/applications/${caseId}X/withdrawal`, { reason: '申请人已在本地补办' }, key);
    expect(elsewhere.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('answers a supplement retried with its key the original receipt, and sends the material once', async () => {
    const submitted = await post(h.cq, '/api/v1/applications', cardApplication({ issuingRegion: '510104', photoRef: 'PHOTO-BLURRY-0042' }), randomUUID());
    const caseId = (submitted.body as { caseId: string }).caseId;
    await eventually(() => h.caseAt(h.cq, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'));
    await eventually(() => h.step(h.cq, caseId), (c) => c.stage === 'supplement-requested');
    const key = `"${randomUUID()}"`;
    const body = { materials: [{ type: 'photo', sha256: '1'.repeat(64) }] };
    const first = await post(h.cq, `/api/v1/applications/${caseId}/supplements`, body, key);
    const retry = await post(h.cq, `/api/v1/applications/${caseId}/supplements`, body, key);
    expect([first.status, retry.status, retry.headers['idempotent-replayed']]).toEqual([202, 202, 'true']);
    expect(retry.body).toEqual(first.body);
    const sent = await h.cq.gateway.db.read((s) => s.outbox.list({ caseId, messageType: 'case.supplement' }));
    expect(sent).toHaveLength(1);
  }, 30_000);

  it('keeps the answer across a restart of the accepting node', async () => {
    const idNumber = freshIdNumber();
    const key = randomUUID();
    const first = await post(h.cq, '/api/v1/applications', cardApplication({ idNumber }), key);
    await h.restartGateway('CQ');
    const retry = await post(h.cq, '/api/v1/applications', cardApplication({ idNumber }), key);
    expect([retry.status, retry.headers['idempotent-replayed']]).toEqual([201, 'true']);
    expect(retry.body).toEqual(first.body);
    expect(await casesOf(h.cq, idNumber)).toHaveLength(1);
  }, 30_000);
});
