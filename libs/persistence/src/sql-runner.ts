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
