import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '#core';
import { DEFAULT_RELAY_OPTIONS, Relay, type DestinationTransport } from '#delivery';
import { GatewayDatabase } from '#persistence';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { TransportRegistry } from './transport-registry.js';
import { DeliveryOutcomes } from './delivery-outcomes.js';
import { OutboxSignal } from '../runtime/outbox-signal.js';
import { ShutdownState } from '../runtime/shutdown-state.js';
import { GatewayMetrics } from '../observability/gateway-metrics.js';
import { RouteSeries } from '../observability/route-series.js';
import { IntakeLoad } from '../runtime/intake-load.js';
import { StaleSuiteResigner } from './stale-suite-resigner.js';

/**
 * Runs this node's outbox relay for the life of the process. What a delivery means is not decided
 * here: the handlers registered with DeliveryOutcomes run in the transaction that marks it delivered.
 */
@Injectable()
export class RelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Relay');
  private readonly relay: Relay;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    db: GatewayDatabase,
    transports: TransportRegistry,
    outcomes: DeliveryOutcomes,
    private readonly clock: Clock,
    signal: OutboxSignal,
    metrics: GatewayMetrics,
    private readonly shutdown: ShutdownState,
    routeSeries: RouteSeries,
    intakeLoad: IntakeLoad,
    resigner: StaleSuiteResigner,
  ) {
    signal.subscribe(() => this.relay.kick());
    this.relay = new Relay(
      db,
      (destination): DestinationTransport | undefined => transports.forDestination(destination),
      this.clock,
      { ...DEFAULT_RELAY_OPTIONS, idleMs: config.relayIdleMs, leaseMs: config.relayLeaseMs, batchesInFlight: config.relayBatchesInFlight, policies: config.retryPolicies, circuit: config.circuit },
      {
        afterDelivered: (tx, message, outcome) => outcomes.delivered(tx, message, outcome),
        // Windows first: one batch at a time while they keep the node busy (IntakeLoad).
        batchesInFlight: () => (intakeLoad.busy ? 1 : config.relayBatchesInFlight),
        // An envelope waiting in a suite the federation no longer accepts is signed again first.
        beforeSend: (messages) => resigner.prepare(messages),
        onAttempt: (event) => {
          metrics.recordAttempt(event);
          routeSeries.record(event);
          if (event.outcome !== 'delivered') {
            this.logger.warn({
              msg: 'delivery failed',
              caseNumber: event.message.caseId,
              messageId: event.message.messageId,
              destination: event.message.destination,
              outcome: event.outcome,
              reason: event.reason,
            });
          }
        },
      },
    );
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  /**
   * First step of a graceful stop: refuse new applications, then let the relay finish the batch
   * in hand. Whatever is not sent stays in the outbox (leases expire) for the next start.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.startDraining();
    await this.relay.stop();
    this.logger.log({ msg: 'relay stopped; outbox left for the next start' });
  }

  kick(): void {
    this.relay.kick();
  }

  circuits() {
    return this.relay.circuits.snapshot();
  }

  /** For tests and operators: send what is due now and wait for it. */
  async drain(): Promise<number> {
    return this.relay.runOnce();
  }
}
