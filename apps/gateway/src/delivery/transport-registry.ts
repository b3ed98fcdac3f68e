import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { Clock } from '#core';
import { agencyLinkQueues, createLinkClient, type DestinationTransport } from '#delivery';

import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { nodeUrl, TrustStore } from '#signing';
import { FederationHolder } from '../trust/federation-holder.js';
import { AgencyTransport } from './agency.transport.js';
import { PeerTransport, type ReceiptCheck } from './peer.transport.js';
import { SelfTransport, type LocalInbound } from './self.transport.js';
import { parseDestination, type Destination } from '../cases/destinations.js';

/** Maps an outbox destination (`peer:CQ`, `self`, `agency:SC.card`) to the transport that reaches it. */
@Injectable()
export class TransportRegistry implements OnApplicationShutdown {
  private readonly cache = new Map<string, DestinationTransport>();
  private readonly clients: ClientProxy[] = [];
  private readonly check: ReceiptCheck;
  private local: LocalInbound | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly federation: FederationHolder,
    trust: TrustStore,
    clock: Clock,
  ) {
    this.check = { trust, self: config.node, clock, maxSkewSeconds: config.maxClockSkewSeconds };
    federation.onChange(() => this.forgetPeers());
  }

  /** The peer face registers its inbound checks here: `self` is delivered through them. */
  registerSelf(inbound: LocalInbound): void {
    this.local = inbound;
  }

  forDestination(destination: string): DestinationTransport | undefined {
    const cached = this.cache.get(destination);
    if (cached) return cached;
    const parsed = parseDestination(destination);
    const created = parsed && this.create(parsed);
    if (created) this.cache.set(destination, created);
    return created;
  }

  /**
   * Forgets the transports to peer nodes, so that the next message to each is sent to the URL of
   * the federation now in force (after an operator reloaded it).
   */
  forgetPeers(): void {
    for (const destination of [...this.cache.keys()]) if (parseDestination(destination)?.kind === 'peer') this.cache.delete(destination);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.clients.map(async (c): Promise<void> => {
      await c.close();
    }));
  }

  private create(destination: Destination): DestinationTransport | undefined {
    if (destination.kind === 'self') {
      return this.local ? new SelfTransport(this.local, this.check) : undefined;
    }
    if (destination.kind === 'peer' && destination.node !== this.config.node) {
      const url = nodeUrl(this.federation.current, destination.node);
      return url ? new PeerTransport(destination.node, url, this.config.peerTimeoutMs, this.check) : undefined;
    }
    if (destination.kind === 'agency' && destination.agency.startsWith(`${this.config.node}.`)) {
      // One adapter per province serves all of its agencies.
      const { amqp, adapter, node } = this.config;
      const client = createLinkClient(
        amqp
          ? { kind: 'rmq', url: amqp.url, queue: agencyLinkQueues(amqp.queuePrefix, node).deliver }
          : { kind: 'tcp', host: adapter.host, port: adapter.port },
      );
      this.clients.push(client);
      return new AgencyTransport(client, this.config.agencyTimeoutMs);
    }
    return undefined;
  }
}
