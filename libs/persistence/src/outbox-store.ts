import type { EntityManager } from 'typeorm';
import type { NewOutboxMessage, OutboxRecord, OutboxState } from './records.js';
import { OutboxSchema } from './schema.js';
import type { DatabaseKind, SqlRunner } from './sql-runner.js';
import { ManagerSqlRunner } from './manager-sql-runner.js';
import { TableMap } from './table-map.js';

const OUTBOX = new TableMap(OutboxSchema);

export interface OutboxFilter {
  readonly state?: OutboxState;
  readonly destination?: string;
  readonly caseId?: string;
  readonly messageType?: string;
  readonly deadReason?: string;
  /** Only messages created before this instant (ms): "older than". */
  readonly createdBefore?: number;
  readonly limit?: number;
}

/** A place in the message list's order (created_at, then message_id): a page starts after it. */
export interface OutboxPosition {
  readonly createdAt: number;
  readonly messageId: string;
}

export class OutboxStore {
  constructor(
    private readonly em: EntityManager,
    private readonly kind: DatabaseKind,
    private readonly sql: SqlRunner = new ManagerSqlRunner(em, kind),
  ) {}

  async enqueue(record: NewOutboxMessage): Promise<void> {
    await this.sql.run(OUTBOX.insertSql, OUTBOX.insertParams({
      ...record,
      state: 'pending',
      attempts: 0,
      leaseUntil: null,
      lastError: null,
      deadReason: null,
      deliveredAt: null,
      receipt: null,
    }));
  }

  async get(messageId: string): Promise<OutboxRecord | null> {
    return this.em.findOneBy(OutboxSchema, { messageId });
  }

  /**
   * Claims up to `limit` messages that are due (pending or retrying and due, or in flight with an
   * expired lease: a relay that died), marking them in flight until `leaseUntil`. On PostgreSQL
   * the claim uses FOR UPDATE SKIP LOCKED so concurrent replicas never claim the same row.
   */
  async claimDue(nowMs: number, leaseUntil: number, limit: number, excludeDestinations: readonly string[] = []): Promise<OutboxRecord[]> {
    // One statement: pick the due rows and mark them in flight. Each kind of due row is read in
    // its own ordered scan of ix_outbox_due (state, next_attempt_at) that stops at `limit` rows:
    // one condition with an OR made PostgreSQL collect and sort every pending row (126 ms per
    // claim with 20,000 waiting). On PostgreSQL each scan locks what it picks and skips rows
    // another replica holds (FOR UPDATE SKIP LOCKED); a row picked but not kept by the final
    // LIMIT is only held until this short transaction ends.
    const excluded = excludeDestinations.length > 0 ? ` AND destination NOT IN (${excludeDestinations.map(() => '?').join(', ')})` : '';
    const lock = this.kind === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const scan = (name: string, condition: string) =>
      `${name} AS (SELECT message_id, next_attempt_at FROM outbox WHERE ${condition}${excluded} ORDER BY next_attempt_at ASC LIMIT ?${lock})`;
    const rows = await this.sql.all(
      `WITH ${scan('p', "state = 'pending' AND next_attempt_at <= ?")}, ${scan('r', "state = 'retrying' AND next_attempt_at <= ?")}, ` +
        `${scan('f', "state = 'in-flight' AND lease_until < ?")} ` +
        `UPDATE outbox SET state = 'in-flight', lease_until = ? WHERE message_id IN (` +
        `SELECT message_id FROM (SELECT * FROM p UNION ALL SELECT * FROM r UNION ALL SELECT * FROM f) AS due ORDER BY next_attempt_at ASC LIMIT ?) RETURNING *`,
      [nowMs, ...excludeDestinations, limit, nowMs, ...excludeDestinations, limit, nowMs, ...excludeDestinations, limit, leaseUntil, limit],
    );
    return rows.map((r) => OUTBOX.fromRow(r)).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
  }

  async markDelivered(messageId: string, nowMs: number, receipt: string | null): Promise<void> {
    await this.sql.run(
      `UPDATE outbox SET state = 'delivered', delivered_at = ?, lease_until = NULL, receipt = ?, last_error = NULL WHERE message_id = ?`,
      [nowMs, receipt, messageId],
    );
  }

