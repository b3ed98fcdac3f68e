import type { CaseEventRecord } from '#persistence';
import { caseRecord } from '../../../../libs/persistence/src/records.fixtures.js';
import { toCaseView } from './case-view.js';

/** Monday 2026-11-23 09:00:00 in Shanghai, plus `ms`. */
const T0 = Date.UTC(2026, 10, 23, 1);
const at = (ms: number) => T0 + ms;

let id = 0;
const event = (stage: string, ms: number, side: string, seq: number | null): CaseEventRecord => ({
  id: (id += 1),
  caseId: 'CQ-20261123-00000000AB',
  stage,
  at: at(ms),
  side,
  seq,
  reasonCode: null,
  reasonMessage: null,
  detailJson: null,
  sourceId: `${stage}:${seq ?? 'local'}`,
  recordedAt: at(ms),
});

describe('toCaseView: timeline times (issue 15 point 10)', () => {
  // What the issue saw: 'forwarded' recorded when the receipt came back, 20 ms after the peer's
  // 'received'; the agency's first stage stamped to the whole second, before 'agency-received'.
  const events = [
    event('submitted', 0, 'CQ', null),
    event('forwarded', 45, 'CQ', null),
    event('received', 25, 'SC', 1),
    event('agency-received', 1_350, 'SC', 2),
    event('eligibility-check', 1_000, 'SC', 3),
    event('in-production', 60_000, 'SC', 4),
  ];
  const view = toCaseView(caseRecord('CQ-20261123-00000000AB', { acceptedAt: at(0), updatedAt: at(60_000), stage: 'in-production' }), events);

  it('never shows a later stage with an earlier time than the stage before it', () => {
    const shown = view.timeline.map((e) => Date.parse(e.at));
    for (let i = 1; i < shown.length; i += 1) expect(shown[i]).toBeGreaterThanOrEqual(shown[i - 1]);
    expect(view.timeline.map((e) => [e.stage, e.at])).toEqual([
      ['submitted', '2026-11-23T09:00:00.000+08:00'],
      ['forwarded', '2026-11-23T09:00:00.045+08:00'],
      ['received', '2026-11-23T09:00:00.045+08:00'],
      ['agency-received', '2026-11-23T09:00:01.350+08:00'],
      ['eligibility-check', '2026-11-23T09:00:01.350+08:00'],
      ['in-production', '2026-11-23T09:01:00.000+08:00'],
    ]);
  });

  it('keeps the time each side stamped as reportedAt, for an auditor', () => {
    expect(view.timeline.map((e) => [e.stage, e.reportedAt])).toEqual([
      ['submitted', '2026-11-23T09:00:00.000+08:00'],
      ['forwarded', '2026-11-23T09:00:00.045+08:00'],
      ['received', '2026-11-23T09:00:00.025+08:00'],
      ['agency-received', '2026-11-23T09:00:01.350+08:00'],
      ['eligibility-check', '2026-11-23T09:00:01.000+08:00'],
      ['in-production', '2026-11-23T09:01:00.000+08:00'],
    ]);
  });

  it('says since when the holder has had the case in the times shown', () => {
    expect(view.heldSince).toBe('2026-11-23T09:01:00.000+08:00');
  });
});
