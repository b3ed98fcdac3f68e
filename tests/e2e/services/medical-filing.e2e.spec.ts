import request from 'supertest';
import { freshIdNumber, idNumber } from '../support/applications.js';
import { eventually } from '../support/free-port.js';
import { TwoNodeHarness, type NodeUnderTest } from '../support/two-node-harness.js';
import { submitApplication, stagesWithSideOf } from '../support/window-api.js';

const NOT_INSURED = idNumber('50010619900101003');

/** A medical-care-elsewhere filing as a window would submit it. */
function filing(o: {
  idNumber: string;
  insuredRegion: string;
  action?: 'file' | 'change' | 'cancel';
  filingType?: 'long-term-resident' | 'temporary' | 'emergency';
  endDate?: string;
  filingRef?: string;
  materials?: { type: string; sha256: string }[];
}) {
  return {
    service: 'medical.filing',
    action: o.action ?? 'file',
    filingType: o.filingType ?? 'temporary',
    applicant: { idNumber: o.idNumber, name: '赵六', phone: '13600136000' },
    insuredRegion: o.insuredRegion,
    careRegion: '110105',
    startDate: '2026-11-23',
    ...(o.endDate ? { endDate: o.endDate } : {}),
    ...(o.filingRef ? { filingRef: o.filingRef } : {}),
    materials: o.materials ?? [{ type: 'referral-proof', sha256: 'e'.repeat(64) }],
  };
}

interface View {
  status: string;
  stage: string;
  heldBy: string;
  timeLimit: { paused: boolean } | null;
  timeline: { stage: string; side: string; reason?: { code: string }; detail?: Record<string, unknown> }[];
}

