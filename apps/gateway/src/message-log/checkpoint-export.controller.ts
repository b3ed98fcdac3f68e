import { Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { GatewayError, isNodeCode } from '#core';
import { GatewayDatabase } from '#persistence';
import { JsonOnlyGuard } from '../http/json-only.guard.js';
import { PrincipalGuard, RequireRole } from '../auth/principal.guard.js';
import { CheckpointSender, type CheckpointOutcome } from './checkpoint-sender.service.js';

/** One countersigned checkpoint as exported: what `npm run verify-log -- <db> --checkpoints <file>` reads. */
export interface ExportedCheckpoint {
  readonly node: string;
  readonly countersigner: string;
  readonly count: number;
  readonly headHash: string;
  readonly at: number;
  readonly checkpoint: string;
  readonly countersignature: string;
}

/**
 * The operators' face for log checkpoints. An auditor of one node's log gets, from the OTHER
 * node's operator, the checkpoints that node countersigned (`?node=SC` on Chongqing's node): its
 * copy cannot be shorter than what was countersigned without the verifier naming it.
 */
@ApiTags('operator')
@ApiBearerAuth()
@Controller('api/v1/operator/checkpoints')
@UseGuards(JsonOnlyGuard, PrincipalGuard)
@RequireRole('operator')
export class CheckpointExportController {
  constructor(
    private readonly db: GatewayDatabase,
    private readonly sender: CheckpointSender,
  ) {}

  /** Countersigned checkpoints kept on this node, newest first: of `node`'s log if given (at most `limit`, default 1000). */
  @Get()
  @ApiQuery({ name: 'node', required: false, enum: ['SC', 'CQ'] })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async list(@Query('node') node?: string, @Query('limit') limit?: string): Promise<{ items: ExportedCheckpoint[] }> {
    if (node !== undefined && !isNodeCode(node)) throw GatewayError.field('VALIDATION_FAILED', 'node', 'node must be SC or CQ');
    const take = limit === undefined ? 1000 : Number(limit);
    if (!Number.isInteger(take) || take < 1 || take > 10_000) throw GatewayError.field('VALIDATION_FAILED', 'limit', 'limit must be a whole number from 1 to 10000');
    const rows = await this.db.read((s) => s.logCheckpoints.list(node, take));
    return { items: rows.map(({ node: n, countersigner, count, headHash, at, checkpoint, countersignature }) => ({ node: n, countersigner, count, headHash, at, checkpoint, countersignature })) };
  }

  /** Signs a checkpoint of this node's log now and has every peer countersign it (before an export, say). */
  @Post()
  @HttpCode(200)
  async checkpointNow(): Promise<{ items: CheckpointOutcome[] }> {
    return { items: await this.sender.checkpointNow() };
  }
}
