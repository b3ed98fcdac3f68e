import { Injectable } from '@nestjs/common';
import type { GatewayStores } from '#persistence';
import { DeliveryOutcomes, type Delivered } from '../delivery/delivery-outcomes.js';
import { MessageLogService } from '../message-log/message-log.service.js';

/**
 * Every envelope a peer received is kept with the peer's signed receipt in the message log, so
 * either side can prove what the other received.
 */
@Injectable()
export class SentReceipts {
  constructor(
    outcomes: DeliveryOutcomes,
    private readonly messageLog: MessageLogService,
  ) {
    outcomes.on('peer', (tx, delivered) => this.keep(tx, delivered));
  }

  private async keep(tx: GatewayStores, { message, destination, outcome }: Delivered<'peer'>): Promise<void> {
    if (!outcome.proof) return;
    const peer = destination.node;
    await this.messageLog.append(tx, [
      { direction: 'sent', kind: 'envelope', messageId: message.messageId, peer, content: message.payload },
      { direction: 'received', kind: 'receipt', messageId: message.messageId, peer, content: outcome.proof },
    ]);
  }
}
