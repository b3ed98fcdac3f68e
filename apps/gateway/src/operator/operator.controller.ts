import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { Clock, GatewayError } from '#core';
import { validateContract } from '#contracts';
import { GatewayDatabase, type OutboxFilter, type OutboxState } from '#persistence';
import { viewCase, type CaseView } from '../cases/case-view.js';
import { CaseClock, type TimeLimitView } from '../cases/case-clock.js';
import { toShanghaiIso } from '#core';
import { FileKeyStore, type RotationStep } from '#signing';
import { KeyRotationService } from './key-rotation.service.js';
import { ConversationListService } from './conversation-list.service.js';
import { RotateRequestDto } from './rotate-request.dto.js';
import { FederationReloadRequestDto } from './federation-reload-request.dto.js';
import { FederationReloadService, type FederationReloadOutcome } from '../federation/federation-reload.service.js';
import { FederationHolder } from '../trust/federation-holder.js';
import { federationSummary } from '../federation/node-federation.js';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/credentials.service.js';
import { JsonOnlyGuard } from '../http/json-only.guard.js';
import { CurrentPrincipal, PrincipalGuard, RequireRole } from '../auth/principal.guard.js';
import { DeadLetterService, type MessageView, type ReplayOutcome } from './dead-letter.service.js';
import { ReplayRequestDto } from './replay-request.dto.js';
import { ReplayByFilterRequestDto } from './replay-by-filter-request.dto.js';
import { ReplayJobsService, type ReplayJobView } from './replay-jobs.service.js';
import { decodeCursor, MAX_PAGE_LIMIT, pageLimit } from './message-cursor.js';

const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'in-flight', 'retrying', 'delivered', 'dead'];

/** The operator face: any case on this node (accepting or handling side), messages, dead letters. */
@ApiTags('operator')
@ApiBearerAuth()
@Controller('api/v1/operator')
@UseGuards(JsonOnlyGuard, PrincipalGuard)
@RequireRole('operator')
export class OperatorController {
  constructor(
    private readonly db: GatewayDatabase,
    private readonly deadLetters: DeadLetterService,
    private readonly replayJobs: ReplayJobsService,
    private readonly clock: Clock,
    private readonly caseClock: CaseClock,
    private readonly keyStore: FileKeyStore,
    private readonly rotation: KeyRotationService,
    private readonly conversationList: ConversationListService,
    private readonly federation: FederationHolder,
    private readonly federationReload: FederationReloadService,
  ) {}

  /**
   * Open cases on this node with their statutory clock: `?overdue=true` lists those past their
   * limit, `?dueWithinDays=N` those due within N working days (to act before they are late).
   */
  @Get('cases')
  @ApiQuery({ name: 'overdue', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'dueWithinDays', required: false, type: Number })
  async cases(@Query('overdue') overdue?: string, @Query('dueWithinDays') within?: string) {
    if (overdue !== undefined && overdue !== 'true' && overdue !== 'false') {
      throw GatewayError.field('VALIDATION_FAILED', 'overdue', 'overdue must be true or false');
    }
    const days = within === undefined ? undefined : Number(within);
    if (days !== undefined && (!Number.isInteger(days) || days < 0)) {
      throw GatewayError.field('VALIDATION_FAILED', 'dueWithinDays', 'dueWithinDays must be a whole number ≥ 0');
    }
    const open = await this.db.read((s) => s.cases.listRecent(5000, 'in-progress'));
    const items = open
      .map((r) => ({ record: r, limit: this.caseClock.of(r) }))
      .filter((x): x is { record: typeof x.record; limit: TimeLimitView } => x.limit !== null)
      .filter((x) => (overdue === undefined ? true : x.limit.overdue === (overdue === 'true')))
      .filter((x) => (days === undefined ? true : x.limit.workingDaysLeft <= days))
      .sort((a, b) => a.limit.workingDaysLeft - b.limit.workingDaysLeft)
      .map(({ record, limit }) => ({
        caseId: record.caseId,
        service: record.service,
        stage: record.stage,
        role: record.role,
        acceptingNode: record.acceptingNode,
        handlingNode: record.handlingNode,
        heldSince: toShanghaiIso(record.updatedAt),
        timeLimit: limit,
      }));
    return { items };
  }

