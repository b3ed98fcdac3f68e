import type { EntityManager, EntitySchema, ValueTransformer } from 'typeorm';
import { In } from 'typeorm';
import type {
  AuditRecord,
  MessageLogPendingRecord,
  MessageLogRecord,
  NewOutboxMessage,
  CaseEventRecord,
  CaseRecord,
  CredentialRecord,
  InboxRecord,
  OutboxRecord,
  OutboxState,
  PendingStatusRecord,
  IdempotencyKeyRecord,
} from './records.js';
import {
  AuditSchema,
  MessageLogPendingSchema,
  MessageLogSchema,
  CaseEventSchema,
  CaseSchema,
  CredentialSchema,
  InboxSchema,
  OutboxSchema,
  PendingStatusSchema,
  IdempotencyKeySchema,
} from './schema.js';

import { ConversationStore } from './conversation-store.js';
import { LogCheckpointStore } from './log-checkpoint-store.js';
import { AdapterHeartbeatStore } from './adapter-heartbeat-store.js';
import { ReplayJobStore } from './replay-job-store.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/**
 * Raw parameterised SQL on the stores' connection (or transaction), for the hot path: typeorm's
 * query builder costs more CPU per statement than SQLite takes to run it (profile of
 * 2026-11-25, bench/reports). Placeholders are `?` on both databases; the PostgreSQL runner
 * numbers them. Only plain SQL that both dialects accept is written through it.
 */
export interface SqlRunner {
  /** Rows of a SELECT (or of an UPDATE … RETURNING). */
  all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs a write; returns the number of rows it changed. */
  run(sql: string, params: readonly unknown[]): Promise<number>;
}

/** The part of a better-sqlite3 statement and database the runner uses (typed here, no import). */
interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}
export interface SqliteHandle {
  prepare(sql: string): SqliteStatement;
}

/**
 * SQLite: statements prepared once per process on the single connection and reused (typeorm
 * prepares them again for every transaction, since its cache belongs to a query runner). Every
 * unit of work runs under GatewayDatabase's lock on that one connection, so a statement run here
 * is inside the transaction that unit opened.
 */
