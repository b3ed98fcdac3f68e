import { statutoryHolidays } from './statutory-holidays.js';

/** One year of the official holiday arrangement: days off and the adjusted working weekends (调休). */
export interface HolidayYear {
  readonly holidays: readonly (readonly [date: string, name: string])[];
  readonly workingWeekends: readonly (readonly [date: string, name: string])[];
  /**
   * `published` (the State Council notice, with its 调休) or a sentence starting `provisional`
   * (statutory days only, until the notice is loaded). Absent means published.
   */
  readonly status?: string;
  /** Where the year comes from, e.g. the notice's document number (国办发明电〔2025〕7号). */
  readonly source?: string;
}

export interface HolidayData {
  readonly years: Readonly<Record<string, HolidayYear>>;
}

/**
 * How a year's days are known: from the published State Council arrangement; from a provisional
 * entry in the data; or computed from the statutory holidays alone because the data has no entry.
 */
export type CalendarYearStatus = 'published' | 'provisional' | 'computed';

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/**
 * Statutory working days (法定工作日) on the official calendar: weekdays that are not holidays,
 * plus the weekends declared working days. Kept as data because it changes every year.
 *
 * @example
 *   const calendar = new WorkingDayCalendar(data);
 *   calendar.addWorkingDays('2026-09-30', 1) // '2026-10-08': 1–7 Oct are 国庆 holidays
 */
export class WorkingDayCalendar {
  private readonly off = new Set<string>();
  private readonly on = new Set<string>();
  private readonly statuses = new Map<number, CalendarYearStatus>();

  constructor(data: HolidayData) {
    for (const [year, entry] of Object.entries(data.years)) this.addYear(Number(year), entry, yearStatus(entry));
  }

  /**
   * How the days of `year` are known. A year the data lacks is computed on first use from the
   * statutory holidays (weekends and 《全国年节及纪念日放假办法》), so the clock never stops at the
   * end of the data: a limit that runs into 2028 is counted, and marked provisional.
   */
  statusOf(year: number): CalendarYearStatus {
    const known = this.statuses.get(year);
    if (known) return known;
    this.addYear(year, statutoryHolidays(year), 'computed');
    return 'computed';
  }

  /** Whether a calendar day (YYYY-MM-DD, Asia/Shanghai) is a working day. */
  isWorkingDay(date: string): boolean {
    this.statusOf(Number(date.slice(0, 4)));
    if (this.on.has(date)) return true;
    if (this.off.has(date)) return false;
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /**
   * The date `n` working days after `date` (the day of an event does not count: a limit of 15
   * working days starting on a Friday counts from the next working day).
   */
  addWorkingDays(date: string, n: number): string {
    let current = date;
    let left = n;
    while (left > 0) {
      current = nextDay(current);
      if (this.isWorkingDay(current)) left -= 1;
    }
    return current;
  }

  /** Working days from the day after `from` up to and including `to` (0 when `to` ≤ `from`). */
  workingDaysBetween(from: string, to: string): number {
    let count = 0;
    for (let d = nextDay(from); d <= to; d = nextDay(d)) if (this.isWorkingDay(d)) count += 1;
    return count;
  }

  private addYear(year: number, entry: HolidayYear, status: CalendarYearStatus): void {
    for (const [date] of entry.holidays) this.off.add(date);
    for (const [date] of entry.workingWeekends) this.on.add(date);
    this.statuses.set(year, status);
  }
}

function yearStatus(entry: HolidayYear): CalendarYearStatus {
  return entry.status === undefined || entry.status.startsWith('published') ? 'published' : 'provisional';
}

/** The Asia/Shanghai calendar day of an instant. */
export function shanghaiDay(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}
