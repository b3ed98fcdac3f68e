/**
 * A FIFO async lock. SQLite through typeorm has ONE connection: a statement issued by another
 * async flow while a transaction is open would silently join that transaction, so on SQLite every
 * unit of work runs under this lock. (PostgreSQL uses a pool and real concurrent transactions.)
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}