export class SqliteSqlRunner implements SqlRunner {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly handle: SqliteHandle) {}

  all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return Promise.resolve(this.statement(sql).all(...params) as Record<string, unknown>[]);
  }

  run(sql: string, params: readonly unknown[]): Promise<number> {
    return Promise.resolve(this.statement(sql).run(...params).changes);
  }

  /**
   * Savepoints for the units of a group commit (GatewayDatabase.transaction). One name suffices:
   * units of a group run one after another, never nested.
   */
  savepoint(): void {
    this.statement('SAVEPOINT gateway_unit').run();
  }

  releaseSavepoint(): void {
    this.statement('RELEASE gateway_unit').run();
  }

  /** Undoes the writes since `savepoint()` and ends it. */
  rollbackToSavepoint(): void {
    this.statement('ROLLBACK TO gateway_unit').run();
    this.statement('RELEASE gateway_unit').run();
  }

  private statement(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.handle.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

const numbered = new Map<string, string>();

/** `?` → `$1`, `$2`, … (none of our SQL has a `?` inside a literal). */
function toPostgres(sql: string): string {
  let converted = numbered.get(sql);
  if (converted === undefined) {
    let n = 0;
    converted = sql.replace(/\?/g, () => `$${(n += 1)}`);
    numbered.set(sql, converted);
  }
  return converted;
}

/** The part of a node-postgres client the runner uses (typed here, no import). */
interface PgClient {
  query(config: { readonly name?: string; readonly text: string; readonly values: unknown[] }): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/**
 * At most this many distinct statements are prepared by name per process (each connection
 * prepares one the first time it runs it). The hot path has a few dozen; statements with a
 * variable number of rows or ids add one per size. Past the bound, statements run unnamed.
 */
const MAX_NAMED_STATEMENTS = 256;
const statementNames = new Map<string, string>();

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `cytb_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Through the entity manager's connection, so a transaction's SQL stays in it. On PostgreSQL the
 * hot path's statements go straight to the node-postgres client as named prepared statements:
 * PostgreSQL then parses and plans each once per connection instead of on every execution (it
 * was the largest single consumer of CPU in production mode, profile of 2026-11-25), and
 * typeorm's per-query bookkeeping is skipped.
 */
export class ManagerSqlRunner implements SqlRunner {
  constructor(
    private readonly em: EntityManager,
    private readonly kind: DatabaseKind,
  ) {}

  async all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return (await this.execute(sql, params)).rows;
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    return (await this.execute(sql, params)).affected;
  }

  private async execute(sql: string, params: readonly unknown[]): Promise<{ rows: Record<string, unknown>[]; affected: number }> {
    const runner = this.em.queryRunner ?? this.em.dataSource.createQueryRunner();
    try {
      if (this.kind === 'postgres') {
        const text = toPostgres(sql);
        const client = (await runner.connect()) as PgClient;
        const name = statementName(text);
        const result = await client.query({ ...(name ? { name } : {}), text, values: [...params] });
        return { rows: result.rows, affected: result.rowCount ?? 0 };
      }
      const result = (await runner.query(sql, [...params], true)) as { records?: unknown[]; affected?: number };
      return { rows: (Array.isArray(result.records) ? result.records : []) as Record<string, unknown>[], affected: result.affected ?? 0 };
    } finally {
      if (!this.em.queryRunner) await runner.release();
    }
  }
}

interface ColumnMap {
  readonly property: string;
  readonly column: string;
  readonly transformer?: ValueTransformer;
  readonly generated: boolean;
}

/**
 * A table's columns as its EntitySchema declares them, so raw SQL and typeorm read and write
 * rows the same way (names, bigint → number, flags) and a column added to the schema is carried
 * without touching this file.
 */
class TableMap<T extends object> {
  readonly table: string;
  readonly columns: readonly ColumnMap[];
  readonly insertSql: string;
  private readonly insertable: readonly ColumnMap[];
  private readonly insertMany = new Map<number, string>();

  constructor(schema: EntitySchema<T>) {
    this.table = schema.options.tableName ?? schema.options.name;
    this.columns = Object.entries(schema.options.columns).map(([property, options]) => {
      const o = (options ?? {}) as { name?: string; transformer?: ValueTransformer | ValueTransformer[]; generated?: unknown };
      const transformer = Array.isArray(o.transformer) ? o.transformer[0] : o.transformer;
      return { property, column: o.name ?? property, generated: Boolean(o.generated), ...(transformer ? { transformer } : {}) };
    });
    this.insertable = this.columns.filter((c) => !c.generated);
    this.insertSql = `INSERT INTO ${this.table} (${this.insertable.map((c) => c.column).join(', ')}) VALUES (${this.insertable.map(() => '?').join(', ')})`;
  }

  /** One INSERT for `rows` records (kept per row count: a statement is prepared once). */
  insertManySql(rows: number): string {
    let sql = this.insertMany.get(rows);
    if (sql === undefined) {
      const tuple = `(${this.insertable.map(() => '?').join(', ')})`;
      sql = `INSERT INTO ${this.table} (${this.insertable.map((c) => c.column).join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
      this.insertMany.set(rows, sql);
    }
    return sql;
  }

  insertParams(record: T): unknown[] {
    return this.insertable.map((c) => this.toDb(c, (record as Record<string, unknown>)[c.property]));
  }

  fromRow(row: Record<string, unknown>): T {
    const out: Record<string, unknown> = {};
    for (const c of this.columns) {
      const value = row[c.column];
      out[c.property] = c.transformer ? (c.transformer.from(value) as unknown) : value;
    }
    return out as T;
  }

  column(property: string): ColumnMap {
    const found = this.columns.find((c) => c.property === property);
    if (!found) throw new TypeError(`no column for ${property} in ${this.table}`);
    return found;
  }

  toDb(column: ColumnMap, value: unknown): unknown {
    const v = value === undefined ? null : value;
    const converted = column.transformer ? (column.transformer.to(v) as unknown) : v;
    return typeof converted === 'boolean' ? (converted ? 1 : 0) : converted;
  }
}

const CASES = new TableMap(CaseSchema);
const CASE_EVENTS = new TableMap(CaseEventSchema);
const OUTBOX = new TableMap(OutboxSchema);
const INBOX = new TableMap(InboxSchema);
const MESSAGE_LOG = new TableMap(MessageLogSchema);
const MESSAGE_LOG_PENDING = new TableMap(MessageLogPendingSchema);
const PENDING_STATUS = new TableMap(PendingStatusSchema);
const CREDENTIALS = new TableMap(CredentialSchema);
const IDEMPOTENCY_KEYS = new TableMap(IdempotencyKeySchema);

export class CaseStore {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlRunner = new ManagerSqlRunner(em, 'sqlite'),
    private readonly kind: DatabaseKind = 'sqlite',
  ) {}

  async insert(record: CaseRecord): Promise<void> {
    await this.sql.run(CASES.insertSql, CASES.insertParams(record));
  }

  async get(caseId: string): Promise<CaseRecord | null> {
    const rows = await this.sql.all('SELECT * FROM cases WHERE case_id = ?', [caseId]);
    return rows[0] ? CASES.fromRow(rows[0]) : null;
  }

  /**
   * The case, for a transaction that changes it: on PostgreSQL the row stays locked until the
   * transaction ends (FOR UPDATE), so two replicas (or two requests of one) that move the same
   * case take turns and each sees the other's write; otherwise both could read sequence N, and
   * the update that fills a gap would miss the one parked beside it. SQLite transactions are
   * serialised already.
   */
  async getForUpdate(caseId: string): Promise<CaseRecord | null> {
    const lock = this.kind === 'postgres' ? ' FOR UPDATE' : '';
    const rows = await this.sql.all(`SELECT * FROM cases WHERE case_id = ?${lock}`, [caseId]);
    return rows[0] ? CASES.fromRow(rows[0]) : null;
  }

  /**
   * PostgreSQL: locks these cases' rows until the transaction ends, in ascending case id order
   * (one statement; byte order, COLLATE "C", as JavaScript compares them). A transaction that
   * moves several cases takes their locks first and in this one order, so two such transactions
   * never wait for each other in a cycle. They did ("deadlock detected", a second lost each
   * time) when each took its cases in message order. SQLite transactions are serialised already.
   */
  async lockAll(caseIds: readonly string[]): Promise<void> {
    if (this.kind !== 'postgres' || caseIds.length === 0) return;
    await this.sql.all('SELECT case_id FROM cases WHERE case_id = ANY(?) ORDER BY case_id COLLATE "C" FOR UPDATE', [[...new Set(caseIds)]]);
  }

  async update(caseId: string, changes: Partial<Omit<CaseRecord, 'caseId'>>): Promise<void> {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const columns = entries.map(([property]) => CASES.column(property));
    await this.sql.run(
      `UPDATE cases SET ${columns.map((c) => `${c.column} = ?`).join(', ')} WHERE case_id = ?`,
      [...entries.map(([, value], i) => CASES.toDb(columns[i], value)), caseId],
    );
  }

  /** The cases accepted at any of these windows (the windows of one agency), newest first. */
  async listByWindows(windowIds: readonly string[], limit: number): Promise<CaseRecord[]> {
    if (windowIds.length === 0) return [];
    return this.em.find(CaseSchema, { where: { windowId: In([...windowIds]) }, order: { acceptedAt: 'DESC' }, take: limit });
  }

  async listByApplicant(applicantHash: string, limit: number): Promise<CaseRecord[]> {
    return this.em.find(CaseSchema, { where: { applicantHash }, order: { acceptedAt: 'DESC' }, take: limit });
  }

  async listRecent(limit: number, status?: string): Promise<CaseRecord[]> {
    return this.em.find(CaseSchema, {
      where: status === undefined ? {} : { status },
      order: { acceptedAt: 'DESC' },
      take: limit,
    });
  }
}

