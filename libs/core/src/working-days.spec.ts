import { HOLIDAYS } from './holidays.data.js';
import { WorkingDayCalendar, type HolidayData } from './working-days.js';

const data: HolidayData = HOLIDAYS;
const calendar = new WorkingDayCalendar(data);

describe('WorkingDayCalendar', () => {
  it('skips the 2026 National Day week and counts the adjusted working Saturday', () => {
    expect(calendar.isWorkingDay('2026-10-01')).toBe(false);
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true); // Saturday, 国庆调休
    expect(calendar.isWorkingDay('2026-09-20')).toBe(true); // Sunday, 国庆调休
    expect(calendar.addWorkingDays('2026-09-30', 1)).toBe('2026-10-08');
  });

  it('spans the 2026 Spring Festival', () => {
    // 13 Feb (Fri) + 1: 14 Feb is a working Saturday (春节调休)
    expect(calendar.addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    // 14 Feb + 1: 15–23 Feb are off, 24 Feb (Tue) is the next working day
    expect(calendar.addWorkingDays('2026-02-14', 1)).toBe('2026-02-24');
    expect(calendar.workingDaysBetween('2026-02-13', '2026-02-28')).toBe(6); // 14, 24, 25, 26, 27, 28
  });

  it('counts a year beyond the data on weekends and statutory holidays, and says it computed it', () => {
    // Fails before: 2028 threw CONFIG_INVALID, so every card case accepted from late 2027 broke intake.
    const fresh = new WorkingDayCalendar(data);
    expect(fresh.statusOf(2026)).toBe('published');
    expect(fresh.statusOf(2027)).toBe('provisional');
    expect(fresh.isWorkingDay('2028-01-25')).toBe(false); // 除夕
    expect(fresh.isWorkingDay('2028-01-24')).toBe(true); // Monday
    expect(fresh.isWorkingDay('2028-01-29')).toBe(false); // Saturday
    expect(fresh.statusOf(2028)).toBe('computed');
    // 30 working days from 2027-12-01 reach into 2028, past the 元旦 and before the 春节.
    expect(fresh.addWorkingDays('2027-12-01', 30)).toBe('2028-01-12'); // 2 + 4 × 5 in December, 10 in January
  });
});
