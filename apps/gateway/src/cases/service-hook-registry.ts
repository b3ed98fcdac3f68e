import { Injectable } from '@nestjs/common';
import { GatewayError } from '#core';
import { SERVICE_CATALOGUE, type AgencyStatusAck, type AgencyStatusReport, type ForwardedRequest, type ServiceCode } from '#contracts';
import type { CaseRecord, GatewayStores } from '#persistence';

/** An agency's report on one of a case's conversations with another party. */
export type ConversationReport = AgencyStatusReport & { readonly conversation: number };

/**
 * What a service adds to the generic handling path, beyond the catalogue's data: code of the
 * service's own (a pension transfer's conversations, TransferService) that registers it here, so
 * the generic path (HandlingService) names no service.
 */
export interface ServiceHooks {
  /** The forwarded request was received at its handling node and its case written. */
  readonly received?: (tx: GatewayStores, record: CaseRecord, forwarded: ForwardedRequest) => Promise<void>;
  /**
   * A report on one of the service's conversations (its stage one of the catalogue's
   * `conversationNotes`). Such a report is recorded alone, never with others in one transaction.
   */
  readonly conversationReport?: (tx: GatewayStores, report: ConversationReport) => Promise<AgencyStatusAck>;
}

/**
 * Whether a report may be recorded with others in one transaction
 * (`HandlingService.recordAgencyStatuses`): not one on a conversation, which its service's hook
 * records alone.
 */
export function recordedAlone(report: AgencyStatusReport): boolean {
  return report.conversation !== undefined;
}

@Injectable()
export class ServiceHookRegistry {
  private readonly hooks = new Map<ServiceCode, ServiceHooks>();

  /** Called by the service's own code (one provider per service, at start). */
  register(service: ServiceCode, hooks: ServiceHooks): void {
    this.hooks.set(service, hooks);
  }

  of(service: string): ServiceHooks {
    return this.hooks.get(service as ServiceCode) ?? {};
  }

  /**
   * Records a conversation report through the hook of the service whose catalogue entry lists
   * its stage among its `conversationNotes`: CASE_TRANSITION_INVALID when no service does.
   */
  async conversationReport(tx: GatewayStores, report: ConversationReport): Promise<AgencyStatusAck> {
    for (const definition of Object.values(SERVICE_CATALOGUE)) {
      const hook = this.hooks.get(definition.code)?.conversationReport;
      if (hook && definition.conversationNotes?.includes(report.stage)) return hook(tx, report);
    }
    throw new GatewayError('CASE_TRANSITION_INVALID', { detail: `${report.stage} is not a conversation step of any service` });
  }
}