export class CaseEventStore {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlRunner = new ManagerSqlRunner(em, 'sqlite'),
  ) {}

  /**
   * Records an event once per (case, source). Returns false when it was already recorded. One
   * statement (the unique index ux_case_events_source decides), not a look-up and an insert:
   * on PostgreSQL each statement is a round trip.
   */
  async insertOnce(event: CaseEventRecord): Promise<boolean> {
    return (await this.sql.run(`${CASE_EVENTS.insertSql} ON CONFLICT (case_id, source_id) DO NOTHING`, CASE_EVENTS.insertParams(event))) > 0;
  }

  async findBySource(caseId: string, sourceId: string): Promise<CaseEventRecord | null> {
    const rows = await this.sql.all('SELECT * FROM case_events WHERE case_id = ? AND source_id = ?', [caseId, sourceId]);
    return rows[0] ? CASE_EVENTS.fromRow(rows[0]) : null;
  }

  async listByCase(caseId: string): Promise<CaseEventRecord[]> {
    return this.em.find(CaseEventSchema, { where: { caseId }, order: { id: 'ASC' } });
  }
}

export class PendingStatusStore {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlRunner = new ManagerSqlRunner(em, 'sqlite'),
  ) {}

  async put(record: PendingStatusRecord): Promise<void> {
    await this.sql.run(`${PENDING_STATUS.insertSql} ON CONFLICT (case_id, seq) DO NOTHING`, PENDING_STATUS.insertParams(record));
  }

  /** Removes and returns the buffered update with this sequence number, if any. */
  async take(caseId: string, seq: number): Promise<PendingStatusRecord | null> {
    const rows = await this.sql.all('SELECT * FROM pending_status WHERE case_id = ? AND seq = ?', [caseId, seq]);
    if (!rows[0]) return null;
    await this.sql.run('DELETE FROM pending_status WHERE case_id = ? AND seq = ?', [caseId, seq]);
    return PENDING_STATUS.fromRow(rows[0]);
  }

  async countByCase(caseId: string): Promise<number> {
    return this.em.countBy(PendingStatusSchema, { caseId });
  }
}

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

