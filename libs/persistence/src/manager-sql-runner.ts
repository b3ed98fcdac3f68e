import type { EntityManager } from 'typeorm';
import type { DatabaseKind, SqlRunner } from './sql-runner.js';

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
