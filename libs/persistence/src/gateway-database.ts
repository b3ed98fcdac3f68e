import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type QueryRunner } from 'typeorm';
import { GatewayError } from '#core';
import { MIGRATIONS } from './migrations/index.js';
import { ALL_SCHEMAS } from './schema.js';
import { GatewayStores, SqliteSqlRunner, type DatabaseKind, type SqliteHandle } from './stores.js';
import { Mutex } from './mutex.js';

export type DatabaseOptions =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

export interface OpenOptions {
  /** Apply pending migrations at open (the embedded default does; production may run them by command). */
  readonly migrate: boolean;
}

/**
 * One node's database: the embedded SQLite file or a PostgreSQL database, chosen by
 * configuration. All work goes through `transaction` (writes, atomically) or `read`.
 *
 * @example
 *   const db = await GatewayDatabase.open({ kind: 'sqlite', file: 'data/sc/gateway.db' }, { migrate: true });
 *   await db.transaction(async (tx) => { await tx.cases.insert(record); await tx.outbox.enqueue(message); });
 */
export class GatewayDatabase {
  private readonly lock: Mutex | null;
  /**
   * SQLite only: the one query runner every unit of work uses (under the lock), and the raw
   * statements prepared once on its connection. typeorm's `transaction()` makes a new runner,
   * with an empty statement cache, for every transaction: on the hot path that re-preparing was
   * a tenth of a node's CPU.
   */
  private readonly sqlite: { readonly runner: QueryRunner; readonly sql: SqliteSqlRunner } | null;

  private constructor(
    private readonly dataSource: DataSource,
    readonly kind: DatabaseKind,
  ) {
    this.lock = kind === 'sqlite' ? new Mutex() : null;
    this.sqlite =
      kind === 'sqlite'
        ? {
            runner: dataSource.createQueryRunner(),
            sql: new SqliteSqlRunner((dataSource.driver as unknown as { databaseConnection: SqliteHandle }).databaseConnection),
          }
        : null;
  }

  static async open(options: DatabaseOptions, open: OpenOptions): Promise<GatewayDatabase> {
    const dataSource =
      options.kind === 'sqlite'
        ? new DataSource({
            type: 'better-sqlite3',
            database: prepareFile(options.file),
            enableWAL: true,
            entities: ALL_SCHEMAS,
            migrations: MIGRATIONS,
            // The statements typeorm still builds (operator queries, migrations) stay prepared.
            statementCacheSize: 500,
            // synchronous=NORMAL is durable in WAL mode against process crashes (a committed
            // transaction survives kill -9); only an OS crash can lose the last commits. The
            // other two only trade memory for I/O: a 32 MB page cache (the default is 2 MB) and
            // temporary b-trees in memory; neither changes what a commit promises.
            prepareDatabase: (db: { pragma(sql: string): unknown }) => {
              db.pragma('synchronous = NORMAL');
              db.pragma('busy_timeout = 5000');
              db.pragma('cache_size = -32000');
              db.pragma('temp_store = MEMORY');
            },
          })
        : new DataSource({
            type: 'postgres',
            url: options.url,
            ...(options.schema ? { schema: options.schema } : {}),
            entities: ALL_SCHEMAS,
            migrations: MIGRATIONS,
            extra: { max: 10 },
          });
    try {
      await dataSource.initialize();
    } catch (cause) {
      throw new GatewayError('CONFIG_INVALID', { detail: `cannot open the ${options.kind} database`, cause });
    }
    const db = new GatewayDatabase(dataSource, options.kind);
    if (open.migrate) {
      await db.migrate();
    } else if (await dataSource.showMigrations()) {
      await dataSource.destroy();
      throw new GatewayError('CONFIG_INVALID', {
        detail: 'the database schema is behind this version: run `npm run migrate` first',
      });
    }
    return db;
  }

  async migrate(): Promise<number> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    return applied.length;
  }

  async transaction<T>(work: (tx: GatewayStores) => Promise<T>): Promise<T> {
    const sqlite = this.sqlite;
    if (!sqlite || !this.lock) return this.dataSource.transaction((em) => work(new GatewayStores(em, this.kind)));
    return this.lock.run(async () => {
      const { runner, sql } = sqlite;
      await runner.startTransaction();
      try {
        const result = await work(new GatewayStores(runner.manager, this.kind, sql));
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        throw error;
      }
    });
  }

  async read<T>(work: (stores: GatewayStores) => Promise<T>): Promise<T> {
    const sqlite = this.sqlite;
    if (!sqlite || !this.lock) return work(new GatewayStores(this.dataSource.manager, this.kind));
    return this.lock.run(() => work(new GatewayStores(sqlite.runner.manager, this.kind, sqlite.sql)));
  }

  async ping(): Promise<void> {
    await this.read(async () => {
      await this.dataSource.query('SELECT 1');
    });
  }

  async close(): Promise<void> {
    if (this.sqlite && !this.sqlite.runner.isReleased) await this.sqlite.runner.release();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

function prepareFile(file: string): string {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return file;
}
