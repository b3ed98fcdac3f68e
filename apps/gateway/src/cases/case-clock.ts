import { Injectable } from '@nestjs/common';
import { Clock, shanghaiDay } from '#core';
import { serviceDefinition } from '#contracts';
import type { CaseRecord } from '#persistence';
import { HolidayCalendar } from '../calendar/holiday-calendar.js';

export interface TimeLimitView {
  /** The leg the limit applies to (`handling` for a single-leg service). */
  readonly leg: string;
  readonly workingDays: number;
  /** The last working day (Asia/Shanghai) by which the case must be done, pauses included. */
  readonly dueBy: string;
  readonly workingDaysLeft: number;
  readonly overdue: boolean;
  /** True while the handling side waits for supplementary material (补正): the clock stands still. */
  readonly paused: boolean;
  /** Working days spent waiting for supplements so far; they do not count against the limit. */
  readonly pausedWorkingDays: number;
  /**
   * True when the span reaches a year whose State Council arrangement is not loaded: the date is
   * counted on weekends and statutory holidays only and may move when the notice comes.
   */
  readonly calendarProvisional: boolean;
}

/** What the clock needs of a case. */
export type ClockedCase = Pick<CaseRecord, 'service' | 'acceptedAt' | 'clockPausedSince' | 'clockPausedDays'>;

/**
 * The statutory clock of a case, in working days on the official holiday calendar (法定工作日),
 * paused while supplementary material is awaited. The calendar is the operator-loaded one
 * (HolidayCalendar), so it never stops at the end of the data.
 */
@Injectable()
export class CaseClock {
  constructor(
    private readonly clock: Clock,
    private readonly holidays: HolidayCalendar,
  ) {}

  of(record: ClockedCase): TimeLimitView | null {
    const limits = serviceDefinition(record.service)?.limits ?? [];
    if (limits.length === 0) return null;
    // A multi-leg service's case runs for the sum of its legs; each leg has its own clock too.
    const calendar = this.holidays.calendar;
    const limit = limits.length === 1 ? limits[0] : { leg: 'all', workingDays: limits.reduce((n, l) => n + l.workingDays, 0) };
    const accepted = shanghaiDay(record.acceptedAt);
    const today = shanghaiDay(this.clock.nowMs());
    const waitingNow = record.clockPausedSince === null ? 0 : calendar.workingDaysBetween(shanghaiDay(record.clockPausedSince), today);
    const paused = record.clockPausedDays + waitingNow;
    const dueBy = calendar.addWorkingDays(accepted, limit.workingDays + paused);
    const left = today > dueBy ? -calendar.workingDaysBetween(dueBy, today) : calendar.workingDaysBetween(today, dueBy);
    const provisional = !this.holidays.isPublished(accepted, dueBy);
    return {
      leg: limit.leg,
      workingDays: limit.workingDays,
      dueBy,
      workingDaysLeft: left,
      overdue: today > dueBy,
      paused: record.clockPausedSince !== null,
      pausedWorkingDays: paused,
      calendarProvisional: provisional,
    };
  }

  /**
   * The clock of one leg that started at `startedAtMs` and lasts `workingDays` (a pension transfer
   * conversation's contact letter, information sheet or merge).
   */
  leg(leg: string, workingDays: number, startedAtMs: number): TimeLimitView {
    const calendar = this.holidays.calendar;
    const started = shanghaiDay(startedAtMs);
    const today = shanghaiDay(this.clock.nowMs());
    const dueBy = calendar.addWorkingDays(started, workingDays);
    const left = today > dueBy ? -calendar.workingDaysBetween(dueBy, today) : calendar.workingDaysBetween(today, dueBy);
    const provisional = !this.holidays.isPublished(started, dueBy);
    return { leg, workingDays, dueBy, workingDaysLeft: left, overdue: today > dueBy, paused: false, pausedWorkingDays: 0, calendarProvisional: provisional };
  }

  /**
   * Working days a wait from `sinceMs` to `untilMs` takes off the clock: those after the day the
   * material was asked for, up to and including the day it came (or today).
   */
  pausedDays(sinceMs: number, untilMs: number): number {
    return this.holidays.calendar.workingDaysBetween(shanghaiDay(sinceMs), shanghaiDay(untilMs));
  }
}
