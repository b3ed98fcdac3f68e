import { harnessSuite } from './support/harness-suite.js';
import { join } from 'node:path';
import { newMessageId, type NodeCode } from '#core';
import { FileKeyStore, signEnvelope } from '#signing';
import { cardApplication } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { GatewayPair } from './support/gateway-pair.js';

/**
 * Issue 14, point 1: every peer message is bound to the case's parties. Chongqing signs each
 * hostile envelope below with its real key, so signature, sender and access rules all pass; what
 * refuses them is who Chongqing is for the case (or where the message says it goes).
 */
describe('peer messages bound to the parties of their case', () => {
  let pair: GatewayPair;
  let cqKeys: FileKeyStore;

  beforeAll(async () => {
    pair = await GatewayPair.start();
    cqKeys = await FileKeyStore.open(join(pair.dir, 'CQ', 'keys'), 'CQ', pair.clock, { suite: harnessSuite() });
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  /** An envelope signed by Chongqing's real key for Sichuan. */
  async function fromCq(mtype: string, caseId: string, body: object): Promise<{ compact: string; jti: string }> {
    const now = Math.floor(pair.clock.nowMs() / 1000);
    const jti = newMessageId(pair.clock.nowMs());
    const compact = await signEnvelope(cqKeys.current(), { jti, iss: 'CQ', aud: 'SC', iat: now, exp: now + 600, case: caseId, mtype, ver: 1, body });
    return { compact, jti };
  }

  async function postToSc(compact: string): Promise<{ status: number; code?: string }> {
    const response = await fetch(pair.sc.url('/peer/v1/envelopes'), { method: 'POST', headers: { 'content-type': 'application/jose' }, body: compact });
    const answer = (await response.text()).trim();
    return { status: response.status, ...(answer.startsWith('{') ? { code: (JSON.parse(answer) as { code?: string }).code } : {}) };
  }

  async function batchToSc(compacts: string[]): Promise<{ status: string; code?: string }[]> {
    const response = await fetch(pair.sc.url('/peer/v1/envelope-batches'), { method: 'POST', headers: { 'content-type': 'application/jose' }, body: compacts.join('\n') });
    return ((await response.json()) as { results: { status: string; code?: string }[] }).results;
  }

  /** A card request as Chongqing's relay would forward it, with the case number and route given. */
  function cardRequest(caseId: string, route: { node: NodeCode; agency: string; region: string }) {
    return {
      caseId,
      service: 'ssc.apply',
      acceptedAt: '2026-11-23T09:00:00.000+08:00',
      acceptingNode: 'CQ',
      acceptingWindow: { id: 'cq-yuzhong', name: '渝中区', region: '500103' },
      route: { ...route, regionHistoric: false },
      request: { ...cardApplication({ issuingRegion: route.region }) },
    };
  }

  async function submitAtSc(issuingRegion: string): Promise<string> {
    const response = await fetch(pair.sc.url('/api/v1/applications'), {
      method: 'POST',
      headers: { authorization: pair.sc.window, 'content-type': 'application/json' },
      body: JSON.stringify(cardApplication({ issuingRegion })),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { caseId: string }).caseId;
  }

  const timelineAtSc = async (caseId: string) =>
    ((await (await fetch(pair.sc.url(`/api/v1/applications/${caseId}`), { headers: { authorization: pair.sc.window } })).json()) as { timeline: { stage: string; side: string }[] }).timeline.map(
      (e) => `${e.stage}@${e.side}`,
    );

  const agencyHandOvers = (caseId: string) => pair.sc.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'agency:SC.card' }));

  /** A case accepted and handled in Sichuan (an SC card centre region): SC is both its parties. */
  async function localScCase(): Promise<string> {
    const caseId = await submitAtSc('510104');
    await eventually(() => pair.sc.gateway.db.read((s) => s.cases.get(caseId)), (c) => c?.role === 'both');
    return caseId;
  }

  it('refuses a Chongqing request that reuses the number of a case Sichuan accepted, and the case goes on with Chongqing as its handling node', async () => {
    // Chongqing is away, so Sichuan's case for a Chongqing card centre waits at `forwarded`.
    await pair.stopNode('CQ');
    let restarted = false;
    try {
      const caseId = await submitAtSc('500103');
      const before = await pair.sc.gateway.db.read((s) => s.cases.get(caseId));
      expect(before).toMatchObject({ role: 'accepting', acceptingNode: 'SC', handlingNode: 'CQ' });

      const takeOver = await fromCq('ssc.apply.request', caseId, cardRequest(caseId, { node: 'SC', agency: 'SC.card', region: '510104' }));
      expect(await postToSc(takeOver.compact)).toEqual({ status: 403, code: 'CASE_PARTY_MISMATCH' });
      expect(await pair.sc.gateway.db.read((s) => s.inbox.get(takeOver.jti))).toBeNull();
      const after = await pair.sc.gateway.db.read((s) => s.cases.get(caseId));
      expect(after).toMatchObject({ role: 'accepting', stage: before!.stage, status: before!.status, handlingNode: 'CQ', agency: before!.agency });
      expect(await agencyHandOvers(caseId)).toEqual([]);

      // Chongqing comes back: Sichuan's forward reaches it and its genuine status update applies.
      await pair.restartNode('CQ');
      restarted = true;
      pair.clock.advance(120_000);
      const timeline = await eventually(() => timelineAtSc(caseId), (t) => t.includes('received@CQ'), 15_000);
      expect(timeline).toEqual(['submitted@SC', 'forwarded@SC', 'received@CQ']);
      expect(await pair.sc.gateway.db.read((s) => s.cases.get(caseId))).toMatchObject({ role: 'accepting', lastAppliedSeq: 1 });
    } finally {
      if (!restarted) await pair.restartNode('CQ');
    }
  }, 30_000);

  it('refuses a Chongqing request that creates a case under a Sichuan case number', async () => {
    const caseId = 'SC-20261123-7K3F9ZQ2MA';
    const forged = await fromCq('ssc.apply.request', caseId, cardRequest(caseId, { node: 'SC', agency: 'SC.card', region: '510104' }));
    expect(await postToSc(forged.compact)).toEqual({ status: 403, code: 'CASE_PARTY_MISMATCH' });
    expect(await pair.sc.gateway.db.read((s) => s.inbox.get(forged.jti))).toBeNull();
    expect(await pair.sc.gateway.db.read((s) => s.cases.get(caseId))).toBeNull();
    // The same refusal, with the same code, inside a batch.
    const again = await fromCq('ssc.apply.request', caseId, cardRequest(caseId, { node: 'SC', agency: 'SC.card', region: '510104' }));
    expect(await batchToSc([again.compact])).toEqual([expect.objectContaining({ status: 'refused', code: 'CASE_PARTY_MISMATCH' })]);
    expect(await pair.sc.gateway.db.read((s) => s.cases.get(caseId))).toBeNull();
  });

  it('refuses a request whose route names the receiver as node but an agency of another node', async () => {
    const caseId = 'CQ-20261123-7K3F9ZQ2MB';
    const forged = await fromCq('ssc.apply.request', caseId, cardRequest(caseId, { node: 'SC', agency: 'CQ.card', region: '500103' }));
    expect(await postToSc(forged.compact)).toEqual({ status: 400, code: 'ROUTE_NOT_RECEIVER' });
    expect(await pair.sc.gateway.db.read((s) => s.inbox.get(forged.jti))).toBeNull();
    expect(await pair.sc.gateway.db.read((s) => s.cases.get(caseId))).toBeNull();
    const again = await fromCq('ssc.apply.request', caseId, cardRequest(caseId, { node: 'SC', agency: 'CQ.card', region: '500103' }));
    expect(await batchToSc([again.compact])).toEqual([expect.objectContaining({ status: 'refused', code: 'ROUTE_NOT_RECEIVER' })]);
  });

  it('refuses a status update from a node that does not handle the case, in a single envelope and in a batch', async () => {
    const caseId = await localScCase();
    const before = await pair.sc.gateway.db.read((s) => s.cases.get(caseId));
    const update = { caseId, seq: before!.lastIssuedSeq + 1, stage: 'agency-received', at: '2026-11-23T09:05:00.000+08:00', side: 'CQ' };
    const single = await fromCq('status-update', caseId, update);
    expect(await postToSc(single.compact)).toEqual({ status: 403, code: 'CASE_PARTY_MISMATCH' });
    expect(await pair.sc.gateway.db.read((s) => s.inbox.get(single.jti))).toBeNull();
    const batched = await fromCq('status-update', caseId, update);
    expect(await batchToSc([batched.compact])).toEqual([expect.objectContaining({ status: 'refused', code: 'CASE_PARTY_MISMATCH' })]);
    expect(await pair.sc.gateway.db.read((s) => s.cases.get(caseId))).toMatchObject({ role: 'both', stage: before!.stage, lastAppliedSeq: before!.lastAppliedSeq });
  });

  it('refuses a withdrawal and a supplement from a node that did not accept the case', async () => {
    const caseId = await localScCase();
    const before = await pair.sc.gateway.db.read((s) => s.cases.get(caseId));
    const withdrawal = await fromCq('case.withdrawal', caseId, { caseId, requestedAt: '2026-11-23T09:05:00.000+08:00', reason: '申请人撤回' });
    expect(await postToSc(withdrawal.compact)).toEqual({ status: 403, code: 'CASE_PARTY_MISMATCH' });
    const supplement = await fromCq('case.supplement', caseId, { caseId, suppliedAt: '2026-11-23T09:05:00.000+08:00', materials: [{ type: 'photo', sha256: 'b'.repeat(64) }] });
    expect(await postToSc(supplement.compact)).toEqual({ status: 403, code: 'CASE_PARTY_MISMATCH' });
    expect(await pair.sc.gateway.db.read((s) => s.inbox.get(withdrawal.jti))).toBeNull();
    expect(await pair.sc.gateway.db.read((s) => s.inbox.get(supplement.jti))).toBeNull();
    expect(await pair.sc.gateway.db.read((s) => s.cases.get(caseId))).toMatchObject({ stage: before!.stage, lastIssuedSeq: before!.lastIssuedSeq });
  });

  it('refuses pension transfer messages from a node that is not the conversation’s other side', async () => {
    // A contact letter for a Sichuan case number Sichuan never accepted: Chongqing handles no such case.
    const unknown = 'SC-20261123-7K3F9ZQ2MC';
    const letter = await fromCq('pension.transfer.contact-letter', unknown, {
      caseId: unknown,
      conversation: 1,
      transferIn: { node: 'CQ', agency: 'CQ.pension', region: '500103' },
      transferOut: { region: '510104', agencyName: '成都市社会保险事业管理局', personNumber: 'P5101040001', agency: 'SC.pension' },
      applicant: { idNumber: cardApplication().applicant.idNumber, name: '王五', phone: '13700137000' },
      insuranceType: 'enterprise-employee',
      letter: { letterNo: 'LXH-2026-0001', fundAccount: { bankName: '重庆银行', accountName: '重庆市社会保险事务中心', accountNumber: '123456789012' }, issuedOn: '2026-11-23' },
    });
    expect(await postToSc(letter.compact)).toEqual({ status: 403, code: 'CASE_PARTY_MISMATCH' });
    expect(await pair.sc.gateway.db.read((s) => s.conversations.listByCase(unknown))).toEqual([]);
    expect(await pair.sc.gateway.db.read((s) => s.outbox.list({ caseId: unknown }))).toEqual([]);
    // A reply for a case with no conversation that Chongqing answers.
    const caseId = await localScCase();
    const reply = await fromCq('pension.transfer.reply', caseId, {
      caseId,
      conversation: 1,
      outcome: 'refused',
      at: '2026-11-23T09:05:00.000+08:00',
      reason: { code: 'NOT_A_PENSIONER', message: '不符合转移条件' },
    });
    expect(await postToSc(reply.compact)).toEqual({ status: 403, code: 'CASE_PARTY_MISMATCH' });
    expect(await pair.sc.gateway.db.read((s) => s.inbox.get(reply.jti))).toBeNull();
  });
});
