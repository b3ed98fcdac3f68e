import type { EntityManager } from 'typeorm';
import type { MessageLogPendingRecord, MessageLogRecord } from './records.js';
import { MessageLogPendingSchema, MessageLogSchema } from './schema.js';
import type { DatabaseKind, SqlRunner } from './sql-runner.js';
import { ManagerSqlRunner } from './manager-sql-runner.js';
import { TableMap } from './table-map.js';

const MESSAGE_LOG = new TableMap(MessageLogSchema);
const MESSAGE_LOG_PENDING = new TableMap(MessageLogPendingSchema);

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
        'INSERT INTO message_log (seq, at, direction, kind, message_id, peer, sha256, content, prev_hash, hash, hash_alg) ' +
          'SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::text[], ?::varchar[], ?::varchar[], ?::varchar[])',
        [column((r) => r.seq), column((r) => r.at), column((r) => r.direction), column((r) => r.kind), column((r) => r.messageId), column((r) => r.peer), column((r) => r.sha256), column((r) => r.content), column((r) => r.prevHash), column((r) => r.hash), column((r) => r.hashAlg)],
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
