import { existsSync, readFileSync } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import {
  checkHolidayArrangement,
  Clock,
  GatewayError,
  HOLIDAYS,
  isGatewayError,
  shanghaiDay,
  WorkingDayCalendar,
  type ArrangementDay,
  type CalendarYearStatus,
  type HolidayArrangement,
  type HolidayYear,
} from '#core';
import { writeTextAtomically } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

/** HOLIDAYS_FILE as an operator or the loader writes it: one entry per year, in notice form. */
interface HolidaysFile {
  readonly years: Readonly<Record<string, Omit<HolidayArrangement, 'year'>>>;
}

/** One year as the console and the operator API show it. */
export interface CalendarYearView {
  readonly year: number;
  readonly status: CalendarYearStatus;
  /** Where it comes from: the notice, `built-in` for the release's data, `statutory` when computed. */
  readonly source: string;
  readonly loaded: boolean;
  readonly holidays: number;
  readonly workingWeekends: number;
}

/** A warning for the operator, shown in the console and in /health. */
export interface CalendarWarning {
  readonly code: 'HOLIDAYS_NEXT_YEAR_MISSING';
  readonly year: number;
  readonly message: string;
}

/**
 * The official working-day calendar this node counts every case clock on: the release's data
 * (libs/core holidays.data.ts), overlaid with the years an operator loaded into HOLIDAYS_FILE, and
 * for any later year the statutory holidays alone (provisional). The State Council publishes the
 * next year's arrangement each November; loading it is an operator action (see
 * operator/holiday-load.service.ts), not a release.
 *
 * Each process reads the file at start and on reload: with several replicas sharing the file,
 * reload each (the answer names the years in force).
 */
@Injectable()
export class HolidayCalendar {
  private loaded: Record<string, Omit<HolidayArrangement, 'year'>>;
  private calendarInForce: WorkingDayCalendar;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'holidaysFile'>,
    private readonly clock: Clock,
  ) {
    // A broken file refuses the start: a clock counted on half a year would shorten every limit.
    this.loaded = this.readFile();
    this.calendarInForce = build(this.loaded);
  }

  /** The calendar in force; take it once per computation so a reload cannot change it midway. */
  get calendar(): WorkingDayCalendar {
    return this.calendarInForce;
  }

  /**
   * Checks a year's arrangement (HOLIDAYS_INVALID naming the fields), writes it to HOLIDAYS_FILE
   * beside the years already loaded, and switches the calendar to it. Replaces a year loaded before.
   */
  load(arrangement: HolidayArrangement): CalendarYearView {
    checkHolidayArrangement(arrangement);
    const { year, ...rest } = arrangement;
    const next = { ...this.loaded, [String(year)]: rest };
    const calendar = build(next);
    writeTextAtomically(this.config.holidaysFile, `${JSON.stringify({ years: next } satisfies HolidaysFile, null, 2)}\n`);
    this.loaded = next;
    this.calendarInForce = calendar;
    return this.view(year);
  }

  /** Reads HOLIDAYS_FILE again (an operator placed or edited it); the calendar in force stays if it is refused. */
  reload(): readonly CalendarYearView[] {
    const loaded = this.readFile();
    const calendar = build(loaded);
    this.loaded = loaded;
    this.calendarInForce = calendar;
    return this.years();
  }

  /** Every year the data or the file holds, and this year and next, however known. */
  years(): readonly CalendarYearView[] {
    const thisYear = Number(shanghaiDay(this.clock.nowMs()).slice(0, 4));
    const years = new Set([...Object.keys(HOLIDAYS.years), ...Object.keys(this.loaded)].map(Number));
    years.add(thisYear).add(thisYear + 1);
    return [...years].sort((a, b) => a - b).map((y) => this.view(y));
  }

  /** From 1 November (Asia/Shanghai), a warning while next year's arrangement is not published here. */
  warnings(): readonly CalendarWarning[] {
    const today = shanghaiDay(this.clock.nowMs());
    const next = Number(today.slice(0, 4)) + 1;
    if (today.slice(5) < '11-01' || this.calendarInForce.statusOf(next) === 'published') return [];
    return [
      {
        code: 'HOLIDAYS_NEXT_YEAR_MISSING',
        year: next,
        message: `The State Council holiday arrangement for ${next} is not loaded: case limits running into ${next} count statutory holidays only and are provisional.`,
      },
    ];
  }

  /** Whether every day from `from` to `to` lies in a published year. */
  isPublished(from: string, to: string): boolean {
    const calendar = this.calendarInForce;
    for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year += 1) {
      if (calendar.statusOf(year) !== 'published') return false;
    }
    return true;
  }

  private view(year: number): CalendarYearView {
    const status = this.calendarInForce.statusOf(year);
    const file = this.loaded[String(year)];
    const builtIn = HOLIDAYS.years[String(year)];
    const days = file ? { holidays: file.holidays.length, workingWeekends: file.workingWeekends.length } : counts(builtIn);
    return {
      year,
      status,
      source: file?.source ?? (builtIn ? 'built-in' : 'statutory'),
      loaded: file !== undefined,
      ...days,
    };
  }

  private readFile(): Record<string, Omit<HolidayArrangement, 'year'>> {
    const file = this.config.holidaysFile;
    if (!existsSync(file)) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (cause) {
      throw new GatewayError('HOLIDAYS_INVALID', { detail: 'HOLIDAYS_FILE is not valid JSON', cause });
    }
    const years = (parsed as Partial<HolidaysFile> | null)?.years;
    if (typeof years !== 'object' || years === null || Array.isArray(years)) {
      throw GatewayError.field('HOLIDAYS_INVALID', 'years', 'HOLIDAYS_FILE holds {"years": {"2028": {...}}}');
    }
    const out: Record<string, Omit<HolidayArrangement, 'year'>> = {};
    for (const [year, entry] of Object.entries(years)) {
      const arrangement = asArrangement(year, entry);
      try {
        checkHolidayArrangement(arrangement);
      } catch (error) {
        if (!isGatewayError(error)) throw error;
        const fields = error.fields.map((f) => ({ ...f, field: `years.${year}.${f.field}` }));
        throw new GatewayError('HOLIDAYS_INVALID', { detail: `HOLIDAYS_FILE, ${year}: ${error.detail ?? ''}`, fields });
      }
      const { year: _year, ...rest } = arrangement;
      out[year] = rest;
    }
    return out;
  }
}

