import { Injectable } from '@nestjs/common';
import type { AgencyDeliveryAck } from '#contracts';
import type { GatewayStores } from '#persistence';
import { HandlingService } from '../cases/handling.service.js';
import { DeliveryOutcomes, type Delivered } from '../delivery/delivery-outcomes.js';
import { OutboxSignal } from '../runtime/outbox-signal.js';

/**
 * What a delivery to an agency adapter means: for a new case, the agency has it (the hand-over is
 * recorded with the agency's reference, HandlingService.recordAgencyDelivered); then the relay is
 * woken for the status update that queued.
 */
@Injectable()
export class HandOverDelivered {
  constructor(
    outcomes: DeliveryOutcomes,
    private readonly handling: HandlingService,
    private readonly signal: OutboxSignal,
  ) {
    outcomes.on('agency', (tx, delivered) => this.delivered(tx, delivered));
  }

  private async delivered(tx: GatewayStores, { message, outcome }: Delivered<'agency'>): Promise<void> {
    await this.handling.recordAgencyDelivered(tx, message, outcome.result as AgencyDeliveryAck);
    this.signal.notify();
  }
}
