import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { CaseRecord } from './records.js';
import { CaseSchema } from './schema.js';
import type { DatabaseKind, SqlRunner } from './sql-runner.js';
import { ManagerSqlRunner } from './manager-sql-runner.js';
import { TableMap } from './table-map.js';

const CASES = new TableMap(CaseSchema);

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
