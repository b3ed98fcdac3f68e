import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock, GatewayError, newMessageId, toShanghaiIso, parseInstant } from '#core';
import {
  assertTransition,
  statusOfStage,
  type AgencyDelivery,
  type AgencyDeliveryAck,
  type AgencyStatusAck,
  type AgencyStatusReport,
  type CaseStage,
  type ForwardedRequest,
  type StageDetail,
  type StatusUpdate,
} from '#contracts';
import { GatewayDatabase, type CaseRecord, type GatewayStores, type OutboxRecord } from '#persistence';
import { linkProof } from '#delivery';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { agencyDestination, peerDestination } from './destinations.js';
import { EnvelopeFactory } from './envelope-factory.js';

export interface HandlingEvent {
  readonly stage: CaseStage;
  readonly at: number;
  readonly sourceId: string;
  readonly reason?: { readonly code: string; readonly message: string } | undefined;
  readonly detail?: StageDetail | undefined;
}

/**
 * The handling side of a case: takes a forwarded request, hands it to the agency adapter, records
 * what the agency reports, and sends every stage back to the accepting node as a numbered status
 * update (seq 1, 2, ... per case).
 */
@Injectable()
export class HandlingService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: GatewayDatabase,
    private readonly envelopes: EnvelopeFactory,
    private readonly clock: Clock,
  ) {}

  /** A forwarded request arrived (from a peer, or from this node for a local case). */
  async acceptForwarded(tx: GatewayStores, messageId: string, forwarded: ForwardedRequest): Promise<void> {
    const now = this.clock.nowMs();
    // 1. The case may already exist here: accepted at one of this node's own windows.
    let record = await tx.cases.get(forwarded.caseId);
    if (record) {
      if (record.role !== 'accepting' || record.acceptingNode !== this.config.node) {
        throw new GatewayError('ENVELOPE_CONFLICT', { detail: 'the case is already handled here' });
      }
      await tx.cases.update(record.caseId, { role: 'both', updatedAt: now });
      record = { ...record, role: 'both' };
    } else {
      record = {
        caseId: forwarded.caseId,
        service: forwarded.service,
        role: 'handling',
        acceptingNode: forwarded.acceptingNode,
        handlingNode: this.config.node,
        agency: forwarded.route.agency,
        windowId: null,
        // Arrives forwarded; recording 'received' below moves it on (and numbers it seq 1).
        stage: 'forwarded',
        status: 'in-progress',
        requestJson: JSON.stringify(forwarded),
        applicantHash: applicantHash(forwarded.request.applicant.idNumber),
        region: forwarded.route.region,
        regionHistoric: forwarded.route.regionHistoric,
        agencyRef: null,
        acceptedAt: parseInstant(forwarded.acceptedAt),
        updatedAt: now,
        lastAppliedSeq: 0,
        lastIssuedSeq: 0,
      };
      await tx.cases.insert(record);
    }
    // 2. Record receipt on the handling side; the accepting node hears of it as seq 1.
    await this.recordEvent(tx, record, { stage: 'received', at: now, sourceId: `msg:${messageId}` });
    // 3. Queue the hand-over to the agency adapter, in the same transaction.
    const delivery: AgencyDelivery = {
      messageId: newMessageId(now),
      agency: forwarded.route.agency,
      messageType: `${forwarded.service}.request`,
      contractVersion: 1,
      forwarded,
    };
    const proved: AgencyDelivery = { ...delivery, proof: linkProof(this.config.agencyLinkSecret, delivery.messageId) };
    await tx.outbox.enqueue({
      messageId: delivery.messageId,
      destination: agencyDestination(delivery.agency),
      messageType: delivery.messageType,
      contractVersion: delivery.contractVersion,
      caseId: forwarded.caseId,
      payload: JSON.stringify(proved),
      nextAttemptAt: now,
      createdAt: now,
    });
  }

  /** The adapter acknowledged the hand-over: the agency has the case. */
  async recordAgencyDelivered(tx: GatewayStores, message: OutboxRecord, ack: AgencyDeliveryAck): Promise<void> {
    const record = await tx.cases.get(message.caseId ?? '');
    if (!record) return;
    await tx.cases.update(record.caseId, { agencyRef: ack.agencyRef });
    await this.recordEvent(tx, record, {
      stage: 'agency-received',
      at: this.clock.nowMs(),
      sourceId: `msg:${message.messageId}`,
      detail: { agencyRef: ack.agencyRef },
    });
  }

  /** A stage reported by the agency adapter. Idempotent on the report's event id. */
  async recordAgencyStatus(report: AgencyStatusReport): Promise<AgencyStatusAck> {
    return this.db.transaction(async (tx) => {
      const record = await tx.cases.get(report.caseId);
      if (!record || record.role === 'accepting' || record.agency !== report.agency) {
        throw new GatewayError('STATUS_NOT_ALLOWED', { detail: 'the case is not routed to this agency here' });
      }
      const at = parseInstant(report.at);
      const before = record.lastIssuedSeq;
      const after = await this.recordEvent(tx, record, {
        stage: report.stage,
        at: Number.isNaN(at) ? this.clock.nowMs() : at,
        sourceId: `agency:${report.eventId}`,
        reason: report.reason,
        detail: report.detail,
      });
      return { eventId: report.eventId, duplicate: after.lastIssuedSeq === before };
    });
  }

  /**
   * Records one handling-side event once (per source id), advances the case, and queues the
   * numbered status update for the accepting node (not for a case this node also accepted: there
   * the timeline is already the one windows read).
   */
  async recordEvent(tx: GatewayStores, record: CaseRecord, event: HandlingEvent): Promise<CaseRecord> {
    // A repeat of what is already recorded is answered as a duplicate below; anything else must
    // be a legal next stage, or it is refused and the timeline stays as it is.
    const known = await tx.events.findBySource(record.caseId, event.sourceId);
    if (known) return record;
    assertTransition(record.stage as CaseStage, event.stage);
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
    if (!inserted) return record;
    const status = statusOfStage(event.stage);
    const updated: CaseRecord = { ...record, stage: event.stage, status, lastIssuedSeq: seq, updatedAt: this.clock.nowMs() };
    await tx.cases.update(record.caseId, {
      stage: updated.stage,
      status: updated.status,
      lastIssuedSeq: seq,
      updatedAt: updated.updatedAt,
    });
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
      const receiver = record.acceptingNode as typeof this.config.node;
      const signed = await this.envelopes.sign('status-update', receiver, record.caseId, update);
      await tx.outbox.enqueue({
        messageId: signed.messageId,
        destination: peerDestination(receiver, this.config.node),
        messageType: signed.messageType,
        contractVersion: signed.contractVersion,
        caseId: record.caseId,
        payload: signed.compact,
        nextAttemptAt: this.clock.nowMs(),
        createdAt: this.clock.nowMs(),
      });
    }
    return updated;
  }
}

/** SHA-256 (hex) of a normalised ID number: lets a window search by ID without keeping it in clear. */
export function applicantHash(idNumber: string): string {
  return createHash('sha256').update(`cytb:applicant:${idNumber.toUpperCase()}`).digest('hex');
}
