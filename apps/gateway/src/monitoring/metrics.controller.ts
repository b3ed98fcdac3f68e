import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GatewayDatabase } from '#persistence';
import { RelayService } from '../delivery/relay.service.js';
import { GatewayMetrics } from '../observability/gateway-metrics.js';
import { Clock, parseInstant } from '#core';
import { FileKeyStore } from '#signing';

const OUTBOX_STATES = ['pending', 'in-flight', 'retrying', 'delivered', 'dead'] as const;
const CIRCUIT_VALUE = { closed: 0, 'half-open': 0.5, open: 1 } as const;

/** GET /metrics in the Prometheus text format. */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly db: GatewayDatabase,
    private readonly relay: RelayService,
    private readonly keys: FileKeyStore,
    private readonly clock: Clock,
  ) {}

  @Get('metrics')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const counts = await this.db.read((s) => s.outbox.countsByState());
    for (const state of OUTBOX_STATES) this.metrics.outbox.set({ state }, counts[state] ?? 0);
    for (const k of this.keys.keyStatus()) {
      if (k.state !== 'retiring') this.metrics.keyExpiry.set({ kid: k.kid }, Math.round((parseInstant(k.rotateBy) - this.clock.nowMs()) / 1000));
    }
    for (const c of this.relay.circuits()) this.metrics.circuit.set({ destination: c.destination }, CIRCUIT_VALUE[c.state]);
    void reply.header('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
