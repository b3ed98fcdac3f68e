import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '#core';
import { DEFAULT_RELAY_OPTIONS, Relay, type DeliveryOutcome, type DestinationTransport } from '#delivery';
import { GatewayDatabase, type GatewayStores, type OutboxRecord } from '#persistence';
import type { AgencyDeliveryAck } from '#contracts';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { HandlingService } from '../cases/handling.service.js';
import { TransportRegistry } from './transport-registry.js';
import { OutboxSignal } from './outbox-signal.js';
import { ShutdownState } from './shutdown-state.js';
import { GatewayMetrics } from '../observability/gateway-metrics.js';
import { MessageLogService } from '../message-log/message-log.service.js';
import { RouteSeries } from '../console/route-series.js';
import { IntakeLoad } from '../intake/intake-load.js';
import { StaleSuiteResigner } from './stale-suite-resigner.js';

/**
 * Runs this node's outbox relay for the life of the process and decides what a delivery means
 * for the case (the after-delivery hook runs in the transaction that marks it delivered).
 */
@Injectable()
export class RelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Relay');
  private readonly relay: Relay;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    db: GatewayDatabase,
    transports: TransportRegistry,
    private readonly handling: HandlingService,
    private readonly clock: Clock,
    signal: OutboxSignal,
    metrics: GatewayMetrics,
    private readonly shutdown: ShutdownState,
    private readonly messageLog: MessageLogService,
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
        afterDelivered: (tx, message, outcome) => this.afterDelivered(tx, message, outcome),
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

  private async afterDelivered(tx: GatewayStores, message: OutboxRecord, outcome: DeliveryOutcome): Promise<void> {
    if (message.destination.startsWith('agency:')) {
      await this.handling.recordAgencyDelivered(tx, message, outcome.result as AgencyDeliveryAck);
      this.relay.kick();
      return;
    }
    if (message.destination.startsWith('peer:') && outcome.proof) {
      // Kept with the envelope: the peer's signed receipt, so either side can prove what the other received.
      const peer = message.destination.slice('peer:'.length);
      await this.messageLog.append(tx, [
        { direction: 'sent', kind: 'envelope', messageId: message.messageId, peer, content: message.payload },
        { direction: 'received', kind: 'receipt', messageId: message.messageId, peer, content: outcome.proof },
      ]);
    }
    if (message.destination.startsWith('peer:') && message.messageType.endsWith('.request') && message.caseId) {
      const record = await tx.cases.getForUpdate(message.caseId);
      if (!record) return;
      // 'forwarded' is when the envelope left (the attempt that delivered it), not when its
      // receipt was recorded: that is after the peer recorded 'received', by a round trip.
      await tx.events.insertOnce({
        caseId: record.caseId,
        stage: 'forwarded',
        at: outcome.sentAt ?? this.clock.nowMs(),
        side: record.acceptingNode,
        seq: null,
        reasonCode: null,
        reasonMessage: null,
        detailJson: null,
        sourceId: `msg:${message.messageId}`,
        recordedAt: this.clock.nowMs(),
      });
      if (record.stage === 'submitted') await tx.cases.update(record.caseId, { stage: 'forwarded' });
    }
  }
}
