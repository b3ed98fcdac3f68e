import type { SqlRunner } from './sql-runner.js';

export type ReplayJobState = 'running' | 'done' | 'failed';

/** A replay of every dead letter matching a filter (migration 0010), with its progress. */
export interface ReplayJobRecord {
  readonly jobId: string;
  readonly operatorId: string;
  readonly reason: string;
  /** The filter as the operator gave it (JSON). */
  readonly filterJson: string;
  readonly state: ReplayJobState;
  /** Dead letters matching the filter when the job started. */
  readonly total: number;
  readonly replayed: number;
  /** Matched but no longer dead when their turn came (replayed meanwhile by someone else). */
  readonly skipped: number;
  /** Could not be replayed (an expired envelope that could not be signed again). */
  readonly failed: number;
  /** Why the job stopped, when it did (`failed`), e.g. DATABASE_UNAVAILABLE. */
  readonly errorCode: string | null;
  /** Where the walk is: the last (created_at, message_id) handled. */
  readonly afterCreatedAt: number | null;
  readonly afterMessageId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const COLUMNS =
  'job_id, operator_id, reason, filter_json, state, total, replayed, skipped, failed, error_code, after_created_at, after_message_id, created_at, updated_at';

function fromRow(r: Record<string, unknown>): ReplayJobRecord {
  const nullableNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const nullableText = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    jobId: String(r['job_id']),
    operatorId: String(r['operator_id']),
    reason: String(r['reason']),
    filterJson: String(r['filter_json']),
    state: String(r['state']) as ReplayJobState,
    total: Number(r['total']),
    replayed: Number(r['replayed']),
    skipped: Number(r['skipped']),
    failed: Number(r['failed']),
    errorCode: nullableText(r['error_code']),
    afterCreatedAt: nullableNumber(r['after_created_at']),
    afterMessageId: nullableText(r['after_message_id']),
    createdAt: Number(r['created_at']),
    updatedAt: Number(r['updated_at']),
  };
}

/** Replay jobs: created once, then moved on chunk by chunk by the process that runs them. */
export class ReplayJobStore {
  constructor(private readonly sql: SqlRunner) {}

  async insert(job: ReplayJobRecord): Promise<void> {
    await this.sql.run(`INSERT INTO replay_jobs (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      job.jobId,
      job.operatorId,
      job.reason,
      job.filterJson,
      job.state,
      job.total,
      job.replayed,
      job.skipped,
      job.failed,
      job.errorCode,
      job.afterCreatedAt,
      job.afterMessageId,
      job.createdAt,
      job.updatedAt,
    ]);
  }

  async get(jobId: string): Promise<ReplayJobRecord | null> {
    const rows = await this.sql.all(`SELECT ${COLUMNS} FROM replay_jobs WHERE job_id = ?`, [jobId]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /**
   * Records one chunk's outcome and where the walk now stands, in the chunk's transaction.
   *
   * @example await tx.replayJobs.advance(jobId, { replayed: 100, skipped: 0, failed: 0 }, { createdAt, messageId }, now)
   */
  async advance(
    jobId: string,
    counts: { readonly replayed: number; readonly skipped: number; readonly failed: number },
    after: { readonly createdAt: number; readonly messageId: string },
    nowMs: number,
  ): Promise<void> {
    await this.sql.run(
      'UPDATE replay_jobs SET replayed = replayed + ?, skipped = skipped + ?, failed = failed + ?, after_created_at = ?, after_message_id = ?, updated_at = ? WHERE job_id = ?',
      [counts.replayed, counts.skipped, counts.failed, after.createdAt, after.messageId, nowMs, jobId],
    );
  }

  /** Ends the job: `done`, or `failed` with the code of what stopped it. */
  async finish(jobId: string, state: Exclude<ReplayJobState, 'running'>, errorCode: string | null, nowMs: number): Promise<void> {
    await this.sql.run('UPDATE replay_jobs SET state = ?, error_code = ?, updated_at = ? WHERE job_id = ?', [state, errorCode, nowMs, jobId]);
  }
}
