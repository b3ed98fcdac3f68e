import {
  Controller,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type INestMicroservice,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload, type ClientProxy, type MicroserviceOptions } from '@nestjs/microservices';
import { acknowledge, agencyLinkQueues, createLinkClient, linkServerOptions, type AgencyLinkKey } from '#delivery';
import { suiteNamed, type SuiteName } from '#signing';
import { AGENCY_DELIVER, AGENCY_DELIVER_BATCH, type AgencyDeliveryAck, type AgencyDeliveryBatchAck } from '#contracts';
import { AGENCY_CLIENTS, type AgencyClient } from './agency-client.js';
import { CursorFile } from './cursor-file.js';
import { handleDelivery, type DeliveryContext, type LookUpPolicy } from './delivery-handler.js';
import { DEFAULT_HANDOVER_RETENTION_MS, HandOverJournal } from './hand-over-journal.js';
import { handleDeliveryBatch } from './delivery-batch-handler.js';
import { StatusPump } from './status-pump.js';
import { SealedDataOpener } from './sealed-data-opener.js';
import { SystemClock, type Clock } from '#core';
import { PinoNestLogger, type LogDestination } from '#logging';
import { AgencyReachabilityLog, DEFAULT_ADAPTER_HEARTBEAT_MS, HeartbeatSender, watchAgency } from './heartbeat.js';
import { DEFAULT_ADAPTER_ACK_TIMEOUT_MS, type AdapterLogLevel } from './adapter.config.js';
import { join } from 'node:path';

export interface AdapterOptions {
  /** TCP port the adapter listens on for deliveries from its gateway. */
  readonly port: number;
  /** The gateway's agency-link listener, where status reports go. */
  readonly gatewayStatus: { readonly host: string; readonly port: number };
  /** Folder of the adapter's own state (the feed cursors, the hand-over journal). */
  readonly stateDir: string;
  /** Which new cases are looked up at the agency before they are handed over (ADAPTER_LOOK_UP_BEFORE_CREATE; `in-doubt` when absent). */
  readonly lookUpBeforeCreate?: LookUpPolicy;
  /** How long the hand-over journal keeps an outcome (ADAPTER_HANDOVER_RETENTION_HOURS; 7 days when absent). */
  readonly handOverRetentionMs?: number;
  /** How often the feed is polled; 0 = only when pumpOnce() is called (tests). */
  readonly pollMs: number;
  /** How long a status pump waits for the gateway's answer (ADAPTER_ACK_TIMEOUT_MS; DEFAULT_ADAPTER_ACK_TIMEOUT_MS when absent). */
  readonly ackTimeoutMs?: number;
  /** JSON logs (one object per line, the project's one logger); false: none. */
  readonly logs?: boolean;
  /** With logs on: `info` (the default) logs every hand-over, `warn` only what went wrong. */
  readonly logLevel?: AdapterLogLevel;
  /** Where the JSON lines go: standard output when absent, a file, or a stream (tests). */
  readonly logDestination?: LogDestination;
  /** RabbitMQ instead of TCP (production mode): the adapter is then a competing consumer. */
  readonly amqp?: { readonly url: string; readonly queuePrefix: string } | null;
  /** The province's agency-link secret, shared with its gateway. */
  readonly linkSecret: string;
  /**
   * The crypto suite (CRYPTO_SUITE), the gateway's too: the HMAC of the link proofs (HMAC-SHA-256
   * or HMAC-SM3) and the kind of the agencies' sealing keys (X25519 or SM2). `intl` when absent.
   */
  readonly cryptoSuite?: SuiteName;
  /** Folder of the agencies' decryption keys (`<dir>/<agency>`), for the personal data sealed for them. */
  readonly agencyKeyDir: string;
  /** Tests pass a ManualClock (key ages); otherwise the system clock. */
  readonly clock?: Clock;
  /** How often the adapter tells its gateway it is alive (heartbeat.ts); DEFAULT_ADAPTER_HEARTBEAT_MS when absent. */
  readonly heartbeatMs?: number;
}

const GATEWAY_LINK = Symbol('GATEWAY_LINK');
const DELIVERY_CONTEXT = Symbol('DELIVERY_CONTEXT');

@Controller()
class AgencyLinkController {
  constructor(@Inject(DELIVERY_CONTEXT) private readonly context: DeliveryContext) {}

  @MessagePattern(AGENCY_DELIVER)
  async deliver(@Payload() payload: unknown, @Ctx() context: unknown): Promise<AgencyDeliveryAck> {
    try {
      return await handleDelivery(payload, this.context);
    } finally {
      acknowledge(context);
    }
  }

  /** Many deliveries in one message; on RabbitMQ it is acknowledged only once every item was handled. */
  @MessagePattern(AGENCY_DELIVER_BATCH)
  async deliverBatch(@Payload() payload: unknown, @Ctx() context: unknown): Promise<AgencyDeliveryBatchAck> {
    try {
      return await handleDeliveryBatch(payload, this.context);
    } finally {
      acknowledge(context);
    }
  }
}

const PUMPS = Symbol('PUMPS');

