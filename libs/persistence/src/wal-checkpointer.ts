import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The part of a better-sqlite3 connection the checkpointer uses (typed here, no import). */
export interface PragmaHandle {
  pragma(sql: string): unknown;
}

/** SQLite's default: a commit that leaves the WAL past this many pages checkpoints it. */
const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/**
 * The worker's code, CommonJS run with `eval` (so it needs no file of its own, in dist or under
 * Jest): its own connection to the database file, checkpointing the WAL every `intervalMs`.
 * PASSIVE never waits for, nor blocks, the writer (https://sqlite.org/c3ref/wal_checkpoint_v2.html).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
let timer = null;
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
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

  private constructor(
    private readonly worker: Worker,
    private readonly connection: PragmaHandle,
  ) {
    const fallBack = () => {
      if (!this.stopping) this.connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
    };
    worker.on('message', (message: { failed?: string }) => {
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

  /** Starts checkpointing `file` every `intervalMs`; `connection` (the node's, on that file) stops checkpointing in its commits. */
  static start(file: string, connection: PragmaHandle, intervalMs = 100): WalCheckpointer {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
    // The checkpointer never keeps a process alive on its own.
    worker.unref();
    connection.pragma('wal_autocheckpoint = 0');
    return new WalCheckpointer(worker, connection);
  }

  /** Stops the worker (its connection closed) and lets the node's connection checkpoint again. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (!this.exited) {
      const exited = once(this.worker, 'exit');
      this.worker.postMessage('stop');
      await exited;
    }
    this.connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
  }
}
