import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The part of a better-sqlite3 connection the checkpointer uses (typed here, no import). */
export interface PragmaHandle {
  pragma(sql: string): unknown;
}

/** SQLite's default: a commit that leaves the WAL past this many pages checkpoints it. */
const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/** Past this size the worker truncates the WAL (see WORKER_SOURCE). */
export const WAL_TRUNCATE_BYTES = 64 * 1024 * 1024;

/**
 * The worker's code, CommonJS run with `eval` (so it needs no file of its own, in dist or under
 * Jest): its own connection to the database file, checkpointing the WAL every `intervalMs`.
 * PASSIVE never waits for, nor blocks, the writer (https://sqlite.org/c3ref/wal_checkpoint_v2.html).
 * But under steady writes a PASSIVE checkpoint never finds the log fully copied when the next
 * commit starts, so SQLite never starts the log over and the file grows without end (4 GB in
 * 15 s of back-to-back commits here). So once the file passes `truncateBytes`, the worker tries a
 * TRUNCATE checkpoint (copy the rest, empty the file); when the node's writer keeps it from
 * getting the lock, it asks the node to run it on its own connection between two commits
 * (`truncateIfAsked`), which cannot be kept out.
 */
const WORKER_SOURCE = `
const { statSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 100');
const walSize = () => {
  try {
    return statSync(workerData.file + '-wal').size;
  } catch {
    return 0;
  }
};
let timer = null;
const tick = () => {
  try {
    if (walSize() > workerData.truncateBytes) {
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)');
      if (result && result.busy) parentPort.postMessage({ truncate: true });
    } else {
      db.pragma('wal_checkpoint(PASSIVE)');
    }
  } catch (error) {
    parentPort.postMessage({ failed: String(error && error.message) });
    return;
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
timer = setTimeout(tick, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints a SQLite database's write-ahead log on a worker thread instead of in the commits of
 * the node's one connection. SQLite checkpoints inside the commit that takes the WAL past 1,000
 * pages: copying those pages into the database file and two fsyncs, on the event loop, about
 * every hundred envelopes here (half the cost of an intake commit in a micro-benchmark). What a
 * commit promises is unchanged: it is in the WAL, which SQLite checkpoints whichever connection
 * does it. Should the worker fail, the connection checkpoints in its commits again.
 *
 * @example
 *   const checkpointer = WalCheckpointer.start('data/sc/gateway.db', connection);
 *   // ... later, before closing the connection:
 *   await checkpointer.stop();
 */
export class WalCheckpointer {
  private stopping = false;
  private exited = false;
  private truncateAsked = false;

  private constructor(
    private readonly worker: Worker,
    private readonly connection: PragmaHandle,
  ) {
    const fallBack = () => {
      if (!this.stopping) this.connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
    };
    worker.on('message', (message: { failed?: string; truncate?: boolean }) => {
      if (message.truncate) this.truncateAsked = true;
      if (message.failed === undefined) return;
      fallBack();
      void worker.terminate();
    });
    worker.on('error', fallBack);
    worker.on('exit', () => {
      this.exited = true;
      fallBack();
    });
  }

  /**
   * Starts checkpointing `file` every `intervalMs` (truncating the WAL once it passes
   * `truncateBytes`); `connection` (the node's, on that file) stops checkpointing in its commits.
   */
  static start(file: string, connection: PragmaHandle, intervalMs = 100, truncateBytes = WAL_TRUNCATE_BYTES): WalCheckpointer {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs, truncateBytes } });
    // The checkpointer never keeps a process alive on its own.
    worker.unref();
    connection.pragma('wal_autocheckpoint = 0');
    return new WalCheckpointer(worker, connection);
  }

  /**
   * Runs the TRUNCATE checkpoint the worker could not get the lock for, on the node's connection
   * (call it between transactions, holding the node's writer lock). Returns whether it ran.
   */
  truncateIfAsked(): boolean {
    if (!this.truncateAsked) return false;
    this.truncateAsked = false;
    this.connection.pragma('wal_checkpoint(TRUNCATE)');
    return true;
  }

  /** Stops the worker (its connection closed) and lets the node's connection checkpoint again. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (!this.exited) {
      // The worker is unref'd so that it never keeps a process alive on its own; but while we
      // wait for it to exit, it must: otherwise a process with nothing else to do (a CLI such
      // as verify-log awaiting `close()`) ends here, silently and with status 0, before the
      // caller's next line runs.
      this.worker.ref();
      const exited = once(this.worker, 'exit');
      this.worker.postMessage('stop');
      await exited;
    }
    this.connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
  }
}