export class InboxStore {
  constructor(
    em: EntityManager,
    private readonly sql: SqlRunner = new ManagerSqlRunner(em, 'sqlite'),
  ) {}

  async get(messageId: string): Promise<InboxRecord | null> {
    const rows = await this.sql.all('SELECT * FROM inbox WHERE message_id = ?', [messageId]);
    return rows[0] ? INBOX.fromRow(rows[0]) : null;
  }

  /**
   * Records a message id once. Returns false when the id is already there (nothing written): one
   * statement for a new message, where a look-up and an insert were two.
   */
  async insertOnce(record: InboxRecord): Promise<boolean> {
    return (await this.sql.run(`${INBOX.insertSql} ON CONFLICT (message_id) DO NOTHING`, INBOX.insertParams(record))) > 0;
  }
}

export class CredentialStore {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlRunner = new ManagerSqlRunner(em, 'sqlite'),
  ) {}

  /** Read on every intake request (the bearer check): raw SQL, like the rest of the hot path. */
  async get(credentialId: string): Promise<CredentialRecord | null> {
    const rows = await this.sql.all('SELECT * FROM credentials WHERE credential_id = ?', [credentialId]);
    return rows[0] ? CREDENTIALS.fromRow(rows[0]) : null;
  }

  async insert(record: CredentialRecord): Promise<void> {
    await this.em.insert(CredentialSchema, record);
  }

  /** A new secret and expiry; a disabled credential is enabled again (reissuing is how it comes back). */
  async replaceSecret(credentialId: string, secretHash: string, expiresAt: number | null): Promise<void> {
    await this.em.update(CredentialSchema, { credentialId }, { secretHash, expiresAt, disabledAt: null, disabledReason: null });
  }

  async disable(credentialId: string, at: number, reason: string): Promise<void> {
    await this.em.update(CredentialSchema, { credentialId }, { disabledAt: at, disabledReason: reason });
  }

  /** Notes a use of the credential (the caller decides how often: not on every request). */
  async touch(credentialId: string, at: number): Promise<void> {
    await this.sql.run('UPDATE credentials SET last_used_at = ? WHERE credential_id = ?', [at, credentialId]);
  }

  /** Every credential of this node, by id (an operator's list; a node has tens to hundreds). */
  async list(): Promise<CredentialRecord[]> {
    return this.em.find(CredentialSchema, { order: { credentialId: 'ASC' } });
  }

  /** The window credentials of one agency (经办机构): its windows see each other's cases. */
  async windowsOfAgency(agency: string): Promise<string[]> {
    const rows = await this.sql.all("SELECT credential_id FROM credentials WHERE role = 'window' AND agency = ?", [agency]);
    return rows.map((r) => String(r['credential_id']));
  }

  async countByRole(role: CredentialRecord['role']): Promise<number> {
    return this.em.countBy(CredentialSchema, { role });
  }
}

export class AuditStore {
  constructor(private readonly em: EntityManager) {}

  async append(record: AuditRecord): Promise<void> {
    await this.em.insert(AuditSchema, record);
  }

  async list(subject?: string, limit = 100): Promise<AuditRecord[]> {
    return this.em.find(AuditSchema, { where: subject ? { subject } : {}, order: { id: 'DESC' }, take: limit });
  }
}