  /**
   * Pension transfer conversations on this node: `?state=sheet-invalid` lists the information
   * sheets held because their sums do not add up; `?overdue=true` the legs past 15 working days.
   */
  @Get('conversations')
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'overdue', required: false, enum: ['true', 'false'] })
  async conversations(@Query('state') state?: string, @Query('overdue') overdue?: string) {
    if (overdue !== undefined && overdue !== 'true' && overdue !== 'false') {
      throw GatewayError.field('VALIDATION_FAILED', 'overdue', 'overdue must be true or false');
    }
    if (state !== undefined && !/^[a-z0-9-]{1,32}$/.test(state)) {
      throw GatewayError.field('VALIDATION_FAILED', 'state', 'state is a conversation state, e.g. sheet-invalid');
    }
    return {
      items: await this.conversationList.list({ ...(state ? { state } : {}), ...(overdue ? { overdue: overdue === 'true' } : {}) }),
    };
  }

  @Get('cases/:caseId')
  async case(@Param('caseId') caseId: string): Promise<CaseView> {
    const found = await this.db.read(async (s) => {
      const record = await s.cases.get(caseId);
      return record ? { record, events: await s.events.listByCase(caseId) } : null;
    });
    if (!found) throw new GatewayError('CASE_NOT_FOUND');
    return viewCase(found.record, found.events, this.caseClock);
  }

  /**
   * Messages by state; `?state=dead` is the dead-letter list. Filters: destination, type,
   * reason (dead reason), olderThanMinutes. Newest first, a page at a time (`limit`, 1 to 500,
   * default 100): `total` counts every message matching the filter, and `nextCursor` (null on
   * the last page) is passed back as `cursor` for the next page.
   */
  @Get('messages')
  @ApiQuery({ name: 'state', required: false, enum: ['pending', 'in-flight', 'retrying', 'delivered', 'dead'] })
  @ApiQuery({ name: 'destination', required: false })
  @ApiQuery({ name: 'type', required: false })
  @ApiQuery({ name: 'reason', required: false })
  @ApiQuery({ name: 'olderThanMinutes', required: false, type: Number })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${MAX_PAGE_LIMIT}, default 100` })
  async messages(
    @Query('state') state?: string,
    @Query('destination') destination?: string,
    @Query('type') messageType?: string,
    @Query('reason') deadReason?: string,
    @Query('olderThanMinutes') olderThan?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ): Promise<{ items: MessageView[]; total: number; nextCursor: string | null }> {
    if (state !== undefined && !OUTBOX_STATES.includes(state as OutboxState)) {
      throw GatewayError.field('VALIDATION_FAILED', 'state', `state must be one of ${OUTBOX_STATES.join(', ')}`);
    }
    const minutes = olderThan === undefined ? undefined : Number(olderThan);
    if (minutes !== undefined && (!Number.isFinite(minutes) || minutes < 0)) {
      throw GatewayError.field('VALIDATION_FAILED', 'olderThanMinutes', 'olderThanMinutes must be a number ≥ 0');
    }
    const filter: OutboxFilter = {
      ...(state ? { state: state as OutboxState } : {}),
      ...(destination ? { destination } : {}),
      ...(messageType ? { messageType } : {}),
      ...(deadReason ? { deadReason } : {}),
      ...(minutes !== undefined ? { createdBefore: this.clock.nowMs() - minutes * 60_000 } : {}),
    };
    return this.deadLetters.page(filter, cursor === undefined ? null : decodeCursor(cursor), pageLimit(limit));
  }

  /**
   * Replays every dead letter matching the filter (at least one field, or `all: true`) in the
   * background, audited once with the filter and the count; `202` with the job, whose progress
   * is at GET /api/v1/operator/replays/{jobId}.
   */
  @Post('messages/replay-by-filter')
  @HttpCode(202)
  async replayByFilter(@CurrentPrincipal() operator: Principal, @Body() body: unknown): Promise<ReplayJobView> {
    const request = validateContract(ReplayByFilterRequestDto, body);
    return this.replayJobs.start(operator, request);
  }

  /** A replay by filter: total, replayed, skipped, failed, state (running, done, failed, interrupted). */
  @Get('replays/:jobId')
  async replayJob(@Param('jobId') jobId: string): Promise<ReplayJobView> {
    return this.replayJobs.get(jobId);
  }

  /** Replays dead letters under their original message ids; each replay is audited. */
  @Post('messages/replay')
  @HttpCode(200)
  async replay(@CurrentPrincipal() operator: Principal, @Body() body: unknown): Promise<ReplayOutcome> {
    const request = validateContract(ReplayRequestDto, body);
    return this.deadLetters.replay(operator, request.messageIds, request.reason);
  }

  /** This node's signing keys: state, age, when each should be replaced, and a warning well before. */
  @Get('keys')
  keys() {
    return { items: this.keyStore.keyStatus() };
  }

  /**
   * One step of a signing-key rotation (audited): the first call prepares and publishes the next
   * key; a later call (a day on at the earliest) switches to it. KEY_ROTATION_REFUSED otherwise.
   */
  @Post('keys/rotate')
  @HttpCode(200)
  async rotate(@CurrentPrincipal() operator: Principal, @Body() body: unknown): Promise<RotationStep> {
    const request = validateContract(RotateRequestDto, body);
    return this.rotation.rotate(operator, request.reason);
  }

  /** The federation in force on this node: serial, when the authority issued it, nodes, keys, agencies, rules. */
  @Get('federation')
  federationInForce() {
    return federationSummary(this.federation.current);
  }

  /**
   * Changes the federation without a restart (audited, refusals too): the authority-signed
   * document in the body, or the one placed at FEDERATION_FILE. FEDERATION_SIGNATURE_INVALID or
   * FEDERATION_ROLLBACK refuse it and leave the one in force.
   */
  @Post('federation/reload')
  @HttpCode(200)
  async reloadFederation(@CurrentPrincipal() operator: Principal, @Body() body: unknown): Promise<FederationReloadOutcome> {
    const request = validateContract(FederationReloadRequestDto, body);
    return this.federationReload.reload(operator, request.reason, request.signedFederation);
  }

  @Get('audit')
  @ApiQuery({ name: 'subject', required: false })
  async audit(@Query('subject') subject?: string) {
    return { items: await this.deadLetters.auditTrail(subject) };
  }
}
