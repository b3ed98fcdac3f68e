import request from 'supertest';
import { FileKeyStore, signEnvelope } from '#signing';
import { join } from 'node:path';
import { cardApplication, idNumber } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { TwoNodeHarness, type NodeUnderTest } from './support/two-node-harness.js';
import { harnessSuite } from './support/harness-suite.js';
import { CredentialsService } from '../../apps/gateway/src/auth/credentials.service.js';

const NOT_INSURED = idNumber('51130219900101002');

describe('社保卡 申领/补领/换领 across Sichuan and Chongqing (two nodes, real transports)', () => {
  let h: TwoNodeHarness;

  beforeAll(async () => {
    h = await TwoNodeHarness.start({ notInsured: [NOT_INSURED] });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  /** Window intake over real HTTP, with supertest against the node's listening address. */
  async function submit(n: NodeUnderTest, body: object, auth = n.window) {
    return request(n.url('')).post('/api/v1/applications').set('authorization', auth).send(body);
  }

  it('carries a card replacement from a Chongqing window to the Sichuan agency and the whole timeline back', async () => {
    const response = await submit(h.cq, cardApplication({ issuingRegion: '510104' }));
    expect(response.status).toBe(201);
    const receipt = response.body as { caseId: string; handledBy: { node: string; agency: string } };
    expect(receipt.caseId).toMatch(/^CQ-\d{8}-/);
    expect(receipt.handledBy).toMatchObject({ node: 'SC', agency: 'SC.card' });
    expect((receipt as unknown as { acceptedBy: unknown }).acceptedBy).toMatchObject({ node: 'CQ', windowId: 'cq-yuzhong', agency: '重庆市渝中区社会保险事务中心' });

    const done = await h.runToEnd(h.cq, receipt.caseId);
    expect(done.status).toBe('completed');
    expect(done.timeline.map((e) => `${e.stage}@${e.side}`)).toEqual([
      'submitted@CQ',
      'forwarded@CQ',
      'received@SC',
      'agency-received@SC',
      'eligibility-check@SC',
      'in-production@SC',
      'produced@SC',
      'mailed@SC',
      'collected@SC',
    ]);
    // The handling node shows the same case (to its operator).
    const atHandling = await h.caseAt(h.sc, receipt.caseId, h.sc.operator);
    expect(atHandling.status).toBe('completed');
    expect(atHandling.timeline.map((e) => e.stage)).toEqual(done.timeline.map((e) => e.stage).filter((s) => s !== 'submitted' && s !== 'forwarded'));
  }, 60_000);

  it('routes by the card-issuing region, not the ID prefix: a pre-1997 Chongqing ID (51 prefix) goes to Chongqing', async () => {
    const body = cardApplication({ idNumber: idNumber('51021219680505123'), issuingRegion: '500106' });
    const response = await submit(h.sc, body);
    expect(response.status).toBe(201);
    const receipt = response.body as { caseId: string; handledBy: { node: string } };
    expect(receipt.handledBy.node).toBe('CQ');
    const done = await h.runToEnd(h.sc, receipt.caseId);
    expect(done.status).toBe('completed');
    expect(done.timeline.at(-1)).toMatchObject({ stage: 'collected', side: 'CQ' });
  }, 60_000);

  it('brings an agency rejection back to the accepting window with its reason code', async () => {
    const response = await submit(h.cq, cardApplication({ idNumber: NOT_INSURED, issuingRegion: '511302' }));
    const { caseId } = response.body as { caseId: string };
    const done = await h.runToEnd(h.cq, caseId);
    expect(done.status).toBe('rejected');
    expect(done.timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'SC', reason: { code: 'NOT_INSURED_AT_REGION' } });
  }, 60_000);

  it('handles a case accepted and handled in the same province on the same path without the peer hop', async () => {
    const response = await submit(h.sc, cardApplication({ issuingRegion: '510703' }));
    const { caseId } = response.body as { caseId: string };
    const done = await h.runToEnd(h.sc, caseId);
    expect(done.status).toBe('completed');
    expect(done.timeline.map((e) => e.stage)).toEqual([
      'submitted',
      'received',
      'agency-received',
      'eligibility-check',
      'in-production',
      'produced',
      'mailed',
      'collected',
    ]);
    const messages = await h.sc.gateway.db.read((s) => s.outbox.list({ caseId }));
    expect(messages.some((m) => m.destination.startsWith('peer:'))).toBe(false);
  }, 60_000);

  it('refuses an invalid ID number with its code and the field, and stores nothing', async () => {
    const before = await h.cq.gateway.db.read((s) => s.outbox.countsByState());
    const response = await submit(h.cq, cardApplication({ idNumber: '510104198503121230' }));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.body as { code: string; errors: { field: string; code: string }[] };
    expect(problem.code).toBe('ID_NUMBER_INVALID');
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'applicant.idNumber', code: 'ID_NUMBER_INVALID' })]);
    expect(JSON.stringify(problem)).not.toContain('510104198503121230');
    expect(await h.cq.gateway.db.read((s) => s.outbox.countsByState())).toEqual(before);
  });

  it('refuses a region outside Sichuan and Chongqing with a clear code', async () => {
    const response = await submit(h.cq, cardApplication({ issuingRegion: '110101' }));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'REGION_NOT_SERVED', errors: [{ field: 'issuingRegion' }] });
  });

  it('refuses a missing credential and a credential of the other node with 401', async () => {
    expect((await submit(h.cq, cardApplication(), '')).status).toBe(401);
    const other = await submit(h.cq, cardApplication(), h.sc.window);
    expect(other.status).toBe(401);
    expect(other.body).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('does not show a case to a window of another agency', async () => {
    const { caseId } = (await submit(h.cq, cardApplication())).body as { caseId: string };
    const response = await fetch(h.cq.url(`/api/v1/applications/${caseId}`), { headers: { authorization: h.cq.otherWindow } });
    expect(response.status).toBe(404);
    const listed = (await (await fetch(h.cq.url('/api/v1/applications'), { headers: { authorization: h.cq.otherWindow } })).json()) as { items: { caseId: string }[] };
    expect(listed.items.map((c) => c.caseId)).not.toContain(caseId);
  });

  it('shows a case to every window of the agency that accepted it, where the applicant may come back', async () => {
    const { caseId } = (await submit(h.cq, cardApplication())).body as { caseId: string };
    const colleague = await h.cq.gateway.app.get(CredentialsService).issue({
      credentialId: 'cq-yuzhong-2',
      role: 'window',
      name: '重庆市渝中区社保经办第二窗口',
      region: '500103',
      agency: '重庆市渝中区社会保险事务中心',
    });
    const auth = `Bearer ${colleague.token}`;
    const viewed = await fetch(h.cq.url(`/api/v1/applications/${caseId}`), { headers: { authorization: auth } });
    expect(viewed.status).toBe(200);
    expect(((await viewed.json()) as { caseId: string }).caseId).toBe(caseId);
    const listed = (await (await fetch(h.cq.url('/api/v1/applications'), { headers: { authorization: auth } })).json()) as { items: { caseId: string }[] };
    expect(listed.items.map((c) => c.caseId)).toContain(caseId);
  });

  it('refuses a tampered envelope with ENVELOPE_SIGNATURE_INVALID and delivers nothing', async () => {
    const { caseId } = (await submit(h.cq, cardApplication())).body as { caseId: string };
    const sent = await eventually(
      () => h.cq.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'peer:SC' })),
      (rows) => rows[0]?.state === 'delivered',
    );
    const [header, payload, signature] = sent[0].payload.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string; body: { request: { kind: string } } };
    claims.jti = '019a0000-0000-7000-8000-00000000beef';
    claims.body.request.kind = 'new';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const response = await fetch(h.sc.url('/peer/v1/envelopes'), {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: tampered,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'ENVELOPE_SIGNATURE_INVALID' });
    expect(await h.sc.gateway.db.read((s) => s.inbox.get('019a0000-0000-7000-8000-00000000beef'))).toBeNull();
  });

  it('refuses an envelope signed with a key the federation does not list', async () => {
    const rogue = await FileKeyStore.open(join(h.dir, 'rogue'), 'CQ', h.clock, { suite: harnessSuite() });
    const now = Math.floor(h.clock.nowMs() / 1000);
    const envelope = await signEnvelope(rogue.current(), {
      jti: '019a0000-0000-7000-8000-00000000dead',
      iss: 'CQ',
      aud: 'SC',
      iat: now,
      exp: now + 600,
      case: 'CQ-20261123-0000000000',
      mtype: 'ssc.apply.request',
      ver: 1,
      body: {},
    });
    const response = await fetch(h.sc.url('/peer/v1/envelopes'), { method: 'POST', headers: { 'content-type': 'application/jose' }, body: envelope });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'ENVELOPE_KEY_UNKNOWN' });
  });

  it('answers a replayed envelope with the original receipt and delivers it to the agency once', async () => {
    const { caseId } = (await submit(h.cq, cardApplication({ issuingRegion: '510105' }))).body as { caseId: string };
    const [sent] = await eventually(
      () => h.cq.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'peer:SC' })),
      (rows) => rows[0]?.state === 'delivered',
    );
    await eventually(() => h.caseAt(h.cq, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'));
    const replay = await fetch(h.sc.url('/peer/v1/envelopes'), {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: sent.payload,
    });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('x-cytb-duplicate')).toBe('true');
    expect(await replay.text()).toBe(sent.receipt);
    const agencyMessages = await h.sc.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'agency:SC.card' }));
    expect(agencyMessages).toHaveLength(1);
    expect(h.sc.simulator.caseCount(caseId)).toBe(1);
  }, 30_000);

  it('finishes a case when the handling node restarts in the middle of it', async () => {
    const { caseId } = (await submit(h.cq, cardApplication({ issuingRegion: '510106' }))).body as { caseId: string };
    await eventually(() => h.caseAt(h.cq, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'));
    await h.advanceAgencies();
    await h.restartGateway('SC');
    const done = await h.runToEnd(h.cq, caseId);
    expect(done.status).toBe('completed');
    expect(new Set(done.timeline.map((e) => e.stage)).size).toBe(done.timeline.length);
    expect(h.sc.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);
});
