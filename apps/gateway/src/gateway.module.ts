import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Clock } from '#core';
import { GatewayDatabase } from '#persistence';
import { FileKeyStore, TrustStore, type Federation } from '#signing';
import { StatusIntakeController } from './agency/status-intake.controller.js';
import { AgencyStatusIntake } from './agency/agency-status-intake.service.js';
import { AdapterHeartbeatController } from './agency/adapter-heartbeat.controller.js';
import { AdapterHeartbeatService } from './agency/adapter-heartbeat.service.js';
import { EnvelopeFactory } from './cases/envelope-factory.js';
import { HandlingService } from './cases/handling.service.js';
import { StatusApplier } from './cases/status-applier.js';
import { CaseClock } from './cases/case-clock.js';
import { CaseRecorder } from './cases/case-recorder.js';
import { CaseTimeline } from './cases/case-timeline.js';
import { KeyRotationService } from './operator/key-rotation.service.js';
import { BatchInboundService } from './peer/batch-inbound.service.js';
import { ConversationListService } from './operator/conversation-list.service.js';
import { ApplicantIndex, PERSONAL_DATA_SECRET } from './cases/applicant-index.js';
import { PersonalDataSealer } from './trust/personal-data-sealer.js';
import { TransferService } from './cases/transfer.service.js';
import { ServiceHookRegistry } from './cases/service-hook-registry.js';
import { GATEWAY_CONFIG, NODE_CODE } from './config/config.token.js';
import type { GatewayConfig } from './config/gateway.config.js';
import { RelayService } from './delivery/relay.service.js';
import { DeliveryOutcomes } from './delivery/delivery-outcomes.js';
import { SentReceipts } from './peer/sent-receipts.js';
import { RequestForwarded } from './intake/request-forwarded.js';
import { HandOverDelivered } from './agency/hand-over-delivered.js';
import { StaleSuiteResigner } from './delivery/stale-suite-resigner.js';
import { OutboxSignal } from './runtime/outbox-signal.js';
import { BacklogGauge } from './delivery/backlog-gauge.js';
import { ShutdownState } from './runtime/shutdown-state.js';
import { TransportRegistry } from './delivery/transport-registry.js';
import { FederationHolder } from './trust/federation-holder.js';
import { FederationReloadService } from './federation/federation-reload.service.js';
import { CredentialsService } from './auth/credentials.service.js';
import { IntakeController } from './intake/intake.controller.js';
import { IntakeService } from './intake/intake.service.js';
import { IdempotencyService } from './intake/idempotency.service.js';
import { PrincipalGuard } from './auth/principal.guard.js';
import { RateLimiter } from './auth/rate-limiter.js';
import { MessageLogService } from './message-log/message-log.service.js';
import { MessageLogChainer } from './message-log/message-log-chainer.js';
import { CheckpointController } from './message-log/checkpoint.controller.js';
import { CheckpointExportController } from './message-log/checkpoint-export.controller.js';
import { CheckpointCountersigner } from './message-log/checkpoint-countersigner.service.js';
import { CheckpointSender } from './message-log/checkpoint-sender.service.js';
import { IntakeLoad } from './runtime/intake-load.js';
import { OperatorController } from './operator/operator.controller.js';
import { CredentialsController } from './operator/credentials.controller.js';
import { CredentialAdminService } from './operator/credential-admin.service.js';
import { AuthFailureLimiter } from './auth/auth-failure-limiter.js';
import { DeadLetterService } from './operator/dead-letter.service.js';
import { ReplayJobsService } from './operator/replay-jobs.service.js';
import { InboundService } from './peer/inbound.service.js';
import { PartyBinding } from './peer/party-binding.service.js';
import { PeerController } from './peer/peer.controller.js';
import { ContractsController } from './contracts/contracts.controller.js';
import { GatewayMetrics } from './observability/gateway-metrics.js';
import { RouteSeries } from './observability/route-series.js';
import { HealthController } from './monitoring/health.controller.js';
import { MetricsController } from './monitoring/metrics.controller.js';
import { CONSOLE_CONTROLLERS, CONSOLE_PROVIDERS } from './console/console.providers.js';
import { PensionController } from './pension/pension.controller.js';
import { HolidayCalendar } from './calendar/holiday-calendar.js';
import { HolidaysController } from './operator/holidays.controller.js';
import { HolidayLoadService } from './operator/holiday-load.service.js';

/** What is opened before Nest starts (database, keys, trust) and handed to the module. */
export interface GatewayResources {
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly db: GatewayDatabase;
  readonly keys: FileKeyStore;
  readonly trust: TrustStore;
  readonly federation: Federation;
  /** The secret of the applicant index (HMAC of ID numbers). */
  readonly personalDataSecret: Uint8Array;
}

/** One province's gateway node: intake, peer, agency and operator faces. */
@Module({})
export class GatewayModule {
  static register(resources: GatewayResources): DynamicModule {
    return {
      module: GatewayModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [IntakeController, PeerController, OperatorController, CredentialsController, StatusIntakeController, AdapterHeartbeatController, HealthController, MetricsController, ContractsController, PensionController, HolidaysController, CheckpointController, CheckpointExportController, ...CONSOLE_CONTROLLERS],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: resources.config },
        { provide: NODE_CODE, useValue: resources.config.node },
        { provide: FederationHolder, useValue: new FederationHolder(resources.federation) },
        FederationReloadService,
        { provide: Clock, useValue: resources.clock },
        { provide: GatewayDatabase, useValue: resources.db },
        { provide: FileKeyStore, useValue: resources.keys },
        { provide: TrustStore, useValue: resources.trust },
        { provide: PERSONAL_DATA_SECRET, useValue: resources.personalDataSecret },
        ApplicantIndex,
        PersonalDataSealer,
        EnvelopeFactory,
        HandlingService,
        AgencyStatusIntake,
        AdapterHeartbeatService,
        CaseTimeline,
        CaseRecorder,
        ServiceHookRegistry,
        TransferService,
        StatusApplier,
        CaseClock,
        HolidayCalendar,
        HolidayLoadService,
        InboundService,
        PartyBinding,
        BatchInboundService,
        RelayService,
        DeliveryOutcomes,
        // What a delivery means, each registered with DeliveryOutcomes when it is created.
        SentReceipts,
        RequestForwarded,
        HandOverDelivered,
        StaleSuiteResigner,
        OutboxSignal,
        BacklogGauge,
        ShutdownState,
        TransportRegistry,
        IntakeService,
        IdempotencyService,
        IntakeLoad,
        CredentialsService,
        PrincipalGuard,
        RateLimiter,
        AuthFailureLimiter,
        CredentialAdminService,
        MessageLogService,
        MessageLogChainer,
        CheckpointSender,
        CheckpointCountersigner,
        DeadLetterService,
        ReplayJobsService,
        KeyRotationService,
        ConversationListService,
        GatewayMetrics,
        RouteSeries,
        ...CONSOLE_PROVIDERS,
      ],
    };
  }
}
