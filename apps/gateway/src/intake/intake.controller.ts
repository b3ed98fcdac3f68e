import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkIdNumber } from '#codes';
import { GatewayError } from '#core';
import { SERVICE_CODES, serviceDefinition, validateContract } from '#contracts';
import type { CaseView } from '../cases/case-view.js';
import type { Principal } from '../auth/credentials.service.js';
import { JsonOnlyGuard } from '../http/json-only.guard.js';
import { CurrentPrincipal, PrincipalGuard, RequireRole } from '../auth/principal.guard.js';
import { IntakeService, type AcceptanceReceipt, type CaseSummary, type FollowUpReceipt } from './intake.service.js';
import { SupplementRequestDto, WithdrawalRequestDto } from './follow-up.dto.js';
import { IdempotencyService, type IdempotentAnswer } from './idempotency.service.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './idempotency-key.js';

const IDEMPOTENCY_KEY_DOC = {
  name: 'Idempotency-Key',
  required: false,
  description: 'One key per form submission (a quoted string, ≤ 255 characters); a retry with it is answered the original response',
};

/** The answer as given, or replayed for a retried key (status as first answered, and `Idempotent-Replayed: true`). */
function answer<T>(reply: FastifyReply, given: IdempotentAnswer<T>): T {
  if (given.replayed) void reply.status(given.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return given.body;
}

/** Window intake (public): submit an application, follow its status. */
@ApiTags('intake')
@ApiBearerAuth()
@Controller('api/v1/applications')
@UseGuards(JsonOnlyGuard, PrincipalGuard)
@RequireRole('window')
export class IntakeController {
  constructor(
    private readonly intake: IntakeService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiHeader(IDEMPOTENCY_KEY_DOC)
  async submit(
    @CurrentPrincipal() window: Principal,
    @Body() body: unknown,
    @Req() http: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AcceptanceReceipt> {
    const call = this.idempotency.callOf(window, http.headers[IDEMPOTENCY_KEY_HEADER], http.method, http.url, body);
    const given = await this.idempotency.run<AcceptanceReceipt>(call, 201, (keep) => {
      const service = (body as { service?: unknown } | null)?.service;
      const definition = typeof service === 'string' ? serviceDefinition(service) : undefined;
      if (!definition) {
        throw GatewayError.field('SERVICE_UNKNOWN', 'service', `service must be one of ${SERVICE_CODES.join(', ')}`);
      }
      // The published window-request schema is the contract (contracts/schemas, compiled at start).
      return this.intake.submit(window, definition.contract.validate(body), keep);
    });
    return answer(reply, given);
  }

  /** Withdraws a case the handling side has not yet decided (撤回); the answer comes on the timeline. */
  @Post(':caseId/withdrawal')
  @HttpCode(202)
  @ApiHeader(IDEMPOTENCY_KEY_DOC)
  async withdraw(
    @CurrentPrincipal() window: Principal,
    @Param('caseId') caseId: string,
    @Body() body: unknown,
    @Req() http: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FollowUpReceipt> {
    const call = this.idempotency.callOf(window, http.headers[IDEMPOTENCY_KEY_HEADER], http.method, http.url, body);
    const given = await this.idempotency.run<FollowUpReceipt>(call, 202, (keep) => {
      const request = validateContract(WithdrawalRequestDto, body);
      return this.intake.withdraw(window, caseId, request.reason, keep);
    });
    return answer(reply, given);
  }

  /** Supplies the material the handling side asked for (补正); the case's clock runs again. */
  @Post(':caseId/supplements')
  @HttpCode(202)
  @ApiHeader(IDEMPOTENCY_KEY_DOC)
  async supplement(
    @CurrentPrincipal() window: Principal,
    @Param('caseId') caseId: string,
    @Body() body: unknown,
    @Req() http: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FollowUpReceipt> {
    const call = this.idempotency.callOf(window, http.headers[IDEMPOTENCY_KEY_HEADER], http.method, http.url, body);
    const given = await this.idempotency.run<FollowUpReceipt>(call, 202, (keep) => {
      const request = validateContract(SupplementRequestDto, body);
      return this.intake.supplement(window, caseId, request.materials, request.note, keep);
    });
    return answer(reply, given);
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
