import request from 'supertest';
import { cardApplication } from '../support/applications.js';
import { eventually } from '../support/free-port.js';
import { TwoNodeHarness, type NodeUnderTest } from '../support/two-node-harness.js';
import { submitApplication, stagesWithSideOf } from '../support/window-api.js';

interface View {
  status: string;
  stage: string;
  heldBy: string;
  timeLimit: { paused: boolean } | null;
  timeline: { stage: string; side: string; reason?: { code: string }; detail?: Record<string, unknown> }[];
}

describe('社保卡 申领: supplements and withdrawals across Sichuan and Chongqing (two nodes, real transports)', () => {
  let h: TwoNodeHarness;

  beforeAll(async () => {
    h = await TwoNodeHarness.start();
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const submit = submitApplication;

  const view = async (n: NodeUnderTest, caseId: string) => (await h.caseAt(n, caseId)) as unknown as View;
  const stages = stagesWithSideOf;

  it('asks for a new photo when it is blurry (MATERIAL_ILLEGIBLE) and makes the card once it is supplied', async () => {
    const caseId = await submit(h.cq, cardApplication({ issuingRegion: '510104', photoRef: 'PHOTO-BLURRY-0007' }));
    await eventually(() => view(h.cq, caseId), (c) => stages(c).includes('agency-received@SC'));
    const waiting = await eventually(() => h.step(h.cq, caseId).then(() => view(h.cq, caseId)), (c) => c.stage === 'supplement-requested');
    expect(waiting.timeline.at(-1)).toMatchObject({
      stage: 'supplement-requested',
      side: 'SC',
      reason: { code: 'MATERIAL_ILLEGIBLE' },
      detail: { requestedMaterials: ['photo'] },
    });
    expect(waiting.timeLimit).toMatchObject({ paused: true });
    expect(waiting.heldBy).toBe('CQ');
    const supplied = await request(h.cq.url(''))
      .post(`/api/v1/applications/${caseId}/supplements`)
      .set('authorization', h.cq.window)
      .send({ materials: [{ type: 'photo', sha256: '1'.repeat(64) }] });
    expect(supplied.status).toBe(202);
    const done = (await h.runToEnd(h.cq, caseId)) as unknown as View;
    expect(done.status).toBe('completed');
    expect(stages(done).slice(4)).toEqual([
      'eligibility-check@SC',
      'supplement-requested@SC',
      'supplement-supplied@SC',
      'eligibility-check@SC',
      'in-production@SC',
      'produced@SC',
      'mailed@SC',
      'collected@SC',
    ]);
    expect(h.sc.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('withdraws an application still at the eligibility check', async () => {
    const caseId = await submit(h.sc, cardApplication({ issuingRegion: '500106' }));
    await eventually(() => view(h.sc, caseId), (c) => stages(c).includes('agency-received@CQ'));
    // The agency's first stage comes back without its clock moving on.
    await h.cq.pump.pumpOnce();
    const checking = await eventually(() => view(h.sc, caseId), (c) => c.stage === 'eligibility-check');
    expect(checking.heldBy).toBe('CQ');
    const response = await request(h.sc.url('')).post(`/api/v1/applications/${caseId}/withdrawal`).set('authorization', h.sc.window).send({ reason: '申请人已在本地补办' });
    expect(response.status).toBe(202);
    const withdrawn = await eventually(
      async () => {
        await h.cq.pump.pumpOnce();
        return view(h.sc, caseId);
      },
      (c) => c.status !== 'in-progress',
    );
    expect(withdrawn.status).toBe('withdrawn');
    expect(stages(withdrawn).slice(-2)).toEqual(['withdrawal-requested@CQ', 'withdrawn@CQ']);
    await h.advanceAgencies();
    expect((await view(h.sc, caseId)).stage).toBe('withdrawn');
    expect(h.cq.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('has the card centre refuse a withdrawal that reaches it after production started (withdrawal-refused, CASE_ALREADY_DECIDED)', async () => {
    const caseId = await submit(h.cq, cardApplication({ issuingRegion: '510105' }));
    await eventually(() => view(h.cq, caseId), (c) => stages(c).includes('agency-received@SC'));
    await h.sc.pump.pumpOnce();
    await eventually(() => view(h.cq, caseId), (c) => c.stage === 'eligibility-check');
    // The card centre decides (production starts) before the window hears of it.
    h.clock.advance(60_000);
    h.sc.simulator.tick();
    expect((await view(h.cq, caseId)).stage).toBe('eligibility-check');
    const response = await request(h.cq.url('')).post(`/api/v1/applications/${caseId}/withdrawal`).set('authorization', h.cq.window).send({ reason: '不需要了' });
    expect(response.status).toBe(202);
    const refused = await eventually(
      async () => {
        await h.sc.pump.pumpOnce();
        return view(h.cq, caseId);
      },
      (c) => c.timeline.some((e) => e.stage === 'withdrawal-refused'),
    );
    expect(refused.timeline.find((e) => e.stage === 'withdrawal-refused')).toMatchObject({ side: 'SC', reason: { code: 'CASE_ALREADY_DECIDED' } });
    expect(refused.status).toBe('in-progress');
    const done = (await h.runToEnd(h.cq, caseId)) as unknown as View;
    expect(done.status).toBe('completed');
    expect(h.sc.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);
});