  /**
   * Marks several messages delivered, each with its own proof: one statement on PostgreSQL (the
   * ids and proofs as arrays, so its text and prepared plan never change), one prepared
   * statement per message on SQLite, where a statement costs no round trip.
   */
  async markAllDelivered(delivered: readonly { readonly messageId: string; readonly receipt: string | null }[], nowMs: number): Promise<void> {
    if (delivered.length === 0) return;
    if (this.kind !== 'postgres') {
      for (const d of delivered) await this.markDelivered(d.messageId, nowMs, d.receipt);
      return;
    }
    await this.sql.run(
      `UPDATE outbox SET state = 'delivered', delivered_at = ?, lease_until = NULL, receipt = d.receipt, last_error = NULL ` +
        `FROM unnest(?::varchar[], ?::text[]) AS d(message_id, receipt) WHERE outbox.message_id = d.message_id`,
      [nowMs, delivered.map((d) => d.messageId), delivered.map((d) => d.receipt)],
    );
  }

  async markRetry(messageId: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.sql.run(
      `UPDATE outbox SET state = 'retrying', attempts = ?, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE message_id = ?`,
      [attempts, nextAttemptAt, error.slice(0, 400), messageId],
    );
  }

  async markDead(messageId: string, attempts: number, reason: string, error: string): Promise<void> {
    await this.em.update(
      OutboxSchema,
      { messageId },
      { state: 'dead', attempts, leaseUntil: null, deadReason: reason.slice(0, 64), lastError: error.slice(0, 400) },
    );
  }

  /**
   * Extends the lease of messages a relay is still sending (its heartbeat), so a lease can be
   * short, and a dead relay's claims are taken over soon, without a slow send losing its claim.
   * Only rows still in flight are touched: one delivered or given back meanwhile stays as it is.
   * Returns how many leases were extended.
   *
   * @example await tx.outbox.renewLeases(['0190…'], nowMs + 8_000)
   */
  async renewLeases(messageIds: readonly string[], leaseUntil: number): Promise<number> {
    if (messageIds.length === 0) return 0;
    if (this.kind === 'postgres') {
      // One statement with the ids as an array: its text and prepared plan never change.
      return this.sql.run(`UPDATE outbox SET lease_until = ? WHERE message_id = ANY(?::varchar[]) AND state = 'in-flight'`, [leaseUntil, [...messageIds]]);
    }
    let renewed = 0;
    for (const id of messageIds) {
      renewed += await this.sql.run(`UPDATE outbox SET lease_until = ? WHERE message_id = ? AND state = 'in-flight'`, [leaseUntil, id]);
    }
    return renewed;
  }

  /**
   * Makes every retrying message of a destination due now (its backoff is over): the destination
   * answered again, and its messages must not wait out backoffs drawn while it was down.
   * Returns how many were made due.
   *
   * @example await tx.outbox.makeDue('peer:CQ', nowMs)
   */
  async makeDue(destination: string, nowMs: number): Promise<number> {
    return this.sql.run(`UPDATE outbox SET next_attempt_at = ? WHERE state = 'retrying' AND destination = ? AND next_attempt_at > ?`, [nowMs, destination, nowMs]);
  }

  /**
   * Dead-letters a destination's waiting messages (pending or retrying, not in flight) created
   * before `createdBefore`, with `reason`, keeping each one's last error if it had one; returns
   * them. The age limit of a retry policy for messages that are not being tried (their
   * destination's circuit is open).
   *
   * @example await tx.outbox.expireWaiting('peer:CQ', nowMs - policy.maxAgeMs, 'RETRIES_EXHAUSTED', 'not delivered within maxAgeMs')
   */
  async expireWaiting(destination: string, createdBefore: number, reason: string, error: string): Promise<OutboxRecord[]> {
    const rows = await this.sql.all(
      `UPDATE outbox SET state = 'dead', lease_until = NULL, dead_reason = ?, last_error = COALESCE(last_error, ?) ` +
        `WHERE state IN ('pending', 'retrying') AND destination = ? AND created_at < ? RETURNING *`,
      [reason.slice(0, 64), error.slice(0, 400), destination, createdBefore],
    );
    return rows.map((r) => OUTBOX.fromRow(r));
  }

  /** Gives back a claim without counting an attempt (graceful shutdown). */
  async release(messageId: string, nowMs: number): Promise<void> {
    await this.sql.run(
      `UPDATE outbox SET state = 'retrying', lease_until = NULL, next_attempt_at = ? WHERE message_id = ? AND state = 'in-flight'`,
      [nowMs, messageId],
    );
  }

  async list(filter: OutboxFilter): Promise<OutboxRecord[]> {
    return this.filtered(filter).orderBy('o.createdAt', 'DESC').take(filter.limit ?? 100).getMany();
  }

