import { Inject, Injectable } from '@nestjs/common';
import { Clock, newMessageId, toShanghaiIso, type NodeCode } from '#core';
import { assertTransition, type AgencyDelivery, type CaseStage, type PeerMessageType, type StageDetail, type StatusUpdate } from '#contracts';
import type { CaseRecord, GatewayStores } from '#persistence';
import { linkProof } from '#delivery';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { agencyDestination, peerDestination } from './destinations.js';
import { EnvelopeFactory } from './envelope-factory.js';
import { CaseClock } from './case-clock.js';
import { advanceCase } from './case-progress.js';

export interface HandlingEvent {
  readonly stage: CaseStage;
  readonly at: number;
  readonly sourceId: string;
  readonly reason?: { readonly code: string; readonly message: string } | undefined;
  readonly detail?: StageDetail | undefined;
}

/** How `CaseRecorder.record` writes the case row. */
export interface RecordOptions {
  /**
   * The case is new in this transaction and not yet written: it is inserted once, with the
   * event's outcome, instead of inserted and then updated.
   */
  readonly insert?: boolean;
  /** Other columns to write in the same statement (written even when the event is a repeat). */
  readonly also?: Partial<Pick<CaseRecord, 'role' | 'agencyRef' | 'updatedAt'>>;
}

/**
 * The handling side's two writes, each inside the caller's transaction: a numbered event on a
 * case's timeline (with its status update for the accepting node), and a piece of work for an
 * agency adapter.
 */
@Injectable()
export class CaseRecorder {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly envelopes: EnvelopeFactory,
    private readonly clock: Clock,
    private readonly caseClock: CaseClock,
  ) {}

  /** Queues one piece of work for an agency adapter, in the caller's transaction. */
  async queueAgencyDelivery(
    tx: GatewayStores,
    agency: string,
    caseId: string,
    messageType: string,
    content: Pick<AgencyDelivery, 'forwarded' | 'withdrawal' | 'supplement' | 'contactLetter' | 'reply'>,
  ): Promise<void> {
    const now = this.clock.nowMs();
    const messageId = newMessageId(now);
    const delivery: AgencyDelivery = {
      messageId,
      agency: agency as AgencyDelivery['agency'],
      messageType,
      contractVersion: 1,
      caseId,
      ...content,
      proof: linkProof(this.config.agencyLinkSecret, messageId, this.config.cryptoSuite),
    };
    await tx.outbox.enqueue({
      messageId,
      destination: agencyDestination(agency),
      messageType,
      contractVersion: 1,
      caseId,
      payload: JSON.stringify(delivery),
      nextAttemptAt: now,
      createdAt: now,
    });
  }

  private advance(record: CaseRecord, event: HandlingEvent) {
    return advanceCase(record, event, (since, until) => this.caseClock.pausedDays(since, until));
  }

  /**
   * Records one handling-side event once (per source id), advances the case, and queues the
   * numbered status update for the accepting node (not for a case this node also accepted: there
   * the timeline is already the one windows read).
   */
  async record(tx: GatewayStores, record: CaseRecord, event: HandlingEvent, options: RecordOptions = {}): Promise<CaseRecord> {
    const also = options.also ?? {};
    // The event is already recorded (same source): nothing changes but `also`.
    const repeat = async (): Promise<CaseRecord> => {
      const kept: CaseRecord = { ...record, ...also };
      if (options.insert) await tx.cases.insert(kept);
      else if (Object.keys(also).length > 0) await tx.cases.update(record.caseId, also);
      return kept;
    };
    // Anything but a repeat must be a legal next stage, or it is refused and the timeline stays
    // as it is. A repeat is answered as a duplicate even where its stage could not follow now:
    // the look-up is made only then, not for every event (the insert below tells a repeat).
    try {
      assertTransition(record.service, record.stage as CaseStage, event.stage);
    } catch (error) {
      if (!options.insert && (await tx.events.findBySource(record.caseId, event.sourceId))) return repeat();
      throw error;
    }
    const seq = record.lastIssuedSeq + 1;
    const inserted = await tx.events.insertOnce({
      caseId: record.caseId,
      stage: event.stage,
      at: event.at,
      side: this.config.node,
      seq,
      reasonCode: event.reason?.code ?? null,
      reasonMessage: event.reason?.message ?? null,
      detailJson: event.detail ? JSON.stringify(event.detail) : null,
      sourceId: event.sourceId,
      recordedAt: this.clock.nowMs(),
    });
    if (!inserted) return repeat();
    const changes = { ...this.advance(record, event), lastIssuedSeq: seq, updatedAt: this.clock.nowMs(), ...also };
    const updated: CaseRecord = { ...record, ...changes };
    if (options.insert) await tx.cases.insert(updated);
    else await tx.cases.update(record.caseId, changes);
    if (record.role === 'handling') {
      const update: StatusUpdate = {
        caseId: record.caseId,
        seq,
        stage: event.stage,
        at: toShanghaiIso(event.at),
        side: this.config.node,
        ...(event.reason ? { reason: event.reason as StatusUpdate['reason'] & object } : {}),
        ...(event.detail ? { detail: event.detail } : {}),
      };
      await this.queueEnvelope(tx, 'status-update', record.acceptingNode as NodeCode, record.caseId, update);
    }
    return updated;
  }

  /**
   * Signs a message for another node (or this one, for a case that stays in the province) and
   * queues it in the outbox, in the caller's transaction. Returns its message id.
   */
  async queueEnvelope(tx: GatewayStores, type: PeerMessageType, receiver: NodeCode, caseId: string, body: object): Promise<string> {
    const signed = await this.envelopes.sign(type, receiver, caseId, body);
    await tx.outbox.enqueue({
      messageId: signed.messageId,
      destination: peerDestination(receiver, this.config.node),
      messageType: signed.messageType,
      contractVersion: signed.contractVersion,
      caseId,
      payload: signed.compact,
      nextAttemptAt: this.clock.nowMs(),
      createdAt: this.clock.nowMs(),
    });
    return signed.messageId;
  }
}
