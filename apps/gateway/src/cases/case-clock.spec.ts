import { ManualClock } from '#core';
import { CaseClock } from './case-clock.js';

describe('CaseClock (30 working days for a card)', () => {
  // Accepted Tuesday 2026-09-22 (Shanghai): 中秋 25–27 Sep and 国庆 1–7 Oct are off,
  // 10 Oct (Saturday) is a working day: the 30th working day is Tuesday 10 November.
  const accepted = Date.UTC(2026, 8, 22, 2);

  it('counts working days across 国庆 and flags the case overdue only after the due day', () => {
    const clock = new ManualClock(accepted);
    const caseClock = new CaseClock(clock);
    const start = caseClock.of('ssc.apply', accepted)!;
    expect(start.dueBy).toBe('2026-11-10');
    expect(start.workingDaysLeft).toBe(30);
    expect(start.overdue).toBe(false);
    clock.set(Date.UTC(2026, 10, 10, 2)); // on the due day
    expect(caseClock.of('ssc.apply', accepted)).toMatchObject({ workingDaysLeft: 0, overdue: false });
    clock.set(Date.UTC(2026, 10, 12, 2)); // two working days later
    expect(caseClock.of('ssc.apply', accepted)).toMatchObject({ workingDaysLeft: -2, overdue: true });
  });

  it('says when the calendar for a later year is still provisional (春节 2027)', () => {
    const december = Date.UTC(2026, 11, 28, 2);
    const view = new CaseClock(new ManualClock(december)).of('ssc.apply', december)!;
    expect(view.calendarProvisional).toBe(true);
    expect(view.dueBy > '2027-02-08').toBe(true);
  });
});
