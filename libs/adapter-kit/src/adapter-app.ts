import { Controller, Inject, Injectable, Module, type DynamicModule, type INestMicroservice, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, Ctx, MessagePattern, Payload, type ClientProxy, type MicroserviceOptions } from '@nestjs/microservices';
import { acknowledge, agencyLinkQueues, linkClientOptions, linkServerOptions } from '#delivery';
import { AGENCY_DELIVER, type AgencyDeliveryAck } from '#contracts';
import { AGENCY_CLIENT, type AgencyClient } from './agency-client.js';
import { CursorFile } from './cursor-file.js';
import { handleDelivery } from './delivery-handler.js';
import { StatusPump } from './status-pump.js';
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
  readonly logs?: boolean;
  /** RabbitMQ instead of TCP (production mode): the adapter is then a competing consumer. */
  readonly amqp?: { readonly url: string; readonly queuePrefix: string } | null;
  /** The province's agency-link secret, shared with its gateway. */
  readonly linkSecret: string;
}

const GATEWAY_LINK = Symbol('GATEWAY_LINK');
const LINK_SECRET = Symbol('LINK_SECRET');

@Controller()
class AgencyLinkController {
  constructor(
    @Inject(AGENCY_CLIENT) private readonly client: AgencyClient,
    @Inject(LINK_SECRET) private readonly linkSecret: string,
  ) {}

  @MessagePattern(AGENCY_DELIVER)
  async deliver(@Payload() payload: unknown, @Ctx() context: unknown): Promise<AgencyDeliveryAck> {
    try {
      return await handleDelivery(payload, this.client, this.linkSecret);
    } finally {
      acknowledge(context);
    }
  }
}


/** Starts the status pump with the adapter and stops it (and its gateway link) on shutdown. */
@Injectable()
class PumpLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(StatusPump) private readonly pump: StatusPump,
    @Inject(GATEWAY_LINK) private readonly gateway: ClientProxy,
  ) {}

  onApplicationBootstrap(): void {
    this.pump.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pump.stop();
    await this.gateway.close();
  }
}


@Module({})
class AdapterModule {
  static register(client: AgencyClient, pump: StatusPump, gateway: ClientProxy, linkSecret: string): DynamicModule {
    return {
      module: AdapterModule,
      controllers: [AgencyLinkController],
      providers: [
        { provide: AGENCY_CLIENT, useValue: client },
        { provide: StatusPump, useValue: pump },
        { provide: GATEWAY_LINK, useValue: gateway },
        { provide: LINK_SECRET, useValue: linkSecret },
        PumpLifecycle,
      ],
    };
  }
}

/**
 * Builds an agency adapter: a microservice that takes deliveries from its gateway (TCP) and a
 * status pump that reports the agency's events back. Each province's adapter is this plus its
 * own AgencyClient (the mapping to its agency's format). The caller listens.
 */
export async function createAdapterApp(client: AgencyClient, options: AdapterOptions): Promise<{ app: INestMicroservice; pump: StatusPump }> {
  const node = client.agency.slice(0, 2);
  const queues = options.amqp ? agencyLinkQueues(options.amqp.queuePrefix, node) : null;
  const gateway: ClientProxy = ClientProxyFactory.create(
    linkClientOptions(
      options.amqp && queues
        ? { kind: 'rmq', url: options.amqp.url, queue: queues.status }
        : { kind: 'tcp', host: options.gatewayStatus.host, port: options.gatewayStatus.port },
    ),
  );
  const pump = new StatusPump(client, gateway, new CursorFile(join(options.stateDir, `${client.agency}.cursor.json`)), {
    pollMs: options.pollMs,
    batch: 100,
    ackTimeoutMs: 5000,
    linkSecret: options.linkSecret,
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    AdapterModule.register(client, pump, gateway, options.linkSecret),
    {
      ...linkServerOptions(
        options.amqp && queues ? { kind: 'rmq', url: options.amqp.url, queue: queues.deliver } : { kind: 'tcp', host: '127.0.0.1', port: options.port },
      ),
      logger: options.logs === false ? false : ['log', 'error', 'warn'],
    },
  );
  return { app, pump };
}
