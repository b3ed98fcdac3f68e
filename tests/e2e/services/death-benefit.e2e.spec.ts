import request from 'supertest';
import { freshIdNumber, idNumber } from '../support/applications.js';
import { eventually } from '../support/free-port.js';
import { TwoNodeHarness, type NodeUnderTest } from '../support/two-node-harness.js';
import { submitApplication, stagesOf } from '../support/window-api.js';

/** A resident pension death benefit claim as a window would submit it. */
function deathClaim(o: { insuredRegion: string; deceasedId?: string; proofRef?: string; materials?: { type: string; sha256: string }[] }) {
  return {
    service: 'pension.death-benefit',
    deceased: { idNumber: o.deceasedId ?? freshIdNumber(), name: '李四' },
    dateOfDeath: '2026-11-10',
    deathProof: { type: 'death-certificate', ref: o.proofRef ?? 'SWZM-2026-0001' },
    claimant: { idNumber: freshIdNumber(), name: '李小四', phone: '13900139000', role: 'legal-heir', relation: 'child' },
    insuredRegion: o.insuredRegion,
    payeeAccount: { bankName: '中国工商银行', accountNumber: '6222020200012345678' },
    materials: o.materials ?? [{ type: 'death-certificate-copy', sha256: 'b'.repeat(64) }],
  };
}

interface View {
  status: string;
  stage: string;
  heldBy: string;
  timeLimit: { paused: boolean; pausedWorkingDays: number } | null;
  timeline: { stage: string; side: string; reason?: { code: string }; detail?: Record<string, unknown> }[];
}

