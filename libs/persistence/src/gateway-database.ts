import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type QueryRunner } from 'typeorm';
import { GatewayError } from '#core';
import { MIGRATIONS } from './migrations/index.js';
import { ALL_SCHEMAS } from './schema.js';
import type { DatabaseKind } from './sql-runner.js';
import { SqliteSqlRunner, type SqliteHandle } from './sqlite-sql-runner.js';
import { GatewayStores } from './gateway-stores.js';
import { Mutex } from './mutex.js';
import { WalCheckpointer, type PragmaHandle } from './wal-checkpointer.js';
import { asDatabaseError } from './database-errors.js';

export type DatabaseOptions =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

/** A unit of work waiting for the SQLite writer, settled once the transaction it joined commits. */
interface QueuedUnit {
  readonly work: (tx: GatewayStores) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * At most this many queued units share one SQLite commit. Each unit's caller waits for the
 * commit, so the bound also bounds how long the first unit of a group waits for the others.
 */
export const MAX_UNITS_PER_COMMIT = 32;

export interface OpenOptions {
  /** Apply pending migrations at open (the embedded default does; production may run them by command). */
  readonly migrate: boolean;
  /** SQLite file: the WAL size past which it is truncated (default WAL_TRUNCATE_BYTES, 64 MB). */
  readonly walTruncateBytes?: number;
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
  /** SQLite only: units of work waiting for the writer, oldest first (see `transaction`). */
  private readonly queued: QueuedUnit[] = [];
  private drainScheduled = false;
  /** SQLite file only: checkpoints the WAL off the event loop (see WalCheckpointer). */
  private checkpointer: WalCheckpointer | null = null;

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
            // A connect that hangs (a host gone without a reset) fails after 5 s instead of never:
            // the caller is then told DATABASE_UNAVAILABLE, not left waiting.
            extra: { max: 10, connectionTimeoutMillis: 5000 },
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
    if (options.kind === 'sqlite' && options.file !== ':memory:') {
      db.checkpointer = WalCheckpointer.start(options.file, (dataSource.driver as unknown as { databaseConnection: PragmaHandle }).databaseConnection, 100, open.walTruncateBytes);
    }
    return db;
  }

  async migrate(): Promise<number> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    return applied.length;
  }

  /**
   * Runs `work` in a transaction: all its writes commit together, or none (the promise then
   * rejects with the error `work` threw).
   *
   * SQLite (group commit): units are taken at the end of the event loop's turn (setImmediate),
   * so that every unit made ready in that turn (by other requests, other envelopes) joins one
   * transaction, each inside its own savepoint, up to MAX_UNITS_PER_COMMIT; units that queue while
   * the writer is busy join the next one. A unit that throws is rolled back to its savepoint
   * alone; the others still commit. Every unit's promise settles only after that commit, so
   * nothing is acknowledged before it is durable, exactly as with one commit per unit. Why: a
   * commit (WAL frames for every page touched, typeorm's transaction bookkeeping) cost more than
   * the three inserts of an intake transaction; pages shared by a group (the outbox, its
   * indexes) are written once.
   *
   * A database that cannot be reached or used now rejects with DATABASE_UNAVAILABLE (503,
   * Retry-After; database-errors.ts), whatever the driver said.
   */
  async transaction<T>(work: (tx: GatewayStores) => Promise<T>): Promise<T> {
    return this.runTransaction(work).catch((error: unknown) => {
      throw asDatabaseError(error);
    });
  }

  private async runTransaction<T>(work: (tx: GatewayStores) => Promise<T>): Promise<T> {
    const sqlite = this.sqlite;
    if (!sqlite || !this.lock) {
      return this.dataSource.transaction(async (em) => {
        const stores = new GatewayStores(em, this.kind);
        const value = await work(stores);
        await stores.flush();
        return value;
      });
    }
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleGroup(sqlite);
    });
  }

  /**
   * Takes the writer for ONE group at the end of this event-loop turn, and queues for it again
   * while units remain: reads (and pings) waiting for the lock get their turn between groups, in
   * order, instead of waiting until a busy writer's queue runs dry.
   */
  private scheduleGroup(sqlite: { readonly runner: QueryRunner; readonly sql: SqliteSqlRunner }): void {
    const lock = this.lock;
    if (this.drainScheduled || !lock) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      void lock.run(async () => {
        // A group's units may have been taken by a group scheduled before this one.
        if (this.queued.length > 0) await this.commitGroup(sqlite);
        // Between two groups, still holding the writer: the WAL, if it grew too long (WalCheckpointer).
        this.checkpointer?.truncateIfAsked();
        if (this.queued.length > 0) this.scheduleGroup(sqlite);
      });
    });
  }

  /** Opens one SQLite transaction for the queued units (oldest first), each in a savepoint, and commits it. */
  private async commitGroup({ runner, sql }: { readonly runner: QueryRunner; readonly sql: SqliteSqlRunner }): Promise<void> {
    const committed: { readonly unit: QueuedUnit; readonly value: unknown }[] = [];
    const refused: { readonly unit: QueuedUnit; readonly error: unknown }[] = [];
    let unit: QueuedUnit | undefined;
    let unitError: unknown;
    try {
      await runner.startTransaction();
    } catch (error) {
      for (const refusedUnit of this.queued.splice(0, MAX_UNITS_PER_COMMIT)) refusedUnit.reject(error);
      return;
    }
    try {
      while (committed.length + refused.length < MAX_UNITS_PER_COMMIT && (unit = this.queued.shift()) !== undefined) {
        sql.savepoint();
        try {
          const stores = new GatewayStores(runner.manager, this.kind, sql);
          const value = await unit.work(stores);
          await stores.flush();
          sql.releaseSavepoint();
          committed.push({ unit, value });
        } catch (error) {
          // Undoes this unit's writes only (a failed rollback fails the whole group, below).
          unitError = error;
          sql.rollbackToSavepoint();
          refused.push({ unit, error });
          unitError = undefined;
        }
        unit = undefined;
      }
      await runner.commitTransaction();
    } catch (error) {
      // Nothing of the group is committed: every unit in it fails with the error.
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      for (const c of committed) c.unit.reject(error);
      for (const r of refused) r.unit.reject(r.error);
      unit?.reject(unitError ?? error);
      return;
    }
    for (const c of committed) c.unit.resolve(c.value);
    for (const r of refused) r.unit.reject(r.error);
  }

  /** Runs `work` on the plain connection (no transaction); DATABASE_UNAVAILABLE as for `transaction`. */
  async read<T>(work: (stores: GatewayStores) => Promise<T>): Promise<T> {
    const sqlite = this.sqlite;
    const reading = !sqlite || !this.lock ? work(new GatewayStores(this.dataSource.manager, this.kind)) : this.lock.run(() => work(new GatewayStores(sqlite.runner.manager, this.kind, sqlite.sql)));
    return reading.catch((error: unknown) => {
      throw asDatabaseError(error);
    });
  }

  async ping(): Promise<void> {
    await this.read(async () => {
      await this.dataSource.query('SELECT 1');
    });
  }

  async close(): Promise<void> {
    // First: the node's connection must be the last to close, so that SQLite checkpoints and removes the WAL.
    await this.checkpointer?.stop();
    this.checkpointer = null;
    if (this.sqlite && !this.sqlite.runner.isReleased) await this.sqlite.runner.release();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

function prepareFile(file: string): string {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return file;
}