/** Starts the status pumps (one per agency) and the heartbeat with the adapter and stops them (and the gateway link, and the hand-over journal) on shutdown. */
@Injectable()
class PumpLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(PUMPS) private readonly pumps: readonly { start(): void; stop(): Promise<void> }[],
    @Inject(GATEWAY_LINK) private readonly gateway: ClientProxy,
    @Inject(DELIVERY_CONTEXT) private readonly context: DeliveryContext,
  ) {}

  onApplicationBootstrap(): void {
    for (const pump of this.pumps) pump.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.pumps.map((pump) => pump.stop()));
    await this.gateway.close();
    this.context.journal.close();
  }
}

@Module({})
class AdapterModule {
  static register(context: DeliveryContext, pumps: readonly { start(): void; stop(): Promise<void> }[], gateway: ClientProxy): DynamicModule {
    return {
      module: AdapterModule,
      controllers: [AgencyLinkController],
      providers: [
        { provide: AGENCY_CLIENTS, useValue: context.clients },
        { provide: PUMPS, useValue: pumps },
        { provide: GATEWAY_LINK, useValue: gateway },
        { provide: DELIVERY_CONTEXT, useValue: context },
        PumpLifecycle,
      ],
    };
  }
}

/** An adapter as built: the microservice (the caller listens) and one status pump per agency. */
export interface AdapterHandle {
  readonly app: INestMicroservice;
  readonly pumps: readonly StatusPump[];
  /** Tells the gateway this instance is alive and what it last heard from each agency. */
  readonly heartbeat: HeartbeatSender;
  /** Reports every event available now from every agency's feed; returns how many were acknowledged. */
  pumpOnce(): Promise<number>;
}

/**
 * Builds an agency adapter: a microservice that takes deliveries from its gateway (TCP or
 * RabbitMQ) and hands each to the client of the agency it names, recording each hand-over in
 * its journal (`<stateDir>/hand-overs.journal`), and one status pump per agency
 * (each with its own cursor file, `<stateDir>/<agency>.cursor.json`) that reports that agency's
 * events back. Each province's adapter is this plus its own AgencyClients (the mapping to each
 * agency system's format). All clients must belong to one province. The caller listens.
 *
 * @example const { app } = await createAdapterApp([cardClient, medicalClient, pensionClient], options); await app.listen();
 */
export async function createAdapterApp(agencyClients: readonly AgencyClient[], options: AdapterOptions): Promise<AdapterHandle> {
  // Every agency call is watched, so the heartbeat can say whether each agency answers.
  const reachability = new AgencyReachabilityLog(agencyClients.map((c) => c.agency), options.clock ?? new SystemClock());
  const clients = agencyClients.map((client) => watchAgency(client, reachability));
  const nodes = new Set(clients.map((c) => c.agency.slice(0, 2)));
  const byAgency = new Map(clients.map((c) => [c.agency as string, c]));
  const node = [...nodes][0];
  if (nodes.size !== 1 || node === undefined || byAgency.size !== clients.length) {
    throw new Error('an adapter serves one province, with one client per agency');
  }
  const suite = suiteNamed(options.cryptoSuite ?? 'intl');
  if (suite === undefined) throw new Error('an adapter\'s crypto suite is intl or gm');
  const link: AgencyLinkKey = { secret: options.linkSecret, suite };
  // Each agency's decryption key of the suite (created on first start): the federation publishes its public half.
  const opener = await SealedDataOpener.open(options.agencyKeyDir, [...byAgency.keys()], options.clock, suite.name);
  const queues = options.amqp ? agencyLinkQueues(options.amqp.queuePrefix, node) : null;
  const gateway: ClientProxy = createLinkClient(
    options.amqp && queues
      ? { kind: 'rmq', url: options.amqp.url, queue: queues.status }
      : { kind: 'tcp', host: options.gatewayStatus.host, port: options.gatewayStatus.port },
  );
  const pumps = clients.map(
    (client) =>
      new StatusPump(client, gateway, new CursorFile(join(options.stateDir, `${client.agency}.cursor.json`)), {
        pollMs: options.pollMs,
        batch: 100,
        ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ADAPTER_ACK_TIMEOUT_MS,
        link,
        clock: options.clock,
      }),
  );
  // Every hand-over is recorded here before the agency is called (hand-over-journal.ts).
  const journal = HandOverJournal.open(join(options.stateDir, 'hand-overs.journal'), {
    ...(options.clock ? { clock: options.clock } : {}),
    retentionMs: options.handOverRetentionMs ?? DEFAULT_HANDOVER_RETENTION_MS,
  });
  const context: DeliveryContext = { clients: byAgency, link, opener, journal, lookUp: options.lookUpBeforeCreate ?? 'in-doubt' };
  const heartbeat = new HeartbeatSender(gateway, reachability, {
    everyMs: options.heartbeatMs ?? DEFAULT_ADAPTER_HEARTBEAT_MS,
    ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ADAPTER_ACK_TIMEOUT_MS,
    link,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AdapterModule.register(context, [...pumps, heartbeat], gateway), {
    ...linkServerOptions(
      options.amqp && queues ? { kind: 'rmq', url: options.amqp.url, queue: queues.deliver } : { kind: 'tcp', host: '127.0.0.1', port: options.port },
    ),
    // The same JSON logger as the gateway's: each line about a case names its caseNumber and messageId.
    logger: options.logs === false ? false : new PinoNestLogger({ app: 'adapter', node }, options.logLevel ?? 'info', options.logDestination),
  });
  return {
    app,
    pumps,
    heartbeat,
    pumpOnce: async () => (await Promise.all(pumps.map((pump) => pump.pumpOnce()))).reduce((a, b) => a + b, 0),
  };
}
