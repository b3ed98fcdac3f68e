import { checkHolidayArrangement, type HolidayArrangement } from './holiday-arrangement.js';
import { statutoryHolidays } from './statutory-holidays.js';

/** A 2028 arrangement shaped like a State Council notice: the statutory days, bridging days and 调休. */
function arrangement(overrides: Partial<HolidayArrangement> = {}): HolidayArrangement {
  return {
    year: 2028,
    source: '国办发明电〔2027〕测试号',
    holidays: [...statutoryHolidays(2028).holidays.map(([date, name]) => ({ date, name })), { date: '2028-01-29', name: '春节' }],
    workingWeekends: [{ date: '2028-01-22', name: '春节调休' }],
    ...overrides,
  };
}

describe('checkHolidayArrangement', () => {
  it('accepts a whole year and returns it as published calendar data', () => {
    const year = checkHolidayArrangement(arrangement());
    expect(year.status).toBe('published');
    expect(year.source).toBe('国办发明电〔2027〕测试号');
    expect(year.workingWeekends).toEqual([['2028-01-22', '春节调休']]);
  });

  it('refuses a year that lacks a statutory holiday, naming the missing day', () => {
    const partial = arrangement({ holidays: arrangement().holidays.filter((d) => d.date !== '2028-10-02') });
    expect(() => checkHolidayArrangement(partial)).toThrow(
      expect.objectContaining({ code: 'HOLIDAYS_INVALID', fields: [expect.objectContaining({ field: 'holidays', message: expect.stringContaining('2028-10-02') })] }),
    );
  });

  it('refuses a date outside the year, a date that does not exist, a working weekday and a day listed twice', () => {
    const bad = arrangement({
      holidays: [...arrangement().holidays, { date: '2029-01-01', name: '元旦' }, { date: '2028-02-30', name: '春节' }],
      workingWeekends: [{ date: '2028-01-24', name: '春节调休' }, { date: '2028-01-25', name: '春节调休' }],
    });
    let error: unknown;
    try {
      checkHolidayArrangement(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'HOLIDAYS_INVALID' });
    const fields = (error as { fields: { field: string }[] }).fields.map((f) => f.field);
    const n = arrangement().holidays.length;
    expect(fields).toEqual([`holidays[${n}].date`, `holidays[${n + 1}].date`, 'workingWeekends[0].date', 'workingWeekends[1].date']);
  });

  it('refuses a year out of range and an arrangement without its source', () => {
    expect(() => checkHolidayArrangement(arrangement({ year: 1999 }))).toThrow(expect.objectContaining({ code: 'HOLIDAYS_INVALID' }));
    expect(() => checkHolidayArrangement(arrangement({ source: ' ' }))).toThrow(
      expect.objectContaining({ fields: [expect.objectContaining({ field: 'source' })] }),
    );
  });
});
