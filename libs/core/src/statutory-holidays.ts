import { Lunar } from 'lunar-typescript';
import type { HolidayYear } from './working-days.js';

/**
 * The statutory days off of one year by 《全国年节及纪念日放假办法》 (2024 revision, in force since
 * 2025-01-01), art. 2: 元旦 1 day (1 Jan), 春节 4 days (农历除夕 and 正月初一 to 初三), 清明节 1 day
 * (the day of the 清明 solar term), 劳动节 2 days (1 and 2 May), 端午节 1 day (农历五月初五),
 * 中秋节 1 day (农历八月十五), 国庆节 3 days (1 to 3 Oct).
 *
 * This is what the clock counts for a year whose State Council arrangement (国务院办公厅关于部分
 * 节假日安排的通知, with its 调休 working weekends) is not loaded yet: the law fixes these days, the
 * yearly notice only adds the bridging days and moves some weekends. A clock counted on it is
 * provisional, and the case view says so.
 *
 * @example
 *   statutoryHolidays(2028).holidays[1] // ['2028-01-25', '春节'] (除夕)
 */
export function statutoryHolidays(year: number): HolidayYear {
  const springFestival = Lunar.fromYmd(year, 1, 1).getSolar();
  const days: [string, string][] = [
    [iso(year, 1, 1), '元旦'],
    [springFestival.next(-1).toYmd(), '春节'],
    [springFestival.toYmd(), '春节'],
    [springFestival.next(1).toYmd(), '春节'],
    [springFestival.next(2).toYmd(), '春节'],
    [qingming(year), '清明节'],
    [iso(year, 5, 1), '劳动节'],
    [iso(year, 5, 2), '劳动节'],
    [Lunar.fromYmd(year, 5, 5).getSolar().toYmd(), '端午节'],
    [Lunar.fromYmd(year, 8, 15).getSolar().toYmd(), '中秋节'],
    [iso(year, 10, 1), '国庆节'],
    [iso(year, 10, 2), '国庆节'],
    [iso(year, 10, 3), '国庆节'],
  ];
  // 中秋 can fall on 1–3 Oct (2028, 2036): one day off, two names.
  const byDate = new Map<string, string>();
  for (const [date, name] of days) byDate.set(date, byDate.has(date) ? `${byDate.get(date) ?? ''}、${name}` : name);
  return { holidays: [...byDate].sort(([a], [b]) => (a < b ? -1 : 1)), workingWeekends: [] };
}

/** The Gregorian day of the 清明 solar term in `year` (4 or 5 April). */
function qingming(year: number): string {
  // The lunar year that starts in `year` holds that year's 清明 in its solar-term table.
  const table = Lunar.fromYmd(year, 1, 1).getJieQiTable();
  const day = table['清明'];
  if (!day || Number(day.toYmd().slice(0, 4)) !== year) throw new RangeError(`no 清明 found for ${year}`);
  return day.toYmd();
}

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
