import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RelayAttemptEvent } from '#delivery';

/**
 * Prometheus metrics of one node. Counters and histograms are fed as things happen; gauges that
 * mirror the database (outbox by state) are filled by the scrape itself.
 */
@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly deliveries = new Counter({
    name: 'cytb_deliveries_total',
    help: 'Delivery attempts by destination, message type and outcome (delivered, retrying, dead)',
    labelNames: ['destination', 'type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly deliverySeconds = new Histogram({
    name: 'cytb_delivery_seconds',
    help: 'Time of one delivery attempt, by destination and message type',
    labelNames: ['destination', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly received = new Counter({
    name: 'cytb_envelopes_received_total',
    help: 'Envelopes received from peers, by message type and result (accepted, duplicate, refused code)',
    labelNames: ['type', 'result'] as const,
    registers: [this.registry],
  });

  readonly intake = new Counter({
    name: 'cytb_intake_total',
    help: 'Applications submitted at windows, by service and result (accepted or the refusal code)',
    labelNames: ['service', 'result'] as const,
    registers: [this.registry],
  });

  readonly outbox = new Gauge({
    name: 'cytb_outbox_messages',
    help: 'Outbox messages by state (dead = the dead-letter list)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly circuit = new Gauge({
    name: 'cytb_circuit_open',
    help: 'Circuit state per destination: 0 closed, 0.5 half-open, 1 open',
    labelNames: ['destination'] as const,
    registers: [this.registry],
  });

  readonly keyExpiry = new Gauge({
    name: 'cytb_signing_key_expiry_seconds',
    help: 'Seconds until each signing key of this node should be retired',
    labelNames: ['kid'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'cytb_process_' });
  }

  recordAttempt(event: RelayAttemptEvent): void {
    const labels = { destination: event.message.destination, type: event.message.messageType };
    this.deliveries.inc({ ...labels, outcome: event.outcome });
    this.deliverySeconds.observe(labels, event.durationMs / 1000);
  }
}
