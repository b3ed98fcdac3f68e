import { HOLIDAYS } from './holidays.data.js';
import { statutoryHolidays } from './statutory-holidays.js';

describe('statutoryHolidays', () => {
  it('gives the 13 statutory days of the 2024 放假办法 on the 2027 lunar dates, as the provisional 2027 data lists them', () => {
    const computed = statutoryHolidays(2027).holidays.map(([date]) => date);
    expect(computed).toEqual(HOLIDAYS.years['2027']?.holidays.map(([date]) => date));
  });

  it.each(['2025', '2026'])('finds every statutory day of %s among the days off of its published notice', (year) => {
    const published = new Set(HOLIDAYS.years[year]?.holidays.map(([date]) => date));
    for (const [date] of statutoryHolidays(Number(year)).holidays) expect(published.has(date) ? date : `missing ${date}`).toBe(date);
  });

  it('counts 中秋 on 3 October 2028 once, with both names', () => {
    const year = statutoryHolidays(2028);
    expect(year.holidays).toHaveLength(12);
    expect(year.holidays).toContainEqual(['2028-10-03', '中秋节、国庆节']);
    expect(year.holidays.slice(1, 5).map(([d]) => d)).toEqual(['2028-01-25', '2028-01-26', '2028-01-27', '2028-01-28']);
  });
});
