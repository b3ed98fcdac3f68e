import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, statutoryHolidays, type Clock } from '#core';
import { HolidayCalendar } from '../calendar/holiday-calendar.js';
import { CaseClock, type ClockedCase } from './case-clock.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A case clock on the release's calendar and an empty HOLIDAYS_FILE of its own. */
function clockOn(clock: Clock): { caseClock: CaseClock; holidays: HolidayCalendar } {
  const dir = mkdtempSync(join(tmpdir(), 'case-clock-'));
  dirs.push(dir);
  const holidays = new HolidayCalendar({ holidaysFile: join(dir, 'holidays.json') }, clock);
  return { caseClock: new CaseClock(clock, holidays), holidays };
}

const card = (acceptedAt: number, pause: Partial<ClockedCase> = {}): ClockedCase => ({
  service: 'ssc.apply',
  acceptedAt,
  clockPausedSince: null,
  clockPausedDays: 0,
  ...pause,
});

describe('CaseClock (30 working days for a card)', () => {
  // Accepted Tuesday 2026-09-22 (Shanghai): 中秋 25–27 Sep and 国庆 1–7 Oct are off,
  // 10 Oct (Saturday) is a working day: the 30th working day is Tuesday 10 November.
  const accepted = Date.UTC(2026, 8, 22, 2);

  it('counts working days across 国庆 and flags the case overdue only after the due day', () => {
    const clock = new ManualClock(accepted);
    const { caseClock } = clockOn(clock);
    const start = caseClock.of(card(accepted))!;
    expect(start.dueBy).toBe('2026-11-10');
    expect(start.workingDaysLeft).toBe(30);
    expect(start.overdue).toBe(false);
    clock.set(Date.UTC(2026, 10, 10, 2)); // on the due day
    expect(caseClock.of(card(accepted))).toMatchObject({ workingDaysLeft: 0, overdue: false });
    clock.set(Date.UTC(2026, 10, 12, 2)); // two working days later
    expect(caseClock.of(card(accepted))).toMatchObject({ workingDaysLeft: -2, overdue: true });
  });

  it('says when the calendar for a later year is still provisional (春节 2027)', () => {
    const december = Date.UTC(2026, 11, 28, 2);
    const view = clockOn(new ManualClock(december)).caseClock.of(card(december))!;
    expect(view.calendarProvisional).toBe(true);
    expect(view.dueBy > '2027-02-08').toBe(true);
  });

  it('stands still while a supplement is awaited and adds the days waited to the due date', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 2, 2)); // Monday 2 Nov
    const { caseClock } = clockOn(clock);
    const asked = Date.UTC(2026, 8, 29, 2); // Tuesday 29 Sep, before 国庆
    // Waiting since 29 Sep: 30 Sep, 9 Oct, 10 Oct (调休 Saturday) … 2 Nov are working days.
    const waiting = caseClock.of(card(accepted, { clockPausedSince: asked }))!;
    expect(waiting.paused).toBe(true);
    expect(waiting.pausedWorkingDays).toBe(caseClock.pausedDays(asked, clock.nowMs()));
    expect(waiting.pausedWorkingDays).toBe(20);
    expect(waiting.overdue).toBe(false);
    // Five working days already waited earlier push the due date five working days on.
    clock.set(Date.UTC(2026, 10, 10, 2));
    const resumed = caseClock.of(card(accepted, { clockPausedDays: 5 }))!;
    expect(resumed).toMatchObject({ paused: false, pausedWorkingDays: 5, dueBy: '2026-11-17', workingDaysLeft: 5 });
  });

  it('gives each service its own limit: a death benefit has 20 working days, a loss report 1', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 23, 2));
    const { caseClock } = clockOn(clock);
    const at = clock.nowMs();
    expect(caseClock.of({ ...card(at), service: 'pension.death-benefit' })).toMatchObject({ workingDays: 20, dueBy: '2026-12-21' });
    expect(caseClock.of({ ...card(at), service: 'ssc.loss' })).toMatchObject({ workingDays: 1, dueBy: '2026-11-24' });
    expect(caseClock.of({ ...card(at), service: 'no.such-service' })).toBeNull();
  });

  it('counts a limit that runs past the holiday data on statutory holidays, marked provisional, instead of failing intake', () => {
    // Fails before: the 2028 half of the span threw CONFIG_INVALID from WorkingDayCalendar.
    const december = Date.UTC(2027, 11, 1, 2);
    const { caseClock } = clockOn(new ManualClock(december));
    const view = caseClock.of(card(december))!;
    expect(view).toMatchObject({ dueBy: '2028-01-12', calendarProvisional: true, workingDaysLeft: 30 });
  });

  it('moves the due date and drops "provisional" once an operator loads the year with its bridging days', () => {
    const december = Date.UTC(2027, 11, 1, 2);
    const { caseClock, holidays } = clockOn(new ManualClock(december));
    holidays.load({
      year: 2028,
      source: '国办发明电〔2027〕测试号',
      holidays: [...statutoryHolidays(2028).holidays.map(([date, name]) => ({ date, name })), { date: '2028-01-03', name: '元旦' }],
      workingWeekends: [],
    });
    // 2027 is still the provisional built-in year, so the span is provisional; a day later in 2028.
    expect(caseClock.of(card(december))).toMatchObject({ dueBy: '2028-01-13', calendarProvisional: true });
    expect(caseClock.leg('merge', 5, Date.UTC(2028, 2, 1, 2))).toMatchObject({ calendarProvisional: false });
  });
});
