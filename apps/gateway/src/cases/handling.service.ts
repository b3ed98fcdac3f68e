import { Inject, Injectable } from '@nestjs/common';
import { Clock, GatewayError, parseInstant, type NodeCode } from '#core';
import {
  isRequestMessageType,
  serviceDefinition,
  type AgencyDeliveryAck,
  type AgencyStatusAck,
  type AgencyStatusReport,
  type CaseSupplement,
  type CaseWithdrawal,
  type ForwardedRequest,
} from '#contracts';
import { GatewayDatabase, type CaseRecord, type GatewayStores, type OutboxRecord } from '#persistence';
import { NODE_CODE } from '../config/config.token.js';
import { CaseRecorder, type RecordOptions } from './case-recorder.js';
import { ServiceHookRegistry } from './service-hook-registry.js';

/**
 * The handling side of a case: takes a forwarded request, hands it to the agency adapter, records
 * what the agency reports, and sends every stage back to the accepting node as a numbered status
 * update (seq 1, 2, ... per case).
 */
@Injectable()
export class HandlingService {
  constructor(
    @Inject(NODE_CODE) private readonly node: NodeCode,
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
    private readonly recorder: CaseRecorder,
    private readonly hooks: ServiceHookRegistry,
  ) {}

  /** A forwarded request arrived (from a peer, or from this node for a local case). */
  async acceptForwarded(tx: GatewayStores, messageId: string, forwarded: ForwardedRequest): Promise<void> {
    const now = this.clock.nowMs();
    // 1. The case may already exist here: accepted at one of this node's own windows.
    const existing = await tx.cases.getForUpdate(forwarded.caseId);
    let record: CaseRecord;
    if (existing) {
      // Only this node's own request makes its own case 'both' (PartyBinding refuses a peer's
      // first; this keeps the rule where the role changes).
      if (existing.role !== 'accepting' || existing.acceptingNode !== this.node || forwarded.acceptingNode !== this.node) {
        throw new GatewayError('ENVELOPE_CONFLICT', { detail: 'the case is already handled here' });
      }
      record = { ...existing, role: 'both' };
    } else {
      record = {
        caseId: forwarded.caseId,
        service: forwarded.service,
        role: 'handling',
        acceptingNode: forwarded.acceptingNode,
        handlingNode: this.node,
        agency: forwarded.route.agency,
        windowId: null,
        // Arrives forwarded; recording 'received' below moves it on (and numbers it seq 1).
        stage: 'forwarded',
        status: 'in-progress',
        requestJson: JSON.stringify(forwarded),
        // The applicant index is the accepting side's (keyed with its own secret); here the
        // personal fields are sealed for the agency and nothing is known to index.
        applicantHash: '',
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
    }
    // 2. Record receipt on the handling side; the accepting node hears of it as seq 1. The case
    //    row is written once with it: inserted (a new case) or updated (now handled here too).
    await this.recorder.record(
      tx,
      record,
      { stage: 'received', at: now, sourceId: `msg:${messageId}` },
      existing ? { also: { role: 'both', updatedAt: now } } : { insert: true },
    );
    // 3. What the service itself does then (a pension transfer opens its conversations).
    await this.hooks.of(forwarded.service).received?.(tx, record, forwarded);
    // 4. Queue the hand-over to the agency adapter, in the same transaction.
    await this.recorder.queueAgencyDelivery(tx, forwarded.route.agency, forwarded.caseId, `${forwarded.service}.request`, { forwarded });
  }

  /**
   * The accepting window withdraws a case (撤回). The handling side notes the request and asks
   * the agency, which alone knows whether it has decided: it answers through its feed with
   * `withdrawn` or `withdrawal-refused`.
   */
  async acceptWithdrawal(tx: GatewayStores, sender: string, messageId: string, withdrawal: CaseWithdrawal): Promise<void> {
    const record = await this.handledCase(tx, sender, withdrawal.caseId);
    await this.recorder.record(tx, record, {
      stage: 'withdrawal-requested',
      at: this.clock.nowMs(),
      sourceId: `msg:${messageId}`,
      reason: { code: 'WITHDRAWN_BY_APPLICANT', message: withdrawal.reason },
    });
    await this.recorder.queueAgencyDelivery(tx, record.agency, record.caseId, 'case.withdrawal', { withdrawal });
  }

  /**
   * The accepting window supplied the material the agency asked for (补正): the clock runs again
   * and the agency gets the material.
   */
  async acceptSupplement(tx: GatewayStores, sender: string, messageId: string, supplement: CaseSupplement): Promise<void> {
    const record = await this.handledCase(tx, sender, supplement.caseId);
    await this.recorder.record(tx, record, {
      stage: 'supplement-supplied',
      at: this.clock.nowMs(),
      sourceId: `msg:${messageId}`,
      detail: { suppliedMaterials: supplement.materials.map((m) => m.type) },
    });
    await this.recorder.queueAgencyDelivery(tx, record.agency, record.caseId, 'case.supplement', { supplement });
  }

  /** The case a follow-up names, if this node handles it for the sender. */
  private async handledCase(tx: GatewayStores, sender: string, caseId: string): Promise<CaseRecord> {
    const record = await tx.cases.getForUpdate(caseId);
    if (!record || record.role === 'accepting' || record.acceptingNode !== sender) {
      throw new GatewayError('STATUS_NOT_ALLOWED', { detail: 'the sender did not forward this case here' });
    }
    return record;
  }

  /** The adapter acknowledged the hand-over: the agency has the case. */
  async recordAgencyDelivered(tx: GatewayStores, message: OutboxRecord, ack: AgencyDeliveryAck): Promise<void> {
    const record = await tx.cases.getForUpdate(message.caseId ?? '');
    if (!record || !isRequestMessageType(message.messageType)) return;
    // The agency's feed may already have reported its first stage: the hand-over was recorded then.
    if (record.stage !== 'received') {
      await tx.cases.update(record.caseId, { agencyRef: ack.agencyRef });
      return;
    }
    // The agency's reference is written with the hand-over: one update of the case, not two.
    await this.recordHandOver(tx, record, this.clock.nowMs(), ack.agencyRef, { also: { agencyRef: ack.agencyRef } });
  }

  /**
   * `agency-received` on the timeline, whichever comes first: the adapter's acknowledgement of
   * the hand-over, or the agency's own first stage (its feed can be faster than the
   * acknowledgement is recorded), so every timeline shows the agency taking the case.
   */
  /**
   * Records that the agency has the case, and the stage some services move to at once then
   * (`onHandOver`), unless `reported` is that very stage: the agency's own report of it follows.
   */
  private async recordHandOver(tx: GatewayStores, record: CaseRecord, at: number, agencyRef: string | null, options: RecordOptions = {}, reported?: string): Promise<CaseRecord> {
    const handedOver = await this.recorder.record(
      tx,
      record,
      { stage: 'agency-received', at, sourceId: `handover:${record.caseId}`, ...(agencyRef ? { detail: { agencyRef } } : {}) },
      options,
    );
    // Some services move on at once when the agency has the case (a transfer's leg-1 review).
    const next = serviceDefinition(record.service)?.onHandOver;
    return next && next !== reported ? this.recorder.record(tx, handedOver, { stage: next, at, sourceId: `handover:${record.caseId}:${next}` }) : handedOver;
  }

  /** A stage reported by the agency adapter. Idempotent on the report's event id. */
  async recordAgencyStatus(report: AgencyStatusReport): Promise<AgencyStatusAck> {
    return this.db.transaction((tx) => this.recordAgencyStatusIn(tx, report));
  }

  /**
   * Several reports in ONE transaction, in order: all recorded, or (any refused) none, and the
   * promise rejects. The caller then takes them one at a time for each report's own answer.
   */
  async recordAgencyStatuses(reports: readonly AgencyStatusReport[]): Promise<AgencyStatusAck[]> {
    return this.db.transaction(async (tx) => {
      // Their cases locked first and in one order (CaseStore.lockAll).
      await tx.cases.lockAll(reports.map((r) => r.caseId));
      const acks: AgencyStatusAck[] = [];
      for (const report of reports) acks.push(await this.recordAgencyStatusIn(tx, report));
      return acks;
    });
  }

  private async recordAgencyStatusIn(tx: GatewayStores, report: AgencyStatusReport): Promise<AgencyStatusAck> {
    if (report.conversation !== undefined) return this.hooks.conversationReport(tx, { ...report, conversation: report.conversation });
    const record = await tx.cases.getForUpdate(report.caseId);
    if (!record || record.role === 'accepting' || record.agency !== report.agency) {
      throw new GatewayError('STATUS_NOT_ALLOWED', { detail: 'the case is not routed to this agency here' });
    }
    const parsed = parseInstant(report.at);
    const at = Number.isNaN(parsed) ? this.clock.nowMs() : parsed;
    const before = record.lastIssuedSeq;
    // The agency reports before the hand-over's acknowledgement is recorded: the hand-over first.
    // (A case still at 'received' has recorded no agency stage, so this report is not a repeat.)
    const current = record.stage === 'received' ? await this.recordHandOver(tx, record, at, null, {}, report.stage) : record;
    const after = await this.recorder.record(tx, current, {
      stage: report.stage,
      at,
      sourceId: `agency:${report.eventId}`,
      reason: report.reason,
      detail: report.detail,
    });
    return { eventId: report.eventId, duplicate: after.lastIssuedSeq === before };
  }

}
