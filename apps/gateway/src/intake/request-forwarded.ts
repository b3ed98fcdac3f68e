import { Injectable } from '@nestjs/common';
import { Clock } from '#core';
import { isRequestMessageType } from '#contracts';
import type { GatewayStores } from '#persistence';
import { CaseTimeline } from '../cases/case-timeline.js';
import { DeliveryOutcomes, type Delivered } from '../delivery/delivery-outcomes.js';

/**
 * What a delivered request means for the case this node accepted: it has left for the handling
 * node (`forwarded` on the timeline). A request to `self` has no such step: the case is received
 * here in the same delivery.
 */
@Injectable()
export class RequestForwarded {
  constructor(
    outcomes: DeliveryOutcomes,
    private readonly timeline: CaseTimeline,
    private readonly clock: Clock,
  ) {
    outcomes.on('peer', (tx, delivered) => this.forwarded(tx, delivered), isRequestMessageType);
  }

  private async forwarded(tx: GatewayStores, { message, outcome }: Delivered<'peer'>): Promise<void> {
    if (!message.caseId) return;
    const record = await tx.cases.getForUpdate(message.caseId);
    if (!record) return;
    // 'forwarded' is when the envelope left (the attempt that delivered it), not when its
    // receipt was recorded: that is after the peer recorded 'received', by a round trip.
    await this.timeline.pass(tx, record, { stage: 'forwarded', at: outcome.sentAt ?? this.clock.nowMs(), sourceId: `msg:${message.messageId}` }, record.acceptingNode);
  }
}