describe('异地就医备案 across Sichuan and Chongqing (two nodes, real transports)', () => {
  let h: TwoNodeHarness;

  beforeAll(async () => {
    h = await TwoNodeHarness.start({ notInsured: [NOT_INSURED] });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const submit = submitApplication;

  const run = async (n: NodeUnderTest, caseId: string) => (await h.runToEnd(n, caseId)) as unknown as View;
  const stages = stagesWithSideOf;

  it('files a temporary filing accepted in Chongqing with the Sichuan medical insurance: filed, then effective for six months', async () => {
    const caseId = await submit(h.cq, filing({ idNumber: freshIdNumber(), insuredRegion: '510104' }));
    const done = await run(h.cq, caseId);
    expect(done.status).toBe('completed');
    expect(done.heldBy).toBe('SC');
    expect(stages(done)).toEqual(['submitted@CQ', 'forwarded@CQ', 'received@SC', 'agency-received@SC', 'filed@SC', 'effective@SC']);
    expect(done.timeline.at(-1)?.detail).toMatchObject({ validUntil: '2027-05-23', agencyRef: expect.stringMatching(/^SCY\d{8}$/) });
    expect(h.sc.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('makes an emergency filing effective at once (it counts as filed)', async () => {
    const caseId = await submit(h.sc, filing({ idNumber: freshIdNumber(), insuredRegion: '500106', filingType: 'emergency' }));
    const done = await run(h.sc, caseId);
    expect(done.status).toBe('completed');
    expect(stages(done)).toEqual(['submitted@SC', 'forwarded@SC', 'received@CQ', 'agency-received@CQ', 'effective@CQ']);
    expect(done.timeline.at(-1)?.detail).not.toHaveProperty('validUntil');
    expect(h.cq.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('refuses a person not insured in Chongqing back at the Sichuan window (NOT_INSURED_AT_REGION)', async () => {
    const caseId = await submit(h.sc, filing({ idNumber: NOT_INSURED, insuredRegion: '500106', filingType: 'long-term-resident' }));
    const done = await run(h.sc, caseId);
    expect(done.status).toBe('rejected');
    expect(done.heldBy).toBe('CQ');
    expect(done.timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'CQ', reason: { code: 'NOT_INSURED_AT_REGION' } });
  }, 60_000);

  it('refuses a second filing while one is effective (FILING_ALREADY_EFFECTIVE), then changes and cancels the effective one', async () => {
    const person = freshIdNumber();
    const first = await submit(h.cq, filing({ idNumber: person, insuredRegion: '500106' }));
    expect((await run(h.cq, first)).stage).toBe('effective');

    const again = await submit(h.cq, filing({ idNumber: person, insuredRegion: '500106', filingType: 'long-term-resident' }));
    const refused = await run(h.cq, again);
    expect(refused.timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'CQ', reason: { code: 'FILING_ALREADY_EFFECTIVE' } });

    const change = await submit(h.sc, filing({ idNumber: person, insuredRegion: '500106', action: 'change', endDate: '2027-08-31', filingRef: first }));
    const changed = await run(h.sc, change);
    expect(changed.status).toBe('completed');
    expect(changed.timeline.at(-1)).toMatchObject({ stage: 'changed', side: 'CQ', detail: { validUntil: '2027-08-31' } });

    const cancel = await submit(h.sc, filing({ idNumber: person, insuredRegion: '500106', action: 'cancel', filingRef: first }));
    expect((await run(h.sc, cancel)).timeline.at(-1)).toMatchObject({ stage: 'cancelled', side: 'CQ' });
    // Cancelled: a change of it is no longer possible.
    const late = await submit(h.sc, filing({ idNumber: person, insuredRegion: '500106', action: 'change', endDate: '2027-09-30', filingRef: first }));
    expect((await run(h.sc, late)).timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'CQ', reason: { code: 'FILING_NOT_FOUND' } });
    for (const caseId of [first, again, change, cancel, late]) expect(h.cq.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);

  it('asks for the missing proof, then files once it is supplied; a withdrawal while waiting is granted', async () => {
    const caseId = await submit(h.cq, filing({ idNumber: freshIdNumber(), insuredRegion: '510104', filingType: 'long-term-resident', materials: [] }));
    await eventually(() => h.caseAt(h.cq, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'));
    const waiting = (await h.step(h.cq, caseId)) as unknown as View;
    expect(waiting.timeline.at(-1)).toMatchObject({
      stage: 'supplement-requested',
      side: 'SC',
      reason: { code: 'MATERIAL_MISSING' },
      detail: { requestedMaterials: ['residence-proof'] },
    });
    expect(waiting.timeLimit).toMatchObject({ paused: true });
    const supplied = await request(h.cq.url(''))
      .post(`/api/v1/applications/${caseId}/supplements`)
      .set('authorization', h.cq.window)
      .send({ materials: [{ type: 'residence-proof', sha256: 'f'.repeat(64) }] });
    expect(supplied.status).toBe(202);
    const done = await run(h.cq, caseId);
    expect(done.status).toBe('completed');
    expect(stages(done).slice(4)).toEqual(['supplement-requested@SC', 'supplement-supplied@SC', 'filed@SC', 'effective@SC']);

    const other = await submit(h.sc, filing({ idNumber: freshIdNumber(), insuredRegion: '500106', filingType: 'temporary', materials: [] }));
    await eventually(() => h.caseAt(h.sc, other), (c) => c.timeline.some((e) => e.stage === 'agency-received'));
    await h.step(h.sc, other);
    const withdrawal = await request(h.sc.url('')).post(`/api/v1/applications/${other}/withdrawal`).set('authorization', h.sc.window).send({ reason: '不去外地就医了' });
    expect(withdrawal.status).toBe(202);
    const withdrawn = (await eventually(
      async () => {
        await h.cq.pump.pumpOnce();
        return h.caseAt(h.sc, other);
      },
      (c) => c.status !== 'in-progress',
    )) as unknown as View;
    expect(withdrawn.status).toBe('withdrawn');
    expect(stages(withdrawn).slice(-2)).toEqual(['withdrawal-requested@CQ', 'withdrawn@CQ']);
  }, 60_000);
});