function build(loaded: Readonly<Record<string, Omit<HolidayArrangement, 'year'>>>): WorkingDayCalendar {
  const years: Record<string, HolidayYear> = { ...HOLIDAYS.years };
  for (const [year, entry] of Object.entries(loaded)) years[year] = checkHolidayArrangement({ year: Number(year), ...entry });
  return new WorkingDayCalendar({ years });
}

function counts(entry: HolidayYear | undefined): { holidays: number; workingWeekends: number } {
  return { holidays: entry?.holidays.length ?? 0, workingWeekends: entry?.workingWeekends.length ?? 0 };
}

/** The shape of one year in the file, checked field by field (a hand-edited file is operator input). */
function asArrangement(year: string, entry: unknown): HolidayArrangement {
  const e = (entry ?? {}) as Record<string, unknown>;
  const days = (name: string): ArrangementDay[] => {
    const list = e[name];
    if (!Array.isArray(list) || !list.every((d) => typeof d === 'object' && d !== null && typeof (d as ArrangementDay).date === 'string' && typeof (d as ArrangementDay).name === 'string')) {
      throw GatewayError.field('HOLIDAYS_INVALID', `years.${year}.${name}`, `${name} is a list of {date, name}`);
    }
    return list.map((d: ArrangementDay) => ({ date: d.date, name: d.name }));
  };
  if (typeof e['source'] !== 'string') throw GatewayError.field('HOLIDAYS_INVALID', `years.${year}.source`, 'source names the notice');
  if (!/^\d{4}$/.test(year)) throw GatewayError.field('HOLIDAYS_INVALID', `years.${year}`, 'a year is four digits');
  return { year: Number(year), source: e['source'], holidays: days('holidays'), workingWeekends: days('workingWeekends') };
}
