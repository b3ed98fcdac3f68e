import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { acknowledge } from '#delivery';
import { AGENCY_HEARTBEAT, type AdapterHeartbeatAck } from '#contracts';
import { RpcProblemFilter } from '../http/rpc-problem.filter.js';
import { AdapterHeartbeatService } from './adapter-heartbeat.service.js';

/** The adapters' heartbeats on the status link (TCP, or the RabbitMQ status queue). */
@Controller()
@UseFilters(RpcProblemFilter)
export class AdapterHeartbeatController {
  constructor(private readonly heartbeats: AdapterHeartbeatService) {}

  @MessagePattern(AGENCY_HEARTBEAT)
  async beat(@Payload() payload: unknown, @Ctx() context: unknown): Promise<AdapterHeartbeatAck> {
    try {
      return await this.heartbeats.receive(payload);
    } finally {
      // A beat is worth nothing later: answered or refused, the broker may forget it.
      acknowledge(context);
    }
  }
}
