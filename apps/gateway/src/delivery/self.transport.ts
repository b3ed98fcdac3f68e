import { isGatewayError } from '#core';
import { DeliveryFailure, type DeliveryOutcome, type DestinationTransport } from '#delivery';
import type { OutboxRecord } from '#persistence';
import { checkReceipt, type ReceiptCheck } from './peer.transport.js';

/**
 * Where an envelope addressed to this node is taken in: the peer face's inbound checks, which
 * peer/ registers with the TransportRegistry, so that delivery/ imports nothing of peer/.
 */
export interface LocalInbound {
  receive(compact: string): Promise<{ readonly receipt: string }>;
}

/**
 * Delivers an envelope addressed to this node through the same inbound checks and receipt as a
 * peer's (a case accepted and handled in one province takes the same path, without the hop).
 */
export class SelfTransport implements DestinationTransport {
  constructor(
    private readonly inbound: LocalInbound,
    private readonly check: ReceiptCheck,
  ) {}

  async send(message: OutboxRecord): Promise<DeliveryOutcome> {
    let receipt: string;
    try {
      receipt = (await this.inbound.receive(message.payload)).receipt;
    } catch (error) {
      if (isGatewayError(error) && error.status < 500) {
        throw DeliveryFailure.of(error.code, error.detail ?? error.message, error);
      }
      throw DeliveryFailure.of('SELF_DELIVERY_FAILED', 'local inbound failed', error);
    }
    return checkReceipt(receipt, message, this.check.self, this.check);
  }
}
