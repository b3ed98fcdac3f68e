import { cardApplication } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { TwoNodeHarness } from './support/two-node-harness.js';
import { submitApplication } from './support/window-api.js';

interface Entry {
  readonly stage: string;
  readonly at: string;
  readonly reportedAt: string;
}

/**
 * Issue 15 point 10: a clerk reading a timeline never sees a later stage with an earlier time
 * than the stage before it, though the agency stamps its stages to the whole second and the
 * nodes to the millisecond.
 */
describe('timeline times read in order (two nodes, real transports)', () => {
  let h: TwoNodeHarness;

  beforeAll(async () => {
    h = await TwoNodeHarness.start();
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('shows every stage at or after the one before it, and keeps what each side stamped', async () => {
    // 09:00:00.400: the nodes stamp the milliseconds; the agency's first stage reads 09:00:00.
    h.clock.advance(400);
    const caseId = await submitApplication(h.cq, cardApplication({ issuingRegion: '510104' }));
    await eventually(() => h.caseAt(h.cq, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'));
    await h.pumpAgencies();
    const view = await eventually(() => h.caseAt(h.cq, caseId), (c) => c.stage === 'eligibility-check');
    const done = (await h.runToEnd(h.cq, caseId)) as unknown as { status: string; timeline: Entry[] };
    expect(done.status).toBe('completed');
    for (const timeline of [(view as unknown as { timeline: Entry[] }).timeline, done.timeline]) {
      const shown = timeline.map((e) => Date.parse(e.at));
      const backwards = timeline.filter((_, i) => i > 0 && shown[i] < shown[i - 1]).map((e) => e.stage);
      expect(backwards).toEqual([]);
      for (const e of timeline) expect(Date.parse(e.reportedAt)).toBeLessThanOrEqual(Date.parse(e.at));
    }
    const check = done.timeline.find((e) => e.stage === 'eligibility-check')!;
    expect(check.reportedAt).toBe('2026-11-23T09:00:00.000+08:00');
    expect(check.at).toBe(done.timeline.find((e) => e.stage === 'agency-received')!.at);
  }, 60_000);
});
