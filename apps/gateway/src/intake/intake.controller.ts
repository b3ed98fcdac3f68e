import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { checkIdNumber } from '#codes';
import { GatewayError } from '#core';
import { SERVICE_CODES, serviceDefinition, validateContract, type ServiceRequest } from '#contracts';
import type { CaseView } from '../cases/case-view.js';
import type { Principal } from './credentials.service.js';
import { JsonOnlyGuard } from '../http/json-only.guard.js';
import { CurrentPrincipal, PrincipalGuard, RequireRole } from './principal.guard.js';
import { IntakeService, type AcceptanceReceipt, type CaseSummary, type FollowUpReceipt } from './intake.service.js';
import { SupplementRequestDto, WithdrawalRequestDto } from './follow-up.dto.js';

/** Window intake (public): submit an application, follow its status. */
@ApiTags('intake')
@ApiBearerAuth()
@Controller('api/v1/applications')
@UseGuards(JsonOnlyGuard, PrincipalGuard)
@RequireRole('window')
export class IntakeController {
  constructor(private readonly intake: IntakeService) {}

  @Post()
  @HttpCode(201)
  async submit(@CurrentPrincipal() window: Principal, @Body() body: unknown): Promise<AcceptanceReceipt> {
    const service = (body as { service?: unknown } | null)?.service;
    const definition = typeof service === 'string' ? serviceDefinition(service) : undefined;
    if (!definition) {
      throw GatewayError.field('SERVICE_UNKNOWN', 'service', `service must be one of ${SERVICE_CODES.join(', ')}`);
    }
    return this.intake.submit(window, validateContract<ServiceRequest>(definition.dto, body));
  }

  /** Withdraws a case the handling side has not yet decided (撤回); the answer comes on the timeline. */
  @Post(':caseId/withdrawal')
  @HttpCode(202)
  async withdraw(@CurrentPrincipal() window: Principal, @Param('caseId') caseId: string, @Body() body: unknown): Promise<FollowUpReceipt> {
    const request = validateContract(WithdrawalRequestDto, body);
    return this.intake.withdraw(window, caseId, request.reason);
  }

  /** Supplies the material the handling side asked for (补正); the case's clock runs again. */
  @Post(':caseId/supplements')
  @HttpCode(202)
  async supplement(@CurrentPrincipal() window: Principal, @Param('caseId') caseId: string, @Body() body: unknown): Promise<FollowUpReceipt> {
    const request = validateContract(SupplementRequestDto, body);
    return this.intake.supplement(window, caseId, request.materials, request.note);
  }

  /** This window's cases; `?idNumber=` narrows to one applicant (the number is hashed, not stored). */
  @Get()
  @ApiQuery({ name: 'idNumber', required: false, description: 'GB 11643 ID number of one applicant' })
  async list(@CurrentPrincipal() window: Principal, @Query('idNumber') idNumber?: string): Promise<{ items: CaseSummary[] }> {
    if (idNumber !== undefined) {
      const checked = checkIdNumber(idNumber);
      if (!checked.ok) throw GatewayError.field('ID_NUMBER_INVALID', 'idNumber', '身份证号码不符合 GB 11643');
      return { items: await this.intake.list(window, checked.normalized) };
    }
    return { items: await this.intake.list(window) };
  }

  @Get(':caseId')
  async view(@CurrentPrincipal() window: Principal, @Param('caseId') caseId: string): Promise<CaseView> {
    return this.intake.view(window, caseId);
  }
}
