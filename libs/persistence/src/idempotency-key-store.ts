import type { IdempotencyKeyRecord } from './records.js';
import { IdempotencyKeySchema } from './schema.js';
import type { SqlRunner } from './sql-runner.js';
import { TableMap } from './table-map.js';

const IDEMPOTENCY_KEYS = new TableMap(IdempotencyKeySchema);

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
