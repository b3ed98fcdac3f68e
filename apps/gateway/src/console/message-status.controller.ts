import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { JsonOnlyGuard } from '../http/json-only.guard.js';
import { PrincipalGuard, RequireRole } from '../auth/principal.guard.js';
import type { MessageView } from '../operator/dead-letter.service.js';
import { MessageStatusService } from './message-status.service.js';

/** GET /api/v1/operator/messages/{messageId}: the console follows each replayed message with it. */
@ApiTags('operator')
@ApiBearerAuth()
@Controller('api/v1/operator/messages')
@UseGuards(JsonOnlyGuard, PrincipalGuard)
@RequireRole('operator')
export class MessageStatusController {
  constructor(private readonly messages: MessageStatusService) {}

  @Get(':messageId')
  async message(@Param('messageId') messageId: string): Promise<MessageView> {
    return this.messages.get(messageId);
  }
}
