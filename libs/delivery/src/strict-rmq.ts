import { ClientRMQ, RmqContext, ServerRMQ } from '@nestjs/microservices';
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
