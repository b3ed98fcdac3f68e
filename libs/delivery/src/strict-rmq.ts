import { Logger } from '@nestjs/common';
import { ClientRMQ, RmqContext, ServerRMQ, type OutgoingResponse } from '@nestjs/microservices';
import { packetId, readLinkFrame } from './link-json.js';

interface RmqMessage {
  readonly content: Buffer;
  readonly properties: { readonly replyTo?: unknown; readonly correlationId?: string };
}

/**
 * Nest's RabbitMQ server with the agency link's strict JSON (link-json.ts): a message that names
 * a member twice is acknowledged to the broker (redelivering it cannot make it readable) and
 * answered CONTRACT_INVALID under its id, as a handler's refusal would be; it never reaches a
 * handler. Everything else is Nest's own handling.
 */
export class StrictServerRMQ extends ServerRMQ {
  override async handleMessage(message: Record<string, unknown>, channel: unknown): Promise<void> {
    const rmq = message as unknown as RmqMessage | null;
    const frame = rmq?.content instanceof Buffer ? readLinkFrame(rmq.content.toString()) : undefined;
    if (rmq === null || frame === undefined || frame.ok) return super.handleMessage(message, channel);
    if (!this.noAck) (this.channel as { ack(message: unknown): void }).ack(message);
    const id = packetId(frame.packet);
    const { replyTo, correlationId } = rmq.properties;
    if (id === undefined || replyTo === undefined || correlationId === undefined) return;
    // As Nest answers on RabbitMQ: matched by the correlation id, no id in the body.
    const context = new RmqContext([message, channel, '']);
    this.sendMessage({ err: frame.error, status: 'error', isDisposed: true }, replyTo, correlationId, context);
  }

  /**
   * Publishes a reply as Nest does (the serialised packet, matched by the correlation id), but
   * handles the publish's outcome: Nest leaves the promise alone, and amqp-connection-manager
   * rejects every unconfirmed publish with "Channel closed" when the server closes, which ended
   * the process as an unhandled rejection. A reply lost so is harmless: the sender gets no answer,
   * asks again, and its handler is idempotent.
   */
  override sendMessage<T>(message: T, replyTo: unknown, correlationId: string, _context: RmqContext): void {
    const channel = this.channel as ReplyChannel | null;
    if (channel === null) {
      replyLogger.warn({ msg: 'reply dropped: the link channel is closed; the sender will ask again' });
      return;
    }
    const { options, ...body } = this.serializer.serialize(message as OutgoingResponse) as { options?: Record<string, unknown> } & Record<string, unknown>;
    channel.sendToQueue(String(replyTo), Buffer.from(JSON.stringify(body)), { correlationId, ...options }).catch((error: unknown) => {
      replyLogger.warn({ msg: 'reply not published; the sender will ask again', error: error instanceof Error ? error.message : String(error) });
    });
  }
}

const replyLogger = new Logger('AgencyLinkServer');

/** What a reply needs of amqp-connection-manager's channel wrapper (its types do not resolve here). */
interface ReplyChannel {
  sendToQueue(queue: string, content: Buffer, options: Record<string, unknown>): Promise<unknown>;
}

/**
 * Nest's RabbitMQ client with the agency link's strict JSON: an answer that names a member twice
 * reaches the caller as CONTRACT_INVALID, not as whichever of the two the last one says.
 */
export class StrictClientRMQ extends ClientRMQ {
  protected override parseMessageContent(content: Buffer): unknown {
    const frame = readLinkFrame(content.toString());
    if (frame === undefined) return super.parseMessageContent(content); // not JSON: Nest's own handling
    if (frame.ok) return frame.packet;
    return { id: packetId(frame.packet), err: frame.error, status: 'error', isDisposed: true };
  }
}
