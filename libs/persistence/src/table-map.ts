import type { EntitySchema, ValueTransformer } from 'typeorm';

export interface ColumnMap {
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
export class TableMap<T extends object> {
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
