import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Clock, GatewayError, isGatewayError, newMessageId, toShanghaiIso } from '#core';
import { GatewayDatabase, type OutboxFilter, type OutboxPosition, type ReplayJobRecord } from '#persistence';
import { OutboxSignal } from '../runtime/outbox-signal.js';
import { EnvelopeFactory } from '../cases/envelope-factory.js';
import { parseDestination } from '../cases/destinations.js';
import type { Principal } from '../auth/credentials.service.js';
import type { ReplayByFilterRequestDto } from './replay-by-filter-request.dto.js';

/** Dead letters replayed per transaction: large enough for 10,000 in a minute, small enough to keep a commit short. */
export const REPLAY_CHUNK = 100;
/** A running job not moved on for this long has lost its process: it is shown `interrupted`. */
export const REPLAY_STALE_MS = 60_000;

/** Which dead letters a replay by filter takes (every field given must match). */
export interface ReplayFilter {
  readonly destination?: string;
  readonly deadReason?: string;
  readonly messageType?: string;
  readonly createdBefore?: string;
  readonly all?: true;
}

/** A replay job as an operator sees it. */
export interface ReplayJobView {
  readonly jobId: string;
  /** `interrupted`: its process stopped before the end; running the same filter again is safe. */
  readonly state: 'running' | 'done' | 'failed' | 'interrupted';
  readonly total: number;
  readonly replayed: number;
  readonly skipped: number;
  readonly failed: number;
  readonly errorCode: string | null;
  readonly filter: ReplayFilter;
  readonly reason: string;
  readonly operatorId: string;
  readonly startedAt: string;
  readonly updatedAt: string;
}

/**
 * Replays every dead letter matching a filter, as one audited action: 10,000 dead letters after
 * a long outage are one request, not fifty. The job is recorded (replay_jobs), audited once with
 * its filter and count, and run in the background a chunk at a time, oldest first; each chunk
 * commits its replays together with the job's progress, so any replica can show it. Durable
 * enough: if the process stops, the job shows `interrupted`, and the same filter can be run
 * again, since a replay is idempotent (dead letters go back under their original ids, and only
 * those still dead are touched).
 */
