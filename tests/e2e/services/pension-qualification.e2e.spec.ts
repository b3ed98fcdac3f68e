import { freshIdNumber, idNumber } from '../support/applications.js';
import { eventually } from '../support/free-port.js';
import { TwoNodeHarness, type NodeUnderTest } from '../support/two-node-harness.js';
import { submitApplication, stagesWithSideOf } from '../support/window-api.js';

const FACE_FAILS = idNumber('51010419500202004');
const SUSPENDED = idNumber('50010619480303005');

/** A pensioner qualification check as the residence region's window submits it. */
function check(o: { idNumber: string; payingRegion: string; cycleYear?: number }) {
  return {
    service: 'pension.qualification',
    applicant: { idNumber: o.idNumber, name: '孙七', phone: '13500135000' },
    pensionType: 'employee',
    payingRegion: o.payingRegion,
    residenceRegion: o.payingRegion.startsWith('51') ? '500111' : '510104',
    method: 'in-person',
    cycleYear: o.cycleYear ?? 2026,
    materials: [],
  };
}

interface View {
  status: string;
  stage: string;
  heldBy: string;
  timeline: { stage: string; side: string; reason?: { code: string }; detail?: Record<string, unknown> }[];
}

describe('待遇资格认证 across Sichuan and Chongqing (two nodes, real transports)', () => {
  let h: TwoNodeHarness;

  beforeAll(async () => {
    h = await TwoNodeHarness.start({ biometricFail: [FACE_FAILS], suspendedPensioners: [SUSPENDED] });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const submit = submitApplication;

  const run = async (n: NodeUnderTest, caseId: string) => (await h.runToEnd(n, caseId)) as unknown as View;
  const stages = stagesWithSideOf;

  it('authenticates a Sichuan pensioner living in Chongqing, and refuses a second check in the same cycle', async () => {
    const person = freshIdNumber();
    const caseId = await submit(h.cq, check({ idNumber: person, payingRegion: '510104' }));
    const done = await run(h.cq, caseId);
    expect(done.status).toBe('completed');
    expect(done.heldBy).toBe('SC');
    expect(stages(done)).toEqual(['submitted@CQ', 'forwarded@CQ', 'received@SC', 'agency-received@SC', 'authenticated@SC']);

    const again = await submit(h.cq, check({ idNumber: person, payingRegion: '510104' }));
    const refused = await run(h.cq, again);
    expect(refused.status).toBe('rejected');
    expect(refused.timeline.at(-1)).toMatchObject({ stage: 'rejected', side: 'SC', reason: { code: 'ALREADY_CERTIFIED_THIS_CYCLE' } });
    expect(h.sc.simulator.caseCount(caseId)).toBe(1);
    expect(h.sc.simulator.caseCount(again)).toBe(1);
  }, 60_000);

  it('suspends the payment of a pensioner whose face check fails (BIOMETRIC_MISMATCH), back at the Chongqing window', async () => {
    const caseId = await submit(h.cq, check({ idNumber: FACE_FAILS, payingRegion: '510104' }));
    const done = await run(h.cq, caseId);
    expect(stages(done).slice(4)).toEqual(['authentication-failed@SC', 'payment-suspended@SC']);
    expect(done.timeline[4]).toMatchObject({ reason: { code: 'BIOMETRIC_MISMATCH' } });
    expect(done.status).toBe('completed');
    expect(done.stage).toBe('payment-suspended');
  }, 60_000);

  it('resumes a suspended pension with its back-pay as an exact decimal once the check passes', async () => {
    const caseId = await submit(h.sc, check({ idNumber: SUSPENDED, payingRegion: '500106' }));
    const resumed = await eventually(
      async () => {
        await h.advanceAgencies();
        return (await h.caseAt(h.sc, caseId)) as unknown as View;
      },
      (c) => c.stage === 'payment-resumed',
    );
    expect(resumed.status).toBe('completed');
    expect(stages(resumed).slice(4)).toEqual(['authenticated@CQ', 'payment-resumed@CQ']);
    // Three months withheld at the simulator's fixed monthly pension for this person.
    const monthlyFen = 180_000 + ((Number(SUSPENDED.slice(6, 17)) * 7919) % 150_000);
    const backPay = `${Math.floor((3 * monthlyFen) / 100)}.${String((3 * monthlyFen) % 100).padStart(2, '0')}`;
    expect(resumed.timeline.at(-1)?.detail).toMatchObject({ amounts: { backPay } });
    expect(h.cq.simulator.caseCount(caseId)).toBe(1);
  }, 60_000);
});