export class MessageLogStore {
  /**
   * The entry this store appended last. A store belongs to one transaction, which holds the log
   * (PostgreSQL: the table lock taken by the first `head`; SQLite: the single writer), so nobody
   * else can append meanwhile: the next `head` is this entry, without a lock or a query again.
   */
  private appended: MessageLogRecord | null = null;
  /** PostgreSQL: entries staged in this transaction and not yet written (see `stage`). */
  private readonly staged: Omit<MessageLogPendingRecord, 'id'>[] = [];

  constructor(
    private readonly em: EntityManager,
    private readonly kind: DatabaseKind,
    private readonly sql: SqlRunner = new ManagerSqlRunner(em, kind),
  ) {}

  /**
   * The last entry, read so the next one can chain to it. On PostgreSQL the table is locked for
   * the rest of the transaction so two chain writers (replicas) cannot append with the same seq;
   * on SQLite the database's single writer already serialises appends.
   */
  async head(): Promise<MessageLogRecord | null> {
    if (this.appended) return this.appended;
    if (this.kind === 'postgres') await this.sql.run('LOCK TABLE message_log IN EXCLUSIVE MODE', []);
    const rows = await this.sql.all('SELECT * FROM message_log ORDER BY seq DESC LIMIT 1', []);
    return rows[0] ? MESSAGE_LOG.fromRow(rows[0]) : null;
  }

  /** The last chained entry, read without the lock `head` takes (a checkpoint only reads it). */
  async newest(): Promise<MessageLogRecord | null> {
    const rows = await this.sql.all('SELECT * FROM message_log ORDER BY seq DESC LIMIT 1', []);
    return rows[0] ? MESSAGE_LOG.fromRow(rows[0]) : null;
  }

  /** Appends chained entries, in order, in one statement (the caller read `head` first). */
  async append(records: readonly MessageLogRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.kind === 'postgres') {
      // Columns as arrays: one statement text (and prepared plan) whatever the number of rows.
      const column = (pick: (r: MessageLogRecord) => unknown) => records.map(pick);
      await this.sql.run(
        'INSERT INTO message_log (seq, at, direction, kind, message_id, peer, sha256, content, prev_hash, hash) ' +
          'SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::text[], ?::varchar[], ?::varchar[])',
        [column((r) => r.seq), column((r) => r.at), column((r) => r.direction), column((r) => r.kind), column((r) => r.messageId), column((r) => r.peer), column((r) => r.sha256), column((r) => r.content), column((r) => r.prevHash), column((r) => r.hash)],
      );
    } else {
      await this.sql.run(MESSAGE_LOG.insertManySql(records.length), records.flatMap((r) => MESSAGE_LOG.insertParams(r)));
    }
    this.appended = records[records.length - 1];
  }

  /**
   * PostgreSQL: entries to be chained later (no lock: see MessageLogPendingRecord). They are
   * kept here and written by `flush`, which the transaction runs before it commits, so a
   * transaction that logs many messages (a batch) writes them in one statement.
   */
  stage(records: readonly Omit<MessageLogPendingRecord, 'id'>[]): void {
    this.staged.push(...records);
  }

  /** Writes what was staged (GatewayDatabase.transaction calls it before the commit). */
  async flush(): Promise<void> {
    if (this.staged.length === 0) return;
    const rows = this.staged.splice(0, this.staged.length);
    const column = (pick: (r: Omit<MessageLogPendingRecord, 'id'>) => unknown) => rows.map(pick);
    await this.sql.run(
      'INSERT INTO message_log_pending (at, direction, kind, message_id, peer, sha256, content) ' +
        'SELECT * FROM unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::text[])',
      [column((r) => r.at), column((r) => r.direction), column((r) => r.kind), column((r) => r.messageId), column((r) => r.peer), column((r) => r.sha256), column((r) => r.content)],
    );
  }

  /** The oldest entries waiting to be chained, in the order they were written. */
  async pending(limit: number): Promise<MessageLogPendingRecord[]> {
    const rows = await this.sql.all('SELECT * FROM message_log_pending ORDER BY id ASC LIMIT ?', [limit]);
    return rows.map((r) => MESSAGE_LOG_PENDING.fromRow(r));
  }

  /** Removes entries that were chained (in the same transaction as their `append`). */
  async removePending(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.run('DELETE FROM message_log_pending WHERE id = ANY(?)', [ids]);
  }

  /** Whether any entry waits to be chained (no lock taken). */
  async anyPending(): Promise<boolean> {
    return (await this.sql.all('SELECT 1 AS waiting FROM message_log_pending LIMIT 1', [])).length > 0;
  }

  async pendingCount(): Promise<number> {
    const rows = await this.sql.all('SELECT COUNT(*) AS n FROM message_log_pending', []);
    return Number(rows[0]?.['n'] ?? 0);
  }

  /** Entries in order, a page at a time (the offline verifier walks them all). */
  async page(afterSeq: number, limit: number): Promise<MessageLogRecord[]> {
    return this.em.getRepository(MessageLogSchema).createQueryBuilder('l').where('l.seq > :afterSeq', { afterSeq }).orderBy('l.seq', 'ASC').limit(limit).getMany();
  }
}

