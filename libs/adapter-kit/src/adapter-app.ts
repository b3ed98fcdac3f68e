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
import { handleDelivery } from './delivery-handler.js';
import { handleDeliveryBatch } from './delivery-batch-handler.js';
import { StatusPump } from './status-pump.js';
import { SealedDataOpener } from './sealed-data-opener.js';
import type { Clock } from '#core';
import type { LogLevel } from '@nestjs/common';
import { DEFAULT_ADAPTER_ACK_TIMEOUT_MS, type AdapterLogLevel } from './adapter.config.js';
import { join } from 'node:path';

export interface AdapterOptions {
  /** TCP port the adapter listens on for deliveries from its gateway. */
  readonly port: number;
  /** The gateway's agency-link listener, where status reports go. */
  readonly gatewayStatus: { readonly host: string; readonly port: number };
  /** Folder of the adapter's own state (the feed cursor). */
  readonly stateDir: string;
  /** How often the feed is polled; 0 = only when pumpOnce() is called (tests). */
  readonly pollMs: number;
  /** How long a status pump waits for the gateway's answer (ADAPTER_ACK_TIMEOUT_MS; DEFAULT_ADAPTER_ACK_TIMEOUT_MS when absent). */
  readonly ackTimeoutMs?: number;
  readonly logs?: boolean;
  /** With logs on: `info` (the default) logs every hand-over, `warn` only what went wrong. */
  readonly logLevel?: AdapterLogLevel;
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
}

const NEST_LOG_LEVELS: Readonly<Record<AdapterLogLevel, LogLevel[]>> = {
  debug: ['debug', 'log', 'warn', 'error'],
  info: ['log', 'warn', 'error'],
  warn: ['warn', 'error'],
  error: ['error'],
};

const GATEWAY_LINK = Symbol('GATEWAY_LINK');
const LINK_KEY = Symbol('LINK_KEY');
const OPENER = Symbol('SEALED_DATA_OPENER');

@Controller()
class AgencyLinkController {
  constructor(
    @Inject(AGENCY_CLIENTS) private readonly clients: ReadonlyMap<string, AgencyClient>,
    @Inject(LINK_KEY) private readonly link: AgencyLinkKey,
    @Inject(OPENER) private readonly opener: SealedDataOpener,
  ) {}

  @MessagePattern(AGENCY_DELIVER)
  async deliver(@Payload() payload: unknown, @Ctx() context: unknown): Promise<AgencyDeliveryAck> {
    try {
      return await handleDelivery(payload, this.clients, this.link, this.opener);
    } finally {
      acknowledge(context);
    }
  }

  /** Many deliveries in one message; on RabbitMQ it is acknowledged only once every item was handled. */
  @MessagePattern(AGENCY_DELIVER_BATCH)
  async deliverBatch(@Payload() payload: unknown, @Ctx() context: unknown): Promise<AgencyDeliveryBatchAck> {
    try {
      return await handleDeliveryBatch(payload, this.clients, this.link, this.opener);
    } finally {
      acknowledge(context);
    }
  }
}

const PUMPS = Symbol('PUMPS');

/** Starts the status pumps (one per agency) with the adapter and stops them (and the gateway link) on shutdown. */
@Injectable()
class PumpLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(PUMPS) private readonly pumps: readonly StatusPump[],
    @Inject(GATEWAY_LINK) private readonly gateway: ClientProxy,
  ) {}

  onApplicationBootstrap(): void {
    for (const pump of this.pumps) pump.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.pumps.map((pump) => pump.stop()));
    await this.gateway.close();
  }
}

@Module({})
class AdapterModule {
  static register(
    clients: ReadonlyMap<string, AgencyClient>,
    pumps: readonly StatusPump[],
    gateway: ClientProxy,
    link: AgencyLinkKey,
    opener: SealedDataOpener,
  ): DynamicModule {
    return {
      module: AdapterModule,
      controllers: [AgencyLinkController],
      providers: [
        { provide: AGENCY_CLIENTS, useValue: clients },
        { provide: PUMPS, useValue: pumps },
        { provide: GATEWAY_LINK, useValue: gateway },
        { provide: LINK_KEY, useValue: link },
        { provide: OPENER, useValue: opener },
        PumpLifecycle,
      ],
    };
  }
}

/** An adapter as built: the microservice (the caller listens) and one status pump per agency. */
export interface AdapterHandle {
  readonly app: INestMicroservice;
  readonly pumps: readonly StatusPump[];
  /** Reports every event available now from every agency's feed; returns how many were acknowledged. */
  pumpOnce(): Promise<number>;
}

/**
 * Builds an agency adapter: a microservice that takes deliveries from its gateway (TCP or
 * RabbitMQ) and hands each to the client of the agency it names, and one status pump per agency
 * (each with its own cursor file, `<stateDir>/<agency>.cursor.json`) that reports that agency's
 * events back. Each province's adapter is this plus its own AgencyClients (the mapping to each
 * agency system's format). All clients must belong to one province. The caller listens.
 *
 * @example const { app } = await createAdapterApp([cardClient, medicalClient, pensionClient], options); await app.listen();
 */
export async function createAdapterApp(clients: readonly AgencyClient[], options: AdapterOptions): Promise<AdapterHandle> {
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
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AdapterModule.register(byAgency, pumps, gateway, link, opener), {
    ...linkServerOptions(
      options.amqp && queues ? { kind: 'rmq', url: options.amqp.url, queue: queues.deliver } : { kind: 'tcp', host: '127.0.0.1', port: options.port },
    ),
    logger: options.logs === false ? false : NEST_LOG_LEVELS[options.logLevel ?? 'info'],
  });
  return {
    app,
    pumps,
    pumpOnce: async () => (await Promise.all(pumps.map((pump) => pump.pumpOnce()))).reduce((a, b) => a + b, 0),
  };
}
