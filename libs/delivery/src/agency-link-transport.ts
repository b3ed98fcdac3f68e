import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Type } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy, type MicroserviceOptions } from '@nestjs/microservices';
import { StrictJsonSocket } from './strict-json-socket.js';
import { StrictClientRMQ, StrictServerRMQ } from './strict-rmq.js';

/**
 * How a gateway and its agency adapters reach each other: TCP on the embedded default, RabbitMQ
 * in production mode (AMQP_URL). On RabbitMQ both directions use durable quorum queues,
 * persistent messages and manual acknowledgement (the Nest defaults are the opposite: see
 * docs/development.md); adapters are competing consumers of one queue per province.
 */
export type AgencyLinkTransport =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'rmq'; readonly url: string; readonly queue: string };

export interface AgencyLinkQueues {
  /** gateway → adapters: forwarded requests. */
  readonly deliver: string;
  /** adapters → gateway: status reports. */
  readonly status: string;
}

/** Queue names of one province, e.g. `cytb.SC.agency.deliver`. */
export function agencyLinkQueues(prefix: string, node: string): AgencyLinkQueues {
  return { deliver: `${prefix}.${node}.agency.deliver`, status: `${prefix}.${node}.agency.status` };
}

/**
 * Quorum queues survive a broker restart and replicate; `x-delivery-limit` stops a message that
 * keeps crashing its consumer from looping for ever (the sender's outbox still holds it and
 * retries per its own policy, so nothing is lost).
 */
const QUORUM = { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 20 } };

/**
 * A ClientProxy that sends on the link. Both transports read answers with the link's strict JSON
 * (link-json.ts: a member named twice is CONTRACT_INVALID, never last-wins).
 *
 * @example const gateway = createLinkClient({ kind: 'tcp', host: '127.0.0.1', port: 7102 });
 */
export function createLinkClient(link: AgencyLinkTransport): ClientProxy {
  if (link.kind === 'tcp') {
    return ClientProxyFactory.create({ transport: Transport.TCP, options: { host: link.host, port: link.port, socketClass: StrictJsonSocket } });
  }
  // Nest types `customClass` as a ClientProxy over any status string, which no concrete client
  // (typed on its own status union) satisfies; the factory only does `new customClass(options)`.
  const customClass = StrictClientRMQ as unknown as Type<ClientProxy>;
  return ClientProxyFactory.create({ customClass, options: { urls: [link.url], queue: link.queue, queueOptions: QUORUM, persistent: true } });
}

/**
 * Options for the microservice that consumes from the link, reading requests with the link's
 * strict JSON (link-json.ts).
 */
export function linkServerOptions(link: AgencyLinkTransport, prefetch = 32): MicroserviceOptions {
  if (link.kind === 'tcp') return { transport: Transport.TCP, options: { host: link.host, port: link.port, socketClass: StrictJsonSocket } };
  return {
    strategy: new StrictServerRMQ({
      urls: [link.url],
      queue: link.queue,
      queueOptions: QUORUM,
      noAck: false,
      prefetchCount: prefetch,
      persistent: true,
    }),
  };
}

interface MaybeRmqContext {
  getChannelRef?: () => { ack(message: unknown): void };
  getMessage?: () => unknown;
}

/**
 * Acknowledges a RabbitMQ message once its handler has answered (success or a reported error:
 * either way the sender knows, and its outbox decides). A consumer that dies before this line
 * leaves the message unacknowledged, and RabbitMQ gives it to another consumer. No-op on TCP.
 */
export function acknowledge(context: unknown): void {
  const rmq = context as MaybeRmqContext | undefined;
  if (rmq && typeof rmq.getChannelRef === 'function' && typeof rmq.getMessage === 'function') {
    rmq.getChannelRef().ack(rmq.getMessage());
  }
}

/**
 * The hash of the province's crypto suite (libs/signing crypto-suite.ts: `sha256` under `intl`,
 * `sm3` under `gm`), written structurally so that the link does not depend on the signing library.
 */
export interface LinkProofSuite {
  readonly hash: 'sha256' | 'sm3';
}

/** The province's link secret with the suite of its proofs: what both ends of the link hold. */
export interface AgencyLinkKey {
  readonly secret: string;
  readonly suite: LinkProofSuite;
}

/**
 * Proof that a message on the agency link comes from the province's own gateway or adapter:
 * the suite's HMAC (HMAC-SHA-256 under `intl`, HMAC-SM3 under `gm`) of the message's id under the
 * province's link secret. The secret never travels, and a proof cannot be moved to another
 * message. The gateway and its adapters must be on one suite (CRYPTO_SUITE on both).
 *
 * @example linkProof('s3cret', 'SC.card:1042', GM_SUITE)
 */
export function linkProof(secret: string, id: string, suite: LinkProofSuite): string {
  return createHmac(suite.hash, secret).update(`cytb-agency-link:${id}`).digest('base64url');
}

/**
 * Whether `proof` is `linkProof(secret, id, suite)`, compared in constant time.
 *
 * @example if (!checkLinkProof(secret, delivery.messageId, delivery.proof, suite)) refuse();
 */
export function checkLinkProof(secret: string, id: string, proof: unknown, suite: LinkProofSuite): boolean {
  if (typeof proof !== 'string') return false;
  const expected = Buffer.from(linkProof(secret, id, suite));
  const actual = Buffer.from(proof);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
