import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Clock } from '#core';
import { GatewayDatabase } from '#persistence';
import { nodeUrl } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { FederationHolder } from '../trust/federation-holder.js';
import { HolidayCalendar } from '../calendar/holiday-calendar.js';
import { adapterHealth } from './adapter-health.js';

/** How far back heartbeats are read: enough for any beat interval an adapter may use. */
const HEARTBEATS_SHOWN_MS = 10 * 60_000;

/**
 * Liveness (`/health/live`: the process answers) and readiness (`/health`: database, the agency
 * adapters by their heartbeats, each agency system as the adapters last heard from it, each peer
 * node, outbox lag). A peer, an adapter or an agency that is down makes this node degraded, not
 * unready: it still accepts applications and queues them. A database that cannot be reached
 * makes it unready: `503`, with the same JSON document, so a load balancer stops sending windows.
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
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.indicatorChecks());
    } catch (error) {
      // Terminus refuses with 503 and the whole result: answered as such, not as a problem (500).
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  private indicatorChecks() {
    const peers = this.federation.current.nodes.filter((n) => n.node !== this.config.node).map((n) => n.node);
    const agencies = (this.federation.current.nodes.find((n) => n.node === this.config.node)?.agencies ?? []).map((a) => a.code);
    // Read once for the adapter and every agency indicator; a database that is down is said by
    // `database`, and these then say "unknown" instead of failing the whole answer.
    const heartbeats = this.db.read((s) => s.heartbeats.since(this.clock.nowMs() - HEARTBEATS_SHOWN_MS)).then(
      (beats) => adapterHealth(beats, this.clock.nowMs(), agencies),
      () => null,
    );
    const unknown = { state: 'unknown', message: 'heartbeats cannot be read while the database is down' };
    return [
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
        const view = (await heartbeats)?.adapter;
        const check = this.indicators.check('agencyAdapter');
        return view?.status === 'up' ? check.up(view.data) : check.degraded(view?.data ?? unknown);
      },
      ...agencies.map((agency) => async (): Promise<HealthIndicatorResult> => {
        const view = (await heartbeats)?.agencies.get(agency);
        const check = this.indicators.check(`agency:${agency}`);
        return view?.status === 'up' ? check.up(view.data) : check.degraded(view?.data ?? unknown);
      }),
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
        const backlog = await this.db.read((s) => s.outbox.backlog()).catch(() => null);
        if (backlog === null) return check.degraded({ state: 'unknown', message: 'the outbox cannot be read while the database is down' });
        const data = { backlog, bound: this.config.maxOutboxBacklog, at: this.clock.now().toISOString() };
        return backlog >= this.config.maxOutboxBacklog ? check.degraded(data) : check.up(data);
      },
    ];
  }
}
