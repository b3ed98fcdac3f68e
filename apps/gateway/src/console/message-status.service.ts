import { Injectable } from '@nestjs/common';
import { GatewayError } from '#core';
import { GatewayDatabase } from '#persistence';
import type { MessageView } from '../operator/dead-letter.service.js';

/** One outbox message's state, for following a replay until it is delivered (or dead again). */
@Injectable()
export class MessageStatusService {
  constructor(private readonly db: GatewayDatabase) {}

  async get(messageId: string): Promise<MessageView> {
    const found = await this.db.read((s) => s.outbox.get(messageId));
    if (!found) throw new GatewayError('NOT_FOUND', { detail: 'no message with this id on this node' });
    // As in the message list: the size of the signed payload, never its content (personal data).
    const { payload, ...rest } = found;
    return { ...rest, payloadBytes: Buffer.byteLength(payload) };
  }
}
