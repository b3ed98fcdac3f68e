import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { acknowledge, checkLinkProof } from '#delivery';
import { Inject } from '@nestjs/common';
import { GatewayError } from '#core';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { AGENCY_STATUS, AgencyStatusReportDto, validateContract, type AgencyStatusAck } from '#contracts';
import { HandlingService } from '../cases/handling.service.js';
import { OutboxSignal } from '../delivery/outbox-signal.js';
import { RpcProblemFilter } from '../http/rpc-problem.filter.js';

/** The agency face: adapters report each stage of a case; the answer is the acknowledgement. */
@Controller()
@UseFilters(RpcProblemFilter)
export class StatusIntakeController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly handling: HandlingService,
    private readonly outbox: OutboxSignal,
  ) {}

  @MessagePattern(AGENCY_STATUS)
  async report(@Payload() payload: unknown, @Ctx() context: unknown): Promise<AgencyStatusAck> {
    try {
      const report = validateContract(AgencyStatusReportDto, payload, 'CONTRACT_INVALID', { forbidUnknown: false });
      // Only this province's adapters (who hold the link secret) may report.
      if (!checkLinkProof(this.config.agencyLinkSecret, report.eventId, (payload as { proof?: unknown }).proof)) {
        throw new GatewayError('AGENCY_LINK_UNAUTHENTICATED');
      }
      const ack = await this.handling.recordAgencyStatus(report);
      if (!ack.duplicate) this.outbox.notify();
      return ack;
    } finally {
      // Answered either way (an error goes back to the adapter, which retries): the broker may forget it.
      acknowledge(context);
    }
  }
}
