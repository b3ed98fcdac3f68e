import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { validateContract } from '#contracts';
import { HolidayCalendar } from '../calendar/holiday-calendar.js';
import type { Principal } from '../auth/credentials.service.js';
import { JsonOnlyGuard } from '../http/json-only.guard.js';
import { CurrentPrincipal, PrincipalGuard, RequireRole } from '../auth/principal.guard.js';
import { HolidayLoadRequestDto, HolidayReloadRequestDto } from './holiday-load-request.dto.js';
import { HolidayLoadService } from './holiday-load.service.js';

/** The working-day calendar every case clock counts on: which years are published, and loading next year's. */
@ApiTags('operator')
@ApiBearerAuth()
@Controller('api/v1/operator/holidays')
@UseGuards(JsonOnlyGuard, PrincipalGuard)
@RequireRole('operator')
export class HolidaysController {
  constructor(
    private readonly calendar: HolidayCalendar,
    private readonly loader: HolidayLoadService,
  ) {}

  /** Each year: published, provisional or computed from the statutory holidays; and the warnings (from 1 Nov, next year missing). */
  @Get()
  years() {
    return { items: this.calendar.years(), warnings: this.calendar.warnings() };
  }

  /** Loads one year's State Council arrangement (audited); HOLIDAYS_INVALID names what is wrong and leaves the calendar as it was. */
  @Post()
  @HttpCode(200)
  async load(@CurrentPrincipal() operator: Principal, @Body() body: unknown) {
    const { reason, ...arrangement } = validateContract(HolidayLoadRequestDto, body);
    return this.loader.load(operator, reason, arrangement);
  }

  /** Reads HOLIDAYS_FILE again after it was placed or edited by hand (audited). */
  @Post('reload')
  @HttpCode(200)
  async reload(@CurrentPrincipal() operator: Principal, @Body() body: unknown) {
    const request = validateContract(HolidayReloadRequestDto, body);
    return { items: await this.loader.reload(operator, request.reason), warnings: this.calendar.warnings() };
  }
}