  /**
   * One page of the messages matching `filter`, newest first in a stable order (created_at, then
   * message_id, both descending), starting after `after` (null: the first page). Keyset paging:
   * a message added or moved meanwhile never makes a page repeat or skip another.
   *
   * @example await s.outbox.page({ state: 'dead' }, null, 100)
   */
  async page(filter: OutboxFilter, after: OutboxPosition | null, limit: number): Promise<OutboxRecord[]> {
    const qb = this.filtered(filter);
    if (after) {
      qb.andWhere('(o.created_at < :afterAt OR (o.created_at = :afterAt AND o.message_id < :afterId))', { afterAt: after.createdAt, afterId: after.messageId });
    }
    return qb.orderBy('o.created_at', 'DESC').addOrderBy('o.message_id', 'DESC').limit(limit).getMany();
  }

  /** How many messages match `filter` (its `limit` aside). */
  async count(filter: OutboxFilter): Promise<number> {
    return this.filtered(filter).getCount();
  }

  /**
   * Dead letters matching `filter`, oldest first (created_at, then message_id, ascending), after
   * `after`: the walk of a replay by filter, a chunk at a time. Only id, destination, creation
   * time and payload are needed, but the whole row is read (the payload is most of it).
   *
   * @example await tx.outbox.deadAfter({ destination: 'peer:SC' }, null, 100)
   */
  async deadAfter(filter: OutboxFilter, after: OutboxPosition | null, limit: number): Promise<OutboxRecord[]> {
    const qb = this.filtered({ ...filter, state: 'dead' });
    if (after) {
      qb.andWhere('(o.created_at > :afterAt OR (o.created_at = :afterAt AND o.message_id > :afterId))', { afterAt: after.createdAt, afterId: after.messageId });
    }
    return qb.orderBy('o.created_at', 'ASC').addOrderBy('o.message_id', 'ASC').limit(limit).getMany();
  }

  private filtered(filter: OutboxFilter) {
    const qb = this.em.getRepository(OutboxSchema).createQueryBuilder('o');
    if (filter.state) qb.andWhere('o.state = :state', { state: filter.state });
    if (filter.destination) qb.andWhere('o.destination = :destination', { destination: filter.destination });
    if (filter.caseId) qb.andWhere('o.case_id = :caseId', { caseId: filter.caseId });
    if (filter.messageType) qb.andWhere('o.message_type = :messageType', { messageType: filter.messageType });
    if (filter.deadReason) qb.andWhere('o.dead_reason = :deadReason', { deadReason: filter.deadReason });
    if (filter.createdBefore !== undefined) qb.andWhere('o.created_at < :before', { before: filter.createdBefore });
    return qb;
  }

  /**
   * Puts a dead message back in the queue under its original id (receivers stay idempotent).
   * Returns false when the message is not dead (already replayed, or never failed).
   */
  async replay(messageId: string, nowMs: number): Promise<boolean> {
    const result = await this.em.update(
      OutboxSchema,
      { messageId, state: 'dead' },
      { state: 'pending', nextAttemptAt: nowMs, attempts: 0, deadReason: null, leaseUntil: null },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Replaces the payload of a message its relay holds (in flight): an envelope signed again in the
   * suite the federation accepts now, just before it is sent. False when the message is no longer
   * in flight (another relay took it over): nothing changed.
   */
  async replaceInFlightPayload(messageId: string, payload: string): Promise<boolean> {
    return (await this.sql.run(`UPDATE outbox SET payload = ? WHERE message_id = ? AND state = 'in-flight'`, [payload, messageId])) > 0;
  }

  /** Replaces a dead message's payload (an expired envelope signed again) before it is replayed. */
  async replacePayload(messageId: string, payload: string): Promise<void> {
    await this.em.update(OutboxSchema, { messageId, state: 'dead' }, { payload });
  }

  /** Messages not yet delivered (the backlog), for back-pressure and metrics. */
  async backlog(): Promise<number> {
    const rows = await this.sql.all(`SELECT COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'in-flight', 'retrying')`, []);
    return Number(rows[0]?.['n'] ?? 0);
  }

  /** Undelivered messages (pending, in flight, retrying) per destination, counted by the database. */
  async backlogByDestination(): Promise<Map<string, number>> {
    const rows = await this.sql.all(
      `SELECT destination, COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'in-flight', 'retrying') GROUP BY destination`,
      [],
    );
    return new Map(rows.map((r) => [String(r['destination']), Number(r['n'])]));
  }

  async countsByState(): Promise<Record<string, number>> {
    const rows: { state: string; n: string | number }[] = await this.em
      .createQueryBuilder()
      .select('o.state', 'state')
      .addSelect('COUNT(*)', 'n')
      .from('outbox', 'o')
      .groupBy('o.state')
      .getRawMany();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}
