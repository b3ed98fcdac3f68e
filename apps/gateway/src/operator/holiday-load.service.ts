import { Injectable, Logger } from '@nestjs/common';
import { Clock, isGatewayError, type HolidayArrangement } from '#core';
import { GatewayDatabase } from '#persistence';
import { HolidayCalendar, type CalendarYearView } from '../calendar/holiday-calendar.js';
import type { Principal } from '../auth/credentials.service.js';

/**
 * Loading the yearly holiday arrangement as an operator action: checked (a whole year, dates in
 * that year, 调休 on weekends), written to HOLIDAYS_FILE, in force at once, and audited, refusals
 * too (with their code), so the trail shows who changed the calendar every clock counts on.
 */
@Injectable()
export class HolidayLoadService {
  private readonly logger = new Logger('Calendar');

  constructor(
    private readonly calendar: HolidayCalendar,
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
  ) {}

  async load(operator: Principal, reason: string, arrangement: HolidayArrangement): Promise<CalendarYearView> {
    const subject = `holidays:${arrangement.year}`;
    const offered = { year: arrangement.year, source: arrangement.source, holidays: arrangement.holidays.length, workingWeekends: arrangement.workingWeekends.length };
    let view: CalendarYearView;
    try {
      view = this.calendar.load(arrangement);
    } catch (error) {
      await this.audit('holidays-load-refused', subject, operator, reason, { ...offered, code: isGatewayError(error) ? error.code : 'INTERNAL' });
      throw error;
    }
    await this.audit('holidays-loaded', subject, operator, reason, offered);
    this.logger.log({ msg: 'holiday arrangement loaded', year: arrangement.year, operator: operator.credentialId });
    return view;
  }

  async reload(operator: Principal, reason: string): Promise<readonly CalendarYearView[]> {
    let years: readonly CalendarYearView[];
    try {
      years = this.calendar.reload();
    } catch (error) {
      await this.audit('holidays-reload-refused', 'holidays:file', operator, reason, { code: isGatewayError(error) ? error.code : 'INTERNAL' });
      throw error;
    }
    await this.audit('holidays-reloaded', 'holidays:file', operator, reason, { loaded: years.filter((y) => y.loaded).map((y) => y.year) });
    return years;
  }

  private async audit(action: string, subject: string, operator: Principal, reason: string, detail: object): Promise<void> {
    await this.db.transaction((tx) =>
      tx.audit.append({ action, subject, operatorId: operator.credentialId, reason, detailJson: JSON.stringify(detail), at: this.clock.nowMs() }),
    );
  }
}