@Injectable()
export class ReplayJobsService implements OnApplicationShutdown {
  private readonly logger = new Logger('ReplayJobs');
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
    private readonly outbox: OutboxSignal,
    private readonly envelopes: EnvelopeFactory,
  ) {}

  /** 1. checks the filter, 2. counts what it matches, 3. records and audits the job, 4. starts it. */
  async start(operator: Principal, request: ReplayByFilterRequestDto): Promise<ReplayJobView> {
    // 1. A filter, or an explicit `all`: an empty body must not replay every dead letter.
    const filter: ReplayFilter = {
      ...(request.destination !== undefined ? { destination: request.destination } : {}),
      ...(request.deadReason !== undefined ? { deadReason: request.deadReason } : {}),
      ...(request.messageType !== undefined ? { messageType: request.messageType } : {}),
      ...(request.createdBefore !== undefined ? { createdBefore: request.createdBefore } : {}),
      ...(request.all === true ? { all: true as const } : {}),
    };
    if (Object.keys(filter).length === 0) {
      throw GatewayError.field('VALIDATION_FAILED', 'all', 'give destination, deadReason, messageType or createdBefore, or all: true to replay every dead letter');
    }
    const now = this.clock.nowMs();
    const jobId = newMessageId(now);
    const job = await this.db.transaction(async (tx) => {
      // 2. The count the operator is told, and the audit records.
      const total = await tx.outbox.count({ ...outboxFilter(filter), state: 'dead' });
      const record: ReplayJobRecord = {
        jobId,
        operatorId: operator.credentialId,
        reason: request.reason,
        filterJson: JSON.stringify(filter),
        state: 'running',
        total,
        replayed: 0,
        skipped: 0,
        failed: 0,
        errorCode: null,
        afterCreatedAt: null,
        afterMessageId: null,
        createdAt: now,
        updatedAt: now,
      };
      // 3. One audit record for the whole action: who, why, which filter, how many.
      await tx.replayJobs.insert(record);
      await tx.audit.append({
        action: 'replay-by-filter',
        subject: jobId,
        operatorId: operator.credentialId,
        reason: request.reason,
        detailJson: JSON.stringify({ filter, total }),
        at: now,
      });
      return record;
    });
    // 4. In the background; the operator follows GET /api/v1/operator/replays/{jobId}.
    if (job.total === 0) await this.db.transaction((tx) => tx.replayJobs.finish(jobId, 'done', null, now));
    else this.launch(jobId, filter);
    return this.view((await this.db.read((s) => s.replayJobs.get(jobId))) ?? job);
  }

  /** A job by id, or NOT_FOUND. */
  async get(jobId: string): Promise<ReplayJobView> {
    const job = await this.db.read((s) => s.replayJobs.get(jobId));
    if (!job) throw GatewayError.field('NOT_FOUND', 'jobId', 'no replay job with this id on this node');
    return this.view(job);
  }

  /** Waits for the jobs of this process (tests, and a graceful stop). */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }

  async onApplicationShutdown(): Promise<void> {
    // The chunk in progress commits; the rest is left for the operator to run again.
    this.stopping = true;
    await this.settled();
  }

  private launch(jobId: string, filter: ReplayFilter): void {
    const run = this.run(jobId, filter)
      .catch(async (error: unknown) => {
        const code = isGatewayError(error) ? error.code : 'INTERNAL';
        this.logger.error({ msg: 'replay job stopped', jobId, code });
        await this.db.transaction((tx) => tx.replayJobs.finish(jobId, 'failed', code, this.clock.nowMs())).catch(() => undefined);
      })
      .finally(() => this.running.delete(jobId));
    this.running.set(jobId, run);
  }

  /** The walk, oldest first, a chunk per transaction; only messages that existed when the job began. */
  private async run(jobId: string, filter: ReplayFilter): Promise<void> {
    const startedAt = (await this.db.read((s) => s.replayJobs.get(jobId)))?.createdAt ?? this.clock.nowMs();
    const base = outboxFilter(filter);
    const matching: OutboxFilter = { ...base, createdBefore: Math.min(base.createdBefore ?? Number.MAX_SAFE_INTEGER, startedAt + 1) };
    let after: OutboxPosition | null = null;
    while (!this.stopping) {
      const chunk = await this.db.read((s) => s.outbox.deadAfter(matching, after, REPLAY_CHUNK));
      if (chunk.length === 0) break;
      // An envelope that expired while its receiver was away is signed again (same id, same
      // content), before the transaction: signing is not database work.
      const renewed = new Map<string, string>();
      let failed = 0;
      for (const message of chunk) {
        if (parseDestination(message.destination)?.kind !== 'peer') continue;
        try {
          const again = await this.envelopes.renewIfExpired(message.payload);
          if (again) renewed.set(message.messageId, again);
        } catch {
          failed += 1;
          renewed.set(message.messageId, '');
        }
      }
      const last = chunk[chunk.length - 1];
      const position: OutboxPosition = { createdAt: last.createdAt, messageId: last.messageId };
      await this.db.transaction(async (tx) => {
        let replayed = 0;
        let skipped = 0;
        const now = this.clock.nowMs();
        for (const message of chunk) {
          const payload = renewed.get(message.messageId);
          if (payload === '') continue; // could not be signed again: stays dead, counted as failed
          if (payload) await tx.outbox.replacePayload(message.messageId, payload);
          if (await tx.outbox.replay(message.messageId, now)) replayed += 1;
          else skipped += 1;
        }
        await tx.replayJobs.advance(jobId, { replayed, skipped, failed }, position, now);
      });
      this.outbox.notify();
      after = position;
    }
    if (!this.stopping) await this.db.transaction((tx) => tx.replayJobs.finish(jobId, 'done', null, this.clock.nowMs()));
  }

  private view(job: ReplayJobRecord): ReplayJobView {
    const lost = job.state === 'running' && !this.running.has(job.jobId) && this.clock.nowMs() - job.updatedAt > REPLAY_STALE_MS;
    return {
      jobId: job.jobId,
      state: lost ? 'interrupted' : job.state,
      total: job.total,
      replayed: job.replayed,
      skipped: job.skipped,
      failed: job.failed,
      errorCode: job.errorCode,
      filter: JSON.parse(job.filterJson) as ReplayFilter,
      reason: job.reason,
      operatorId: job.operatorId,
      startedAt: toShanghaiIso(job.createdAt),
      updatedAt: toShanghaiIso(job.updatedAt),
    };
  }
}

/** The store's filter for a replay filter (`all` matches every dead letter). */
function outboxFilter(filter: ReplayFilter): OutboxFilter {
  return {
    ...(filter.destination ? { destination: filter.destination } : {}),
    ...(filter.deadReason ? { deadReason: filter.deadReason } : {}),
    ...(filter.messageType ? { messageType: filter.messageType } : {}),
    ...(filter.createdBefore ? { createdBefore: Date.parse(filter.createdBefore) } : {}),
  };
}
