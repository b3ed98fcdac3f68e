import { Injectable } from '@nestjs/common';
import { Clock, HOLIDAYS, shanghaiDay, WorkingDayCalendar } from '#core';
import { SERVICE_TIME_LIMITS, type ServiceCode } from '#contracts';

export interface TimeLimitView {
  readonly workingDays: number;
  /** The last working day (Asia/Shanghai) by which the case must be done. */
  readonly dueBy: string;
  readonly workingDaysLeft: number;
  readonly overdue: boolean;
  /** True when the span reaches a year whose official holiday notice is not yet in the data. */
  readonly calendarProvisional: boolean;
}

/**
 * The statutory clock of a case, in working days on the official holiday calendar (法定工作日).
 */
@Injectable()
export class CaseClock {
  private readonly calendar = new WorkingDayCalendar(HOLIDAYS);

  constructor(private readonly clock: Clock) {}

  of(service: string, acceptedAtMs: number): TimeLimitView | null {
    const limit = SERVICE_TIME_LIMITS[service as ServiceCode];
    if (!limit) return null;
    const accepted = shanghaiDay(acceptedAtMs);
    const dueBy = this.calendar.addWorkingDays(accepted, limit.workingDays);
    const today = shanghaiDay(this.clock.nowMs());
    const left = today > dueBy ? -this.calendar.workingDaysBetween(dueBy, today) : this.calendar.workingDaysBetween(today, dueBy);
    const provisional = [accepted, dueBy].some((d) => !HOLIDAYS.years[d.slice(0, 4)]?.status.startsWith('published'));
    return { workingDays: limit.workingDays, dueBy, workingDaysLeft: left, overdue: today > dueBy, calendarProvisional: provisional };
  }
}
