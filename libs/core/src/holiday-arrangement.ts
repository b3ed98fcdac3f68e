import { GatewayError, type FieldProblem } from './gateway-error.js';
import { statutoryHolidays } from './statutory-holidays.js';
import type { HolidayYear } from './working-days.js';

/** One day of an arrangement as an operator loads it. */
export interface ArrangementDay {
  readonly date: string;
  readonly name: string;
}

/** A year's State Council holiday arrangement (国务院办公厅关于部分节假日安排的通知), as loaded. */
export interface HolidayArrangement {
  readonly year: number;
  /** The notice it comes from, e.g. 国办发明电〔2025〕7号. */
  readonly source: string;
  readonly holidays: readonly ArrangementDay[];
  readonly workingWeekends: readonly ArrangementDay[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Checks a year's arrangement before the clock uses it, and returns it as calendar data. A whole
 * year, so that a half-typed file cannot shorten every limit: every date is a real day of that
 * year, no day is listed twice or as both off and working, each adjusted working day (调休上班)
 * falls on a Saturday or Sunday, and every statutory holiday of the year (《全国年节及纪念日放假
 * 办法》, computed from the lunar calendar) is among the days off. Refusals are HOLIDAYS_INVALID
 * naming every field at fault.
 *
 * @example
 *   checkHolidayArrangement({ year: 2028, source: '…', holidays: [...], workingWeekends: [...] })
 */
export function checkHolidayArrangement(arrangement: HolidayArrangement): HolidayYear {
  const problems: FieldProblem[] = [];
  const fault = (field: string, message: string) => problems.push({ field, code: 'HOLIDAYS_INVALID', message });
  const { year } = arrangement;
  if (!Number.isInteger(year) || year < 2000 || year > 2099) {
    throw GatewayError.field('HOLIDAYS_INVALID', 'year', '年份须为 2000 至 2099 (year must be a whole year from 2000 to 2099)');
  }
  if (arrangement.source.trim().length === 0) fault('source', '请填写通知文号 (name the notice the arrangement comes from)');
  const seen = new Map<string, string>();
  const check = (list: 'holidays' | 'workingWeekends', days: readonly ArrangementDay[]) => {
    days.forEach((day, i) => {
      const field = `${list}[${i}].date`;
      const match = DATE.exec(day.date);
      const real = match !== null && new Date(`${day.date}T00:00:00Z`).toISOString().slice(0, 10) === day.date;
      if (!match || !real) fault(field, `${day.date} 不是有效日期 (${day.date} is not a calendar date, YYYY-MM-DD)`);
      else if (Number(match[1]) !== year) fault(field, `${day.date} 不在 ${year} 年 (${day.date} is not in ${year})`);
      else if (seen.has(day.date)) fault(field, `${day.date} 重复列出 (${day.date} is listed twice, also in ${seen.get(day.date) ?? ''})`);
      else {
        seen.set(day.date, list);
        if (day.name.trim().length === 0) fault(`${list}[${i}].name`, '请填写所属节日 (each day needs the holiday it belongs to)');
        const weekday = new Date(`${day.date}T00:00:00Z`).getUTCDay();
        if (list === 'workingWeekends' && weekday !== 0 && weekday !== 6) fault(field, `${day.date} 是工作日：调休上班日须为周六或周日 (${day.date} is a weekday: an adjusted working day is a Saturday or Sunday)`);
      }
    });
  };
  check('holidays', arrangement.holidays);
  check('workingWeekends', arrangement.workingWeekends);
  const off = new Set(arrangement.holidays.map((d) => d.date));
  const missing = statutoryHolidays(year).holidays.filter(([date]) => !off.has(date));
  if (missing.length > 0) {
    fault('holidays', `不是完整的一年：缺少法定节假日 ${missing.map(([d, n]) => `${d} ${n}`).join('、')} (not the whole year: statutory days missing)`);
  }
  if (problems.length > 0) throw new GatewayError('HOLIDAYS_INVALID', { detail: problems[0]?.message, fields: problems });
  return {
    status: 'published',
    source: arrangement.source.trim(),
    holidays: arrangement.holidays.map((d) => [d.date, d.name.trim()] as const),
    workingWeekends: arrangement.workingWeekends.map((d) => [d.date, d.name.trim()] as const),
  };
}
