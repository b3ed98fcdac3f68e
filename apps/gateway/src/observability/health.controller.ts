import { Socket } from 'node:net';
import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { Clock } from '#core';
import { GatewayDatabase } from '#persistence';
import { nodeUrl } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { FederationHolder } from '../federation/federation-holder.js';
import { HolidayCalendar } from '../calendar/holiday-calendar.js';

/**
 * Liveness (`/health/live`: the process answers) and readiness (`/health`: database, the agency
 * adapter's link, each peer node, outbox lag). A peer that is down makes this node degraded, not
 * unready: it still accepts applications and queues them.
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly federation: FederationHolder,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
    private readonly holidays: HolidayCalendar,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    const peers = this.federation.current.nodes.filter((n) => n.node !== this.config.node).map((n) => n.node);
    return this.health.check([
      () => this.indicators.check('database').attempt(() => this.db.ping()).withTimeout(2000),
      // Which federation this process runs on (with replicas, each is reloaded on its own).
      () => this.indicators.check('federation').up({ serial: this.federation.current.serial ?? 0, issuedAt: this.federation.current.issuedAt ?? null }),
      // Next year's holiday arrangement missing from 1 November: the node still works, its clocks are provisional.
      () => {
        const warnings = this.holidays.warnings();
        const check = this.indicators.check('calendar');
        return warnings.length === 0 ? check.up() : check.degraded({ message: warnings[0]?.message, year: warnings[0]?.year });
      },
      async () => {
        const up = await tcpReachable(this.config.adapter.host, this.config.adapter.port, 1000);
        const check = this.indicators.check('agencyAdapter');
        return up ? check.up({ port: this.config.adapter.port }) : check.degraded({ port: this.config.adapter.port, message: 'adapter not reachable; hand-overs wait in the outbox' });
      },
      ...peers.map((peer) => async () => {
        const check = this.indicators.check(`peer${peer}`);
        const url = nodeUrl(this.federation.current, peer);
        try {
          const response = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(1500) });
          return response.ok ? check.up() : check.degraded({ message: `peer answered ${response.status}` });
        } catch {
          return check.degraded({ message: 'peer not reachable; envelopes wait in the outbox' });
        }
      }),
      async () => {
        const check = this.indicators.check('outbox');
        const backlog = await this.db.read((s) => s.outbox.backlog());
        const data = { backlog, bound: this.config.maxOutboxBacklog, at: this.clock.now().toISOString() };
        return backlog >= this.config.maxOutboxBacklog ? check.degraded(data) : check.up(data);
      },
    ]);
  }
}

function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}
