import { Inject, Injectable, Logger } from '@nestjs/common';
import { GatewayError } from '#core';
import { checkLinkProof } from '#delivery';
import {
  AGENCY_BATCH_LIMITS,
  AgencyStatusReportDto,
  batchItems,
  validateContract,
  type AgencyBatchOutcome,
  type AgencyLinkError,
  type AgencyStatusAck,
  type AgencyStatusBatchAck,
} from '#contracts';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { HandlingService } from '../cases/handling.service.js';
import { recordedAlone } from '../cases/service-hook-registry.js';
import { OutboxSignal } from '../runtime/outbox-signal.js';
import { toLinkError } from '../http/rpc-problem.filter.js';

/**
 * What an adapter reports, alone or many at once. Each report is 1. validated against its
 * contract, 2. checked for its link proof (only adapters holding the province's secret may
 * report), 3. recorded (idempotent on its event id); then the relay is woken, once, for the
 * status updates that queued.
 */
@Injectable()
export class AgencyStatusIntake {
  private readonly logger = new Logger('AgencyLink');

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly handling: HandlingService,
    private readonly outbox: OutboxSignal,
  ) {}

  async report(payload: unknown): Promise<AgencyStatusAck> {
    const ack = await this.recordOne(payload);
    if (!ack.duplicate) this.outbox.notify();
    return ack;
  }

  /**
   * Reports in feed order, each answered on its own. A report refused for good (invalid,
   * unproved, not allowed) does not stop the ones after it; a report that failed for a reason
   * that may pass does, and the rest are answered BATCH_ITEM_NOT_ATTEMPTED (transient), so no
   * later stage is recorded before an earlier one. Only a payload that is not a batch of 1 to
   * AGENCY_BATCH_LIMITS.statuses items is refused as a whole (CONTRACT_INVALID).
   */
  async reportBatch(payload: unknown): Promise<AgencyStatusBatchAck> {
    const items = batchItems(payload, AGENCY_BATCH_LIMITS.statuses);
    if (!items) throw new GatewayError('CONTRACT_INVALID', { detail: `a status batch holds 1 to ${AGENCY_BATCH_LIMITS.statuses} reports` });
    const together = await this.recordTogether(items);
    if (together) return { results: together.map((ack) => ({ ok: true, ack })) };
    const results: AgencyBatchOutcome<AgencyStatusAck>[] = [];
    let stoppedBy: AgencyLinkError | null = null;
    let recorded = false;
    for (const item of items) {
      if (stoppedBy) {
        results.push({ ok: false, error: toLinkError(new GatewayError('BATCH_ITEM_NOT_ATTEMPTED', { detail: `an earlier report failed (${stoppedBy.code})` })) });
        continue;
      }
      try {
        const ack = await this.recordOne(item);
        recorded ||= !ack.duplicate;
        results.push({ ok: true, ack });
      } catch (error) {
        const linkError = this.linkErrorOf(error);
        if (!linkError.permanent) stoppedBy = linkError;
        results.push({ ok: false, error: linkError });
      }
    }
    if (recorded) this.outbox.notify();
    return { results };
  }

  /**
   * The usual batch (every report valid and proved, none that is recorded alone: `recordedAlone`)
   * in one transaction: the acknowledgements, or null when any report is refused or the
   * transaction fails; the batch is then taken one report at a time, each with its own answer,
   * exactly as if this had not been tried (nothing of it was committed).
   */
  private async recordTogether(items: readonly unknown[]): Promise<AgencyStatusAck[] | null> {
    const reports: AgencyStatusReportDto[] = [];
    for (const item of items) {
      try {
        reports.push(this.checked(item));
      } catch {
        return null;
      }
    }
    if (reports.some(recordedAlone)) return null;
    try {
      const acks = await this.handling.recordAgencyStatuses(reports);
      if (acks.some((ack) => !ack.duplicate)) this.outbox.notify();
      return acks;
    } catch {
      return null;
    }
  }

  private async recordOne(payload: unknown): Promise<AgencyStatusAck> {
    return this.handling.recordAgencyStatus(this.checked(payload));
  }

  /** 1. the contract and 2. the link proof (only adapters holding the province's secret may report). */
  private checked(payload: unknown): AgencyStatusReportDto {
    const report = validateContract(AgencyStatusReportDto, payload, 'CONTRACT_INVALID', { forbidUnknown: false });
    if (!checkLinkProof(this.config.agencyLinkSecret, report.eventId, (payload as { proof?: unknown }).proof, this.config.cryptoSuite)) {
      throw new GatewayError('AGENCY_LINK_UNAUTHENTICATED');
    }
    return report;
  }

  /** One report's error exactly as RpcProblemFilter would send it alone (toLinkError). */
  private linkErrorOf(error: unknown): AgencyLinkError {
    const linkError = toLinkError(error);
    if (!linkError.permanent) this.logger.error({ msg: 'agency status report failed', code: linkError.code });
    return linkError;
  }
}