describe('城乡居保 死亡待遇申领 across Sichuan and Chongqing (two nodes, real transports)', () => {
  let h: TwoNodeHarness;

  beforeAll(async () => {
    h = await TwoNodeHarness.start();
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const submit = submitApplication;

  const view = async (n: NodeUnderTest, caseId: string) => (await h.caseAt(n, caseId)) as unknown as View;
  const stages = stagesOf;

  it('pays the balance and funeral grant of a claim accepted in Chongqing and handled by the Sichuan pension office', async () => {
    const caseId = await submit(h.cq, deathClaim({ insuredRegion: '510104' }));
    const done = (await h.runToEnd(h.cq, caseId)) as unknown as View;
    expect(done.status).toBe('completed');
    expect(done.heldBy).toBe('SC');
    expect(done.timeline.map((e) => `${e.stage}@${e.side}`)).toEqual([
      'submitted@CQ',
      'forwarded@CQ',
      'received@SC',
      'agency-received@SC',
      'accepted@SC',
      'in-review@SC',
      'approved@SC',
      'relation-ended@SC',
      'benefit-paid@SC',
    ]);
    const paid = done.timeline.at(-1)?.detail as { amounts: Record<string, string>; agencyRef: string };
    expect(paid.amounts).toEqual({ balance: expect.stringMatching(/^\d+\.\d{2}$/), funeralGrant: '2000.00' });
    expect(paid.agencyRef).toMatch(/^SCP\d{8}$/);
    expect(h.sc.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('brings the Chongqing pension office rejection of an unverified death back to the Sichuan window', async () => {
    const caseId = await submit(h.sc, deathClaim({ insuredRegion: '500106', proofRef: 'UNVERIFIED-0042' }));
    const done = (await h.runToEnd(h.sc, caseId)) as unknown as View;
    expect(done.status).toBe('rejected');
    expect(done.stage).toBe('rejected');
    expect(done.heldBy).toBe('CQ');
    expect(stages(done).slice(-3)).toEqual(['accepted', 'in-review', 'rejected']);
    expect(done.timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'CQ', reason: { code: 'DEATH_NOT_VERIFIED' } });
    expect(h.cq.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('does not accept a second claim for the same deceased (BENEFIT_ALREADY_CLAIMED)', async () => {
    const deceasedId = idNumber('50010619380707001');
    const first = await submit(h.cq, deathClaim({ insuredRegion: '500106', deceasedId }));
    await h.step(h.cq, first);
    const second = await submit(h.sc, deathClaim({ insuredRegion: '500106', deceasedId }));
    const refused = (await h.runToEnd(h.sc, second)) as unknown as View;
    expect(refused.status).toBe('rejected');
    expect(refused.timeline.at(-1)).toMatchObject({ stage: 'not-accepted', side: 'CQ', reason: { code: 'BENEFIT_ALREADY_CLAIMED' } });
    expect(h.cq.simulator.caseCount(first)).toBe(1);
    expect(h.cq.simulator.caseCount(second)).toBe(1);
  }, 60_000);

  it('pauses the working-day clock while the death proof is awaited and completes after the supplement', async () => {
    const caseId = await submit(h.cq, deathClaim({ insuredRegion: '510104', materials: [] }));
    await eventually(() => view(h.cq, caseId), (c) => stages(c).includes('agency-received'));
    await h.step(h.cq, caseId); // accepted
    const waiting = await eventually(() => h.step(h.cq, caseId).then(() => view(h.cq, caseId)), (c) => c.stage === 'supplement-requested');
    expect(waiting.timeline.at(-1)).toMatchObject({
      stage: 'supplement-requested',
      side: 'SC',
      reason: { code: 'MATERIAL_MISSING' },
      detail: { requestedMaterials: ['death-proof-copy'] },
    });
    expect(waiting.status).toBe('in-progress');
    expect(waiting.heldBy).toBe('CQ');
    expect(waiting.timeLimit).toMatchObject({ paused: true, pausedWorkingDays: 0 });

    // The family brings the proof three days later (Monday → Thursday: three working days waited).
    h.clock.advance(3 * 86_400_000);
    const supplied = await request(h.cq.url(''))
      .post(`/api/v1/applications/${caseId}/supplements`)
      .set('authorization', h.cq.window)
      .send({ materials: [{ type: 'death-proof-copy', sha256: 'c'.repeat(64) }] });
    expect(supplied.status).toBe(202);
    const resumed = await eventually(() => view(h.cq, caseId), (c) => stages(c).includes('supplement-supplied'));
    expect(resumed.timeLimit).toMatchObject({ paused: false, pausedWorkingDays: 3 });
    expect(resumed.heldBy).toBe('SC');

    const done = (await h.runToEnd(h.cq, caseId)) as unknown as View;
    expect(done.status).toBe('completed');
    expect(stages(done).slice(4)).toEqual([
      'accepted',
      'supplement-requested',
      'supplement-supplied',
      'in-review',
      'approved',
      'relation-ended',
      'benefit-paid',
    ]);
    expect(h.sc.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('withdraws a claim still under review: withdrawal-requested, then withdrawn', async () => {
    const caseId = await submit(h.sc, deathClaim({ insuredRegion: '500106' }));
    // The office accepts the claim as it takes it: report that event without moving its clock,
    // so the claim is still under review (not yet decided) when the window withdraws it.
    const accepted = await eventually(
      async () => (await h.pumpAgencies(), view(h.sc, caseId)),
      (c) => stages(c).includes('accepted'),
    );
    expect(accepted.stage).toBe('accepted');
    const response = await request(h.sc.url(''))
      .post(`/api/v1/applications/${caseId}/withdrawal`)
      .set('authorization', h.sc.window)
      .send({ reason: '家属决定暂不申领' });
    expect(response.status).toBe(202);
    // The withdrawal reaches the agency before its clock moves on: it has not decided yet.
    await eventually(
      () => h.cq.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'agency:CQ.pension' })),
      (rows) => rows.some((m) => m.messageType === 'case.withdrawal' && m.state === 'delivered'),
    );
    const withdrawn = await eventually(
      async () => {
        await h.cq.pump.pumpOnce();
        return view(h.sc, caseId);
      },
      (c) => c.status !== 'in-progress',
    );
    expect(withdrawn.status).toBe('withdrawn');
    expect(withdrawn.stage).toBe('withdrawn');
    expect(withdrawn.timeline.slice(-2)).toMatchObject([
      { stage: 'withdrawal-requested', side: 'CQ', reason: { code: 'WITHDRAWN_BY_APPLICANT' } },
      { stage: 'withdrawn', side: 'CQ' },
    ]);
    // Nothing moves after the withdrawal.
    await h.advanceAgencies();
    expect(stages(await view(h.sc, caseId)).at(-1)).toBe('withdrawn');
    expect(h.cq.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('refuses a withdrawal once the claim is approved with 409 CASE_ALREADY_DECIDED at the accepting node', async () => {
    const caseId = await submit(h.cq, deathClaim({ insuredRegion: '510104' }));
    await eventually(() => view(h.cq, caseId), (c) => stages(c).includes('agency-received'));
    await eventually(() => h.step(h.cq, caseId).then(() => view(h.cq, caseId)), (c) => c.stage === 'approved');
    const response = await request(h.cq.url(''))
      .post(`/api/v1/applications/${caseId}/withdrawal`)
      .set('authorization', h.cq.window)
      .send({ reason: '不再需要' });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'CASE_ALREADY_DECIDED' });
    const done = (await h.runToEnd(h.cq, caseId)) as unknown as View;
    expect(done.status).toBe('completed');
    expect(stages(done)).not.toContain('withdrawal-requested');
  }, 60_000);
});
