import { Injectable } from '@nestjs/common';
import type { DeliveryOutcome } from '#delivery';
import type { GatewayStores, OutboxRecord } from '#persistence';
import { parseDestination, type Destination, type DestinationKind } from '../cases/destinations.js';

/** One message the relay has just delivered, its destination parsed. */
export interface Delivered<K extends DestinationKind = DestinationKind> {
  readonly message: OutboxRecord;
  readonly destination: Extract<Destination, { kind: K }>;
  readonly outcome: DeliveryOutcome;
}

/** What a delivery means, run in the transaction that marks the message delivered. */
export type AfterDelivered<K extends DestinationKind> = (tx: GatewayStores, delivered: Delivered<K>) => Promise<void>;

interface Registration<K extends DestinationKind> {
  readonly messageTypes: ((messageType: string) => boolean) | undefined;
  readonly handle: AfterDelivered<K>;
}

/**
 * What happens after a delivery, by destination kind and message type. The relay only reports
 * that a message was delivered; the floors above register what that means (intake: a request
 * that left moves its case to `forwarded`; peer: the receipt is kept; agency: the hand-over is
 * recorded), so delivery/ never decides anything about a case.
 */
@Injectable()
export class DeliveryOutcomes {
  private readonly registrations: { readonly [K in DestinationKind]: Registration<K>[] } = { peer: [], self: [], agency: [] };

  /**
   * Runs `handle` after every delivery to a destination of `kind` (of a message type
   * `messageTypes` accepts, when given), in the order handlers were registered.
   */
  on<K extends DestinationKind>(kind: K, handle: AfterDelivered<K>, messageTypes?: (messageType: string) => boolean): void {
    this.registrations[kind].push({ messageTypes, handle });
  }

  /** The relay's after-delivery hook. A destination no transport could reach is never delivered, so it always parses. */
  async delivered(tx: GatewayStores, message: OutboxRecord, outcome: DeliveryOutcome): Promise<void> {
    const destination = parseDestination(message.destination);
    switch (destination?.kind) {
      case 'peer':
        return this.run(tx, 'peer', { message, destination, outcome });
      case 'self':
        return this.run(tx, 'self', { message, destination, outcome });
      case 'agency':
        return this.run(tx, 'agency', { message, destination, outcome });
      case undefined:
        return;
    }
  }

  private async run<K extends DestinationKind>(tx: GatewayStores, kind: K, delivered: Delivered<K>): Promise<void> {
    for (const r of this.registrations[kind]) {
      if (r.messageTypes?.(delivered.message.messageType) ?? true) await r.handle(tx, delivered);
    }
  }
}
