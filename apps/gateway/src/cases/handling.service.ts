import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock, GatewayError, newMessageId, toShanghaiIso, parseInstant } from '#core';
import {
  assertTransition,
  serviceDefinition,
  type AgencyDelivery,
  type AgencyDeliveryAck,
  type AgencyStatusAck,
  type AgencyStatusReport,
  type CaseStage,
  type CaseSupplement,
  type CaseWithdrawal,
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
import { CaseClock } from './case-clock.js';
import { advanceCase } from './case-progress.js';

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
    private readonly caseClock: CaseClock,
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
        applicantHash: applicantHash(subjectIdNumber(forwarded)),
        region: forwarded.route.region,
        regionHistoric: forwarded.route.regionHistoric,
        agencyRef: null,
        acceptedAt: parseInstant(forwarded.acceptedAt),
        updatedAt: now,
        lastAppliedSeq: 0,
        lastIssuedSeq: 0,
        clockPausedSince: null,
        clockPausedDays: 0,
      };
      await tx.cases.insert(record);
    }
    // 2. Record receipt on the handling side; the accepting node hears of it as seq 1.
    await this.recordEvent(tx, record, { stage: 'received', at: now, sourceId: `msg:${messageId}` });
    // 3. Queue the hand-over to the agency adapter, in the same transaction.
    await this.queueAgencyDelivery(tx, forwarded.route.agency, forwarded.caseId, `${forwarded.service}.request`, { forwarded });
  }

  /**
   * The accepting window withdraws a case (撤回). The handling side notes the request and asks
   * the agency, which alone knows whether it has decided: it answers through its feed with
   * `withdrawn` or `withdrawal-refused`.
   */
  async acceptWithdrawal(tx: GatewayStores, sender: string, messageId: string, withdrawal: CaseWithdrawal): Promise<void> {
    const record = await this.handledCase(tx, sender, withdrawal.caseId);
    await this.recordEvent(tx, record, {
      stage: 'withdrawal-requested',
      at: this.clock.nowMs(),
      sourceId: `msg:${messageId}`,
      reason: { code: 'WITHDRAWN_BY_APPLICANT', message: withdrawal.reason },
    });
    await this.queueAgencyDelivery(tx, record.agency, record.caseId, 'case.withdrawal', { withdrawal });
  }

  /**
   * The accepting window supplied the material the agency asked for (补正): the clock runs again
   * and the agency gets the material.
   */
  async acceptSupplement(tx: GatewayStores, sender: string, messageId: string, supplement: CaseSupplement): Promise<void> {
    const record = await this.handledCase(tx, sender, supplement.caseId);
    await this.recordEvent(tx, record, {
      stage: 'supplement-supplied',
      at: this.clock.nowMs(),
      sourceId: `msg:${messageId}`,
      detail: { suppliedMaterials: supplement.materials.map((m) => m.type) },
    });
    await this.queueAgencyDelivery(tx, record.agency, record.caseId, 'case.supplement', { supplement });
  }

  /** The case a follow-up names, if this node handles it for the sender. */
  private async handledCase(tx: GatewayStores, sender: string, caseId: string): Promise<CaseRecord> {
    const record = await tx.cases.get(caseId);
    if (!record || record.role === 'accepting' || record.acceptingNode !== sender) {
      throw new GatewayError('STATUS_NOT_ALLOWED', { detail: 'the sender did not forward this case here' });
    }
    return record;
  }

  private async queueAgencyDelivery(
    tx: GatewayStores,
    agency: string,
    caseId: string,
    messageType: string,
    content: Pick<AgencyDelivery, 'forwarded' | 'withdrawal' | 'supplement'>,
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
      proof: linkProof(this.config.agencyLinkSecret, messageId),
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

  /** The adapter acknowledged the hand-over: the agency has the case. */
  async recordAgencyDelivered(tx: GatewayStores, message: OutboxRecord, ack: AgencyDeliveryAck): Promise<void> {
    const record = await tx.cases.get(message.caseId ?? '');
    if (!record || !message.messageType.endsWith('.request')) return;
    await tx.cases.update(record.caseId, { agencyRef: ack.agencyRef });
    // The agency's feed may already have reported its first stage: the hand-over is then implied.
    if (record.stage !== 'received') return;
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

  private advance(record: CaseRecord, event: HandlingEvent) {
    return advanceCase(record, event, (since, until) => this.caseClock.pausedDays(since, until));
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
    assertTransition(record.service, record.stage as CaseStage, event.stage);
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
    const changes = { ...this.advance(record, event), lastIssuedSeq: seq, updatedAt: this.clock.nowMs() };
    const updated: CaseRecord = { ...record, ...changes };
    await tx.cases.update(record.caseId, changes);
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

/** The ID number a window finds a case by (the applicant's, or the claimant's for a death benefit). */
export function subjectIdNumber(forwarded: ForwardedRequest): string {
  const definition = serviceDefinition(forwarded.service);
  if (!definition) throw new GatewayError('SERVICE_UNKNOWN', { detail: 'no such service in the catalogue' });
  return definition.subjectIdNumber(forwarded.request);
}

/** SHA-256 (hex) of a normalised ID number: lets a window search by ID without keeping it in clear. */
export function applicantHash(idNumber: string): string {
  return createHash('sha256').update(`cytb:applicant:${idNumber.toUpperCase()}`).digest('hex');
}