/**
 * The answers kept for windows' idempotency keys, by credential and key. Raw SQL both dialects
 * accept: the look-up and the insert are on the intake path.
 */
export class IdempotencyKeyStore {
  constructor(private readonly sql: SqlRunner) {}

  /** The answer kept for this credential's key, unless it expired (`nowMs` at or past `expiresAt`). */
  async get(credentialId: string, idempotencyKey: string, nowMs: number): Promise<IdempotencyKeyRecord | null> {
    const rows = await this.sql.all('SELECT * FROM idempotency_keys WHERE credential_id = ? AND idempotency_key = ? AND expires_at > ?', [credentialId, idempotencyKey, nowMs]);
    return rows[0] ? IDEMPOTENCY_KEYS.fromRow(rows[0]) : null;
  }

  /**
   * Keeps an answer once per (credential, key); an expired one with the same key is replaced.
   * Returns false when the key is taken (another request with it committed first): the caller
   * then rolls its transaction back. On PostgreSQL a concurrent insert of the same key waits on
   * the primary key until the first transaction ends, so two replicas never both keep one.
   */
  async insertOnce(record: IdempotencyKeyRecord): Promise<boolean> {
    await this.sql.run('DELETE FROM idempotency_keys WHERE credential_id = ? AND idempotency_key = ? AND expires_at <= ?', [record.credentialId, record.idempotencyKey, record.createdAt]);
    return (await this.sql.run(`${IDEMPOTENCY_KEYS.insertSql} ON CONFLICT (credential_id, idempotency_key) DO NOTHING`, IDEMPOTENCY_KEYS.insertParams(record))) > 0;
  }

  /** Forgets every answer that expired by `nowMs`; returns how many. */
  async purgeExpired(nowMs: number): Promise<number> {
    return this.sql.run('DELETE FROM idempotency_keys WHERE expires_at <= ?', [nowMs]);
  }
}

/** Every store, bound to one entity manager (a transaction, or the plain connection). */
export class GatewayStores {
  readonly cases: CaseStore;
  readonly events: CaseEventStore;
  readonly pendingStatus: PendingStatusStore;
  readonly outbox: OutboxStore;
  readonly inbox: InboxStore;
  readonly credentials: CredentialStore;
  readonly audit: AuditStore;
  readonly messageLog: MessageLogStore;
  readonly conversations: ConversationStore;
  readonly logCheckpoints: LogCheckpointStore;
  readonly idempotencyKeys: IdempotencyKeyStore;
  readonly heartbeats: AdapterHeartbeatStore;
  readonly replayJobs: ReplayJobStore;

  /** `sql` runs the hot path's raw statements; by default through `em` (GatewayDatabase passes SQLite's shared one). */
  constructor(
    em: EntityManager,
    readonly kind: DatabaseKind,
    sql: SqlRunner = new ManagerSqlRunner(em, kind),
  ) {
    this.cases = new CaseStore(em, sql, kind);
    this.events = new CaseEventStore(em, sql);
    this.pendingStatus = new PendingStatusStore(em, sql);
    this.outbox = new OutboxStore(em, kind, sql);
    this.inbox = new InboxStore(em, sql);
    this.credentials = new CredentialStore(em, sql);
    this.audit = new AuditStore(em);
    this.messageLog = new MessageLogStore(em, kind, sql);
    this.conversations = new ConversationStore(em);
    this.logCheckpoints = new LogCheckpointStore(em);
    this.idempotencyKeys = new IdempotencyKeyStore(sql);
    this.heartbeats = new AdapterHeartbeatStore(sql);
    this.replayJobs = new ReplayJobStore(sql);
  }

  /** Writes what the stores deferred to the end of the transaction (GatewayDatabase.transaction runs it before the commit). */
  async flush(): Promise<void> {
    await this.messageLog.flush();
  }
}
