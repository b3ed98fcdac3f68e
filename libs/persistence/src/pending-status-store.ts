import type { EntityManager } from 'typeorm';
import type { PendingStatusRecord } from './records.js';
import { PendingStatusSchema } from './schema.js';
import type { SqlRunner } from './sql-runner.js';
import { ManagerSqlRunner } from './manager-sql-runner.js';
import { TableMap } from './table-map.js';

const PENDING_STATUS = new TableMap(PendingStatusSchema);

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
