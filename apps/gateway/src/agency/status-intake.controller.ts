import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { acknowledge } from '#delivery';
import { AGENCY_STATUS, AGENCY_STATUS_BATCH, type AgencyStatusAck, type AgencyStatusBatchAck } from '#contracts';
import { RpcProblemFilter } from '../http/rpc-problem.filter.js';
import { AgencyStatusIntake } from './agency-status-intake.service.js';

/**
 * The agency face: adapters report each stage of a case, alone (AGENCY_STATUS) or many at once
 * (AGENCY_STATUS_BATCH); the answer is the acknowledgement (AgencyStatusIntake says what is
 * checked). On RabbitMQ a message is acknowledged to the broker once it was answered.
 */
@Controller()
@UseFilters(RpcProblemFilter)
export class StatusIntakeController {
  constructor(private readonly intake: AgencyStatusIntake) {}

  @MessagePattern(AGENCY_STATUS)
  async report(@Payload() payload: unknown, @Ctx() context: unknown): Promise<AgencyStatusAck> {
    try {
      return await this.intake.report(payload);
    } finally {
      // Answered either way (an error goes back to the adapter, which retries): the broker may forget it.
      acknowledge(context);
    }
  }

  @MessagePattern(AGENCY_STATUS_BATCH)
  async reportBatch(@Payload() payload: unknown, @Ctx() context: unknown): Promise<AgencyStatusBatchAck> {
    try {
      return await this.intake.reportBatch(payload);
    } finally {
      acknowledge(context);
    }
  }
}
