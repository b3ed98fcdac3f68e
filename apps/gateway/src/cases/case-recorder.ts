import { Inject, Injectable } from '@nestjs/common';
import { Clock, newMessageId, toShanghaiIso, type NodeCode } from '#core';
import type { AgencyDelivery, AgencyCode, PeerMessageType, StatusUpdate } from '#contracts';
import type { CaseRecord, GatewayStores } from '#persistence';
import { linkProof } from '#delivery';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { agencyDestination, destinationText, peerDestination } from './destinations.js';
import { EnvelopeFactory } from './envelope-factory.js';
import { CaseTimeline, type DecideOptions, type TimelineEvent } from './case-timeline.js';

/** A handling-side event (the timeline's own name for it). */
export type HandlingEvent = TimelineEvent;

/** How `CaseRecorder.record` writes the case row. */
export type RecordOptions = DecideOptions;

/**
 * The handling side's two writes, each inside the caller's transaction: a numbered event on a
 * case's timeline (written by CaseTimeline, with its status update for the accepting node), and a
 * piece of work for an agency adapter.
 */
@Injectable()
export class CaseRecorder {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly envelopes: EnvelopeFactory,
    private readonly clock: Clock,
    private readonly timeline: CaseTimeline,
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
      destination: destinationText(agencyDestination(agency as AgencyCode)),
      messageType,
      contractVersion: 1,
      caseId,
      payload: JSON.stringify(delivery),
      nextAttemptAt: now,
      createdAt: now,
    });
  }

  /**
   * Records one handling-side event once (per source id) through the case's one timeline writer,
   * which refuses a stage that cannot follow, and queues the numbered status update for the
   * accepting node (not for a case this node also accepted: there the timeline is already the one
   * windows read).
   */
  async record(tx: GatewayStores, record: CaseRecord, event: HandlingEvent, options: RecordOptions = {}): Promise<CaseRecord> {
    const { record: updated, seq } = await this.timeline.decide(tx, record, event, options);
    if (seq !== null && record.role === 'handling') {
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
      destination: destinationText(peerDestination(receiver, this.config.node)),
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
