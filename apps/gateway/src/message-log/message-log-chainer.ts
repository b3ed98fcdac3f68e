import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { GatewayDatabase } from '#persistence';
import { FederationHolder } from '../trust/federation-holder.js';
import { chainAfter, logHashAlgOf } from './message-log.service.js';

/** At most this many entries are chained in one transaction. */
export const CHAIN_BATCH = 500;
/** How long the writer waits when nothing was waiting. */
const IDLE_MS = 100;
/** How long it waits after the database failed. */
const FAILED_MS = 1_000;

/**
 * PostgreSQL: the message log's one writer. It moves what the node's transactions logged
 * (`message_log_pending`, in the order written) into the hash chain, many entries per short
 * transaction: lock the log, read its head, append the entries chained, remove them from the
 * waiting room, commit. Replicas each run one; the lock makes them take turns, and each sees
 * what the other moved. An entry waits moments (IDLE_MS at most when the node is quiet); one
 * that a stop leaves waiting is chained by the next writer to run, so nothing is lost.
 *
 * Entries are chained with the hash of the suite in force when they are chained (SM3 under gm),
 * which each records: a replica that reloads the federation a moment after the other still
 * writes a chain that verifies entry by entry.
 *
 * The embedded default (SQLite) chains inside the logging transaction and runs no writer.
 */
@Injectable()
export class MessageLogChainer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MessageLog');
  private running = false;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly db: GatewayDatabase,
    private readonly federation: FederationHolder,
  ) {}

  onApplicationBootstrap(): void {
    if (this.db.kind !== 'postgres') return;
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Chains up to `limit` waiting entries; answers how many. */
  async chainOnce(limit = CHAIN_BATCH): Promise<number> {
    // Without the lock first: a quiet node does not lock the log ten times a second for nothing.
    if (!(await this.db.read((s) => s.messageLog.anyPending()))) return 0;
    return this.db.transaction(async (tx) => {
      const head = await tx.messageLog.head();
      const waiting = await tx.messageLog.pending(limit);
      if (waiting.length === 0) return 0;
      await tx.messageLog.append(chainAfter(head, waiting, logHashAlgOf(this.federation.current)));
      await tx.messageLog.removePending(waiting.map((w) => w.id));
      return waiting.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let pause = IDLE_MS;
      try {
        if ((await this.chainOnce()) === CHAIN_BATCH) pause = 0;
      } catch (error) {
        this.logger.warn({ msg: 'message log entries not chained yet; retrying', error: error instanceof Error ? error.name : 'unknown' });
        pause = FAILED_MS;
      }
      if (pause > 0 && this.running) await this.sleep(pause);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.wake = null;
        resolve();
      };
      this.timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
