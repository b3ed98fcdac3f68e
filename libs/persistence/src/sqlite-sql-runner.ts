import type { SqlRunner } from './sql-runner.js';

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
