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

  it('refuses a year with no calendar rather than guessing', () => {
    expect(() => calendar.isWorkingDay('2031-01-02')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
