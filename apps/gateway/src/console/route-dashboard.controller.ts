import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { GatewayError } from '#core';
import { JsonOnlyGuard } from '../http/json-only.guard.js';
import { PrincipalGuard, RequireRole } from '../auth/principal.guard.js';
import { RouteDashboardService, type RoutesDashboard } from './route-dashboard.service.js';
import { RANGES, type SeriesRange } from '../observability/route-series.js';

/** Per-route time series for the operator dashboard (the console draws them). */
@ApiTags('operator')
@ApiBearerAuth()
@Controller('api/v1/operator/routes')
@UseGuards(JsonOnlyGuard, PrincipalGuard)
@RequireRole('operator')
export class RouteDashboardController {
  constructor(private readonly dashboard: RouteDashboardService) {}

  /** Each route's messages per minute, failures, latency, backlog and circuit: `?range=hour|day`. */
  @Get()
  @ApiQuery({ name: 'range', required: false, enum: ['hour', 'day'] })
  async routes(@Query('range') range = 'hour'): Promise<RoutesDashboard> {
    if (!Object.hasOwn(RANGES, range)) throw GatewayError.field('VALIDATION_FAILED', 'range', 'range must be hour or day');
    return this.dashboard.dashboard(range as SeriesRange);
  }
}
