import request from 'supertest';
import { cardApplication, freshIdNumber } from '../support/applications.js';
import { eventually } from '../support/free-port.js';
import { TwoNodeHarness, type NodeUnderTest } from '../support/two-node-harness.js';
import { submitApplication } from '../support/window-api.js';

/** A card loss report or unblock as a window would submit it. */
function lossRequest(o: { action: 'report' | 'unblock'; idNumber: string; issuingRegion: string; lossType?: 'temporary' | 'formal'; functions?: string[] }) {
  return {
    service: 'ssc.loss',
    action: o.action,
    ...(o.lossType ? { lossType: o.lossType } : {}),
    functions: o.functions ?? ['social', 'bank'],
    applicant: { idNumber: o.idNumber, name: '王五', phone: '13700137000' },
    issuingRegion: o.issuingRegion,
    materials: [{ type: 'id-card-copy', sha256: 'd'.repeat(64) }],
  };
}

interface View {
  status: string;
  stage: string;
  heldBy: string;
  timeline: { stage: string; side: string; reason?: { code: string }; detail?: Record<string, unknown> }[];
}

describe('社保卡 挂失/解挂 across Sichuan and Chongqing (two nodes, real transports)', () => {
  let h: TwoNodeHarness;

  beforeAll(async () => {
    h = await TwoNodeHarness.start();
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const submit = submitApplication;

  /** Runs a case until the agency's first stage is back at the accepting window. */
  async function firstAgencyStage(n: NodeUnderTest, caseId: string): Promise<View> {
    await eventually(() => h.caseAt(n, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'));
    await h.advanceAgencies();
    return (await eventually(() => h.caseAt(n, caseId), (c) => c.timeline.length > 4)) as unknown as View;
  }

  it('reports a card lost at once at a Sichuan window for the Chongqing card centre, and the temporary report lapses after 10 days', async () => {
    const caseId = await submit(h.sc, lossRequest({ action: 'report', lossType: 'temporary', idNumber: freshIdNumber(), issuingRegion: '500106' }));
    const reported = await firstAgencyStage(h.sc, caseId);
    expect(reported.status).toBe('completed');
    expect(reported.heldBy).toBe('CQ');
    expect(reported.timeline.at(-1)).toMatchObject({ stage: 'loss-reported', side: 'CQ', detail: { validUntil: '2026-12-03' } });

    // Still in force on its last day, lapsed the day after.
    h.clock.advance(10 * 86_400_000);
    await h.advanceAgencies();
    expect((await h.caseAt(h.sc, caseId)).timeline.at(-1)?.stage).toBe('loss-reported');
    h.clock.advance(86_400_000);
    await h.advanceAgencies();
    const lapsed = (await eventually(() => h.caseAt(h.sc, caseId), (c) => c.timeline.at(-1)?.stage === 'loss-expired')) as unknown as View;
    expect(lapsed.status).toBe('completed');
    expect(lapsed.stage).toBe('loss-expired');
    expect(lapsed.timeline.at(-1)).toMatchObject({ stage: 'loss-expired', side: 'CQ' });
    expect(h.cq.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('gives a Sichuan temporary report five days (the Sichuan card centre’s own rule)', async () => {
    const caseId = await submit(h.cq, lossRequest({ action: 'report', lossType: 'temporary', idNumber: freshIdNumber(), issuingRegion: '510104' }));
    const reported = await firstAgencyStage(h.cq, caseId);
    const today = new Date(h.clock.nowMs() + 8 * 3600_000).toISOString().slice(0, 10);
    const fiveDaysOn = new Date(Date.parse(`${today}T00:00:00Z`) + 5 * 86_400_000).toISOString().slice(0, 10);
    expect(reported.timeline.at(-1)).toMatchObject({ stage: 'loss-reported', side: 'SC', detail: { validUntil: fiveDaysOn } });
  }, 60_000);

  it('unblocks a formally reported card accepted in Chongqing at the Sichuan card centre', async () => {
    const person = freshIdNumber();
    const report = await submit(h.cq, lossRequest({ action: 'report', lossType: 'formal', idNumber: person, issuingRegion: '510104' }));
    const reported = await firstAgencyStage(h.cq, report);
    expect(reported.timeline.at(-1)).toMatchObject({ stage: 'loss-reported', side: 'SC' });
    expect(reported.timeline.at(-1)?.detail).not.toHaveProperty('validUntil');

    const unblock = await submit(h.cq, lossRequest({ action: 'unblock', idNumber: person, issuingRegion: '510104' }));
    const unblocked = await firstAgencyStage(h.cq, unblock);
    expect(unblocked.status).toBe('completed');
    expect(unblocked.timeline.map((e) => `${e.stage}@${e.side}`)).toEqual(['submitted@CQ', 'forwarded@CQ', 'received@SC', 'agency-received@SC', 'unblocked@SC']);
    expect(h.sc.simulator.caseCount(report)).toBe(1);
    expect(h.sc.simulator.caseCount(unblock)).toBe(1);
  }, 60_000);

  it('refuses an unblock once a reissue was applied for (UNBLOCK_AFTER_REISSUE), back at the Sichuan window', async () => {
    const person = freshIdNumber();
    const report = await submit(h.sc, lossRequest({ action: 'report', lossType: 'formal', idNumber: person, issuingRegion: '500106' }));
    await firstAgencyStage(h.sc, report);
    const reissue = await submit(h.sc, cardApplication({ idNumber: person, issuingRegion: '500106', kind: 'reissue-after-loss' }));
    await firstAgencyStage(h.sc, reissue);

    const unblock = await submit(h.sc, lossRequest({ action: 'unblock', idNumber: person, issuingRegion: '500106' }));
    const refused = await firstAgencyStage(h.sc, unblock);
    expect(refused.status).toBe('rejected');
    expect(refused.stage).toBe('rejected');
    expect(refused.heldBy).toBe('CQ');
    expect(refused.timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'CQ', reason: { code: 'UNBLOCK_AFTER_REISSUE' } });
    expect(h.cq.simulator.caseCount(unblock)).toBe(1);
  }, 60_000);

  it('reissues a card after a formal loss report of that person’s card, at the Chongqing card centre', async () => {
    const person = freshIdNumber();
    const report = await submit(h.sc, lossRequest({ action: 'report', lossType: 'formal', idNumber: person, issuingRegion: '500106' }));
    await firstAgencyStage(h.sc, report);
    const reissue = await submit(h.sc, cardApplication({ idNumber: person, issuingRegion: '500106', kind: 'reissue-after-loss' }));
    const done = await h.runToEnd(h.sc, reissue);
    expect(done.status).toBe('completed');
    expect(done.timeline.map((e) => e.stage)).toContain('in-production');
    expect(done.timeline.at(-1)).toMatchObject({ stage: 'collected', side: 'CQ' });
  }, 60_000);

  it('refuses a reissue without a formal loss report (REISSUE_WITHOUT_LOSS_REPORT) at the Sichuan card centre, back at the Chongqing window', async () => {
    const caseId = await submit(h.cq, cardApplication({ idNumber: freshIdNumber(), issuingRegion: '510104', kind: 'reissue-after-loss' }));
    const done = await h.runToEnd(h.cq, caseId);
    expect(done.status).toBe('rejected');
    expect(done.timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'SC', reason: { code: 'REISSUE_WITHOUT_LOSS_REPORT' } });
    expect(h.sc.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('refuses a reissue when the card was only reported lost temporarily (REISSUE_WITHOUT_LOSS_REPORT), at the Chongqing card centre', async () => {
    const person = freshIdNumber();
    const report = await submit(h.sc, lossRequest({ action: 'report', lossType: 'temporary', idNumber: person, issuingRegion: '500106' }));
    await firstAgencyStage(h.sc, report);
    const reissue = await submit(h.sc, cardApplication({ idNumber: person, issuingRegion: '500106', kind: 'reissue-after-loss' }));
    const done = await h.runToEnd(h.sc, reissue);
    expect(done.status).toBe('rejected');
    expect(done.timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'CQ', reason: { code: 'REISSUE_WITHOUT_LOSS_REPORT' } });
  }, 60_000);

  it('refuses a reissue once the formal loss report was lifted by an unblock (REISSUE_WITHOUT_LOSS_REPORT)', async () => {
    const person = freshIdNumber();
    const report = await submit(h.cq, lossRequest({ action: 'report', lossType: 'formal', idNumber: person, issuingRegion: '510104' }));
    await firstAgencyStage(h.cq, report);
    const unblock = await submit(h.cq, lossRequest({ action: 'unblock', idNumber: person, issuingRegion: '510104' }));
    expect((await firstAgencyStage(h.cq, unblock)).timeline.at(-1)?.stage).toBe('unblocked');
    const reissue = await submit(h.cq, cardApplication({ idNumber: person, issuingRegion: '510104', kind: 'reissue-after-loss' }));
    const done = await h.runToEnd(h.cq, reissue);
    expect(done.timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'SC', reason: { code: 'REISSUE_WITHOUT_LOSS_REPORT' } });
  }, 60_000);

  it('refuses an unblock without a loss report in force (NO_ACTIVE_LOSS_REPORT)', async () => {
    const unblock = await submit(h.cq, lossRequest({ action: 'unblock', idNumber: freshIdNumber(), issuingRegion: '510104' }));
    const refused = await firstAgencyStage(h.cq, unblock);
    expect(refused.status).toBe('rejected');
    expect(refused.timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'SC', reason: { code: 'NO_ACTIVE_LOSS_REPORT' } });
  }, 60_000);

  it('refuses a withdrawal of a loss report already in force with 409 CASE_ALREADY_DECIDED', async () => {
    const caseId = await submit(h.cq, lossRequest({ action: 'report', lossType: 'formal', idNumber: freshIdNumber(), issuingRegion: '510104' }));
    await firstAgencyStage(h.cq, caseId);
    const response = await request(h.cq.url('')).post(`/api/v1/applications/${caseId}/withdrawal`).set('authorization', h.cq.window).send({ reason: '卡已找到' });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'CASE_ALREADY_DECIDED' });
  }, 60_000);
});
