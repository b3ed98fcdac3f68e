import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * SIMULATOR — durable state as a snapshot file plus an append-only journal beside it
 * (`<file>.journal`, one JSON change per line). A change costs one small append instead of
 * rewriting the whole state; once the journal outgrows the snapshot, `compact` writes a new
 * snapshot (temporary file, then rename) and empties the journal, so the work per change stays
 * constant on average.
 *
 * What a kill -9 may lose: nothing that was appended (the line is in the file once `append`
 * returns, like the rename of the whole-file save it replaces). A line cut short by a crash
 * during the write was never acknowledged to anyone; `read` ignores it and the next `open`
 * compacts it away.
 *
 * Replaying must be idempotent (a crash between the snapshot's rename and the journal's
 * truncation replays lines the snapshot already holds).
 *
 * @example const journal = StateJournal.open('data/sim.json'); const { snapshot, changes } = StateJournal.read('data/sim.json'); journal.append({ ... });
 */
/** Writes bytes of `buffer` from `offset` to `fd`; returns how many it wrote (node:fs writeSync). */
export type JournalWrite = (fd: number, buffer: Buffer, offset: number) => number;

export class StateJournal {
  private journalBytes: number;
  private snapshotBytes: number;
  private closed = false;

  private constructor(
    private readonly file: string,
    private readonly fd: number,
    private readonly minCompactBytes: number,
    private readonly write: JournalWrite,
  ) {
    this.journalBytes = fstatSync(fd).size;
    this.snapshotBytes = existsSync(file) ? readFileSync(file).length : 0;
  }

  /** Opens (creating) the journal of `file` for appending; tests pass a `write` that fails partway. */
  static open(file: string, options: { minCompactBytes?: number; write?: JournalWrite } = {}): StateJournal {
    mkdirSync(dirname(file), { recursive: true });
    const write = options.write ?? ((fd: number, buffer: Buffer, offset: number) => writeSync(fd, buffer, offset));
    return new StateJournal(file, openSync(journalOf(file), 'a'), options.minCompactBytes ?? 4 * 1024 * 1024, write);
  }

  /**
   * The snapshot (or null) and the changes journaled after it, in order. A last line cut short
   * by a crash is left out (`torn`); an unreadable line before the last is corruption and throws.
   */
  static read(file: string): { snapshot: unknown; changes: unknown[]; torn: boolean } {
    const snapshot: unknown = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
    const journal = journalOf(file);
    if (!existsSync(journal)) return { snapshot, changes: [], torn: false };
    const lines = readFileSync(journal, 'utf8').split('\n');
    // Every complete line ends with '\n': the last element is '' unless the tail was cut short.
    const tail = lines.pop() ?? '';
    const changes = lines.filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);
    return { snapshot, changes, torn: tail !== '' };
  }

  /**
   * Appends one change; it is in the file when this returns. When the write fails partway (disk
   * full, I/O error), the part written is cut off again before the error is rethrown: left in the
   * middle of the file, the next append would join it into one unreadable line, which `read`
   * takes for corruption at the next start. A journal that cannot even be cut back is closed.
   */
  append(change: unknown): void {
    if (this.closed) throw new Error('JOURNAL_CLOSED: the state journal was closed');
    const line = Buffer.from(`${JSON.stringify(change)}\n`);
    try {
      for (let written = 0; written < line.length; ) written += this.write(this.fd, line, written);
    } catch (error) {
      try {
        ftruncateSync(this.fd, this.journalBytes);
      } catch {
        this.close();
      }
      throw error;
    }
    this.journalBytes += line.length;
  }

  /** Whether the journal has outgrown the snapshot (and the minimum), so compacting now is worth it. */
  get shouldCompact(): boolean {
    return this.journalBytes >= Math.max(this.minCompactBytes, this.snapshotBytes);
  }

  /** Writes `state` as the new snapshot, then empties the journal. */
  compact(state: unknown): void {
    if (this.closed) throw new Error('JOURNAL_CLOSED: the state journal was closed');
    const text = JSON.stringify(state);
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.file);
    // Appends go to the end of the file ('a'), so after truncation they start again at 0.
    ftruncateSync(this.fd, 0);
    this.journalBytes = 0;
    this.snapshotBytes = Buffer.byteLength(text);
  }

  /** Closes the journal; later appends fail (JOURNAL_CLOSED) rather than go nowhere. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

function journalOf(file: string): string {
  return `${file}.journal`;
}
