import { Injectable } from '@nestjs/common';
import { Clock, GatewayError, parseInstant, type NodeCode } from '#core';
import type { StatusUpdate } from '#contracts';
import type { CaseRecord, GatewayStores } from '#persistence';
import { CaseTimeline } from './case-timeline.js';

/**
 * The accepting side of a case: applies the handling side's status updates strictly in `seq`
 * order. An update that arrives early waits in a buffer until the gap is filled; a repeat is
 * ignored. The timeline therefore never shows a stage out of order, whatever the network did.
 */
@Injectable()
export class StatusApplier {
  constructor(
    private readonly clock: Clock,
    private readonly timeline: CaseTimeline,
  ) {}

  async apply(tx: GatewayStores, sender: NodeCode, update: StatusUpdate): Promise<void> {
    const record = await tx.cases.getForUpdate(update.caseId);
    if (!record || record.role !== 'accepting' || record.handlingNode !== sender) {
      throw new GatewayError('STATUS_NOT_ALLOWED', { detail: 'the sender does not handle this case' });
    }
    if (update.seq <= record.lastAppliedSeq) return; // a repeat: already applied
    if (update.seq > record.lastAppliedSeq + 1) {
      await tx.pendingStatus.put({
        caseId: update.caseId,
        seq: update.seq,
        payloadJson: JSON.stringify(update),
        receivedAt: this.clock.nowMs(),
      });
      return;
    }
    let current = await this.applyOne(tx, record, update);
    for (;;) {
      const next = await tx.pendingStatus.take(current.caseId, current.lastAppliedSeq + 1);
      if (!next) break;
      current = await this.applyOne(tx, current, JSON.parse(next.payloadJson) as StatusUpdate);
    }
  }

  private async applyOne(tx: GatewayStores, record: CaseRecord, update: StatusUpdate): Promise<CaseRecord> {
    const parsed = parseInstant(update.at);
    const at = Number.isNaN(parsed) ? this.clock.nowMs() : parsed;
    return this.timeline.mirror(tx, record, { ...update, at });
  }
}
