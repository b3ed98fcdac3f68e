import { Injectable } from '@nestjs/common';
import { Clock, HOLIDAYS, shanghaiDay, WorkingDayCalendar } from '#core';
import { serviceDefinition } from '#contracts';
import type { CaseRecord } from '#persistence';

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
  /** True when the span reaches a year whose official holiday notice is not yet in the data. */
  readonly calendarProvisional: boolean;
}

/** What the clock needs of a case. */
export type ClockedCase = Pick<CaseRecord, 'service' | 'acceptedAt' | 'clockPausedSince' | 'clockPausedDays'>;

/**
 * The statutory clock of a case, in working days on the official holiday calendar (法定工作日),
 * paused while supplementary material is awaited.
 */
@Injectable()
export class CaseClock {
  private readonly calendar = new WorkingDayCalendar(HOLIDAYS);

  constructor(private readonly clock: Clock) {}

  of(record: ClockedCase): TimeLimitView | null {
    const limits = serviceDefinition(record.service)?.limits ?? [];
    if (limits.length === 0) return null;
    // A multi-leg service's case runs for the sum of its legs; each leg has its own clock too.
    const limit = limits.length === 1 ? limits[0] : { leg: 'all', workingDays: limits.reduce((n, l) => n + l.workingDays, 0) };
    const accepted = shanghaiDay(record.acceptedAt);
    const today = shanghaiDay(this.clock.nowMs());
    const waitingNow = record.clockPausedSince === null ? 0 : this.pausedDays(record.clockPausedSince, this.clock.nowMs());
    const paused = record.clockPausedDays + waitingNow;
    const dueBy = this.calendar.addWorkingDays(accepted, limit.workingDays + paused);
    const left = today > dueBy ? -this.calendar.workingDaysBetween(dueBy, today) : this.calendar.workingDaysBetween(today, dueBy);
    const provisional = [accepted, dueBy].some((d) => !HOLIDAYS.years[d.slice(0, 4)]?.status.startsWith('published'));
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
    const started = shanghaiDay(startedAtMs);
    const today = shanghaiDay(this.clock.nowMs());
    const dueBy = this.calendar.addWorkingDays(started, workingDays);
    const left = today > dueBy ? -this.calendar.workingDaysBetween(dueBy, today) : this.calendar.workingDaysBetween(today, dueBy);
    const provisional = [started, dueBy].some((d) => !HOLIDAYS.years[d.slice(0, 4)]?.status.startsWith('published'));
    return { leg, workingDays, dueBy, workingDaysLeft: left, overdue: today > dueBy, paused: false, pausedWorkingDays: 0, calendarProvisional: provisional };
  }

  /**
   * Working days a wait from `sinceMs` to `untilMs` takes off the clock: those after the day the
   * material was asked for, up to and including the day it came (or today).
   */
  pausedDays(sinceMs: number, untilMs: number): number {
    return this.calendar.workingDaysBetween(shanghaiDay(sinceMs), shanghaiDay(untilMs));
  }
}
