import { GatewayError } from './gateway-error.js';

/** One year of the official holiday arrangement: days off and the adjusted working weekends (调休). */
export interface HolidayYear {
  readonly holidays: readonly (readonly [date: string, name: string])[];
  readonly workingWeekends: readonly (readonly [date: string, name: string])[];
}

export interface HolidayData {
  readonly years: Readonly<Record<string, HolidayYear>>;
}

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
  private readonly years: ReadonlySet<number>;

  constructor(data: HolidayData) {
    for (const year of Object.values(data.years)) {
      for (const [date] of year.holidays) this.off.add(date);
      for (const [date] of year.workingWeekends) this.on.add(date);
    }
    this.years = new Set(Object.keys(data.years).map(Number));
  }

  /** Whether a calendar day (YYYY-MM-DD, Asia/Shanghai) is a working day. */
  isWorkingDay(date: string): boolean {
    const year = Number(date.slice(0, 4));
    if (!this.years.has(year)) {
      throw new GatewayError('CONFIG_INVALID', { detail: `no holiday calendar for ${year}` });
    }
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
}

/** The Asia/Shanghai calendar day of an instant. */
export function shanghaiDay(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}
