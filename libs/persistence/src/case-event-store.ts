import type { EntityManager } from 'typeorm';
import type { CaseEventRecord } from './records.js';
import { CaseEventSchema } from './schema.js';
import type { SqlRunner } from './sql-runner.js';
import { ManagerSqlRunner } from './manager-sql-runner.js';
import { TableMap } from './table-map.js';

const CASE_EVENTS = new TableMap(CaseEventSchema);

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
