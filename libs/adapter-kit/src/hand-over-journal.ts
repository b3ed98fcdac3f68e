import {
  closeSync,
  existsSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { GatewayError, SystemClock, type Clock } from "#core";
import { writeTextAtomically } from "#signing";

/**
 * What the adapter knows of one hand-over (one gateway message id): it was about to be made
 * (`intent`), and, once the agency answered, its reference there (`outcome`). An intent without
 * an outcome is a hand-over in doubt: the agency may or may not have it.
 */
export interface HandOverRecord {
  readonly messageId: string;
  readonly agency: string;
  readonly caseId: string;
  readonly messageType: string;
  /** When the intent was recorded (ms). */
  readonly at: number;
  readonly outcome?: { readonly agencyRef: string; readonly at: number };
}

/** One line of the journal file. */
type JournalLine =
  | {
      readonly t: "intent";
      readonly id: string;
      readonly agency: string;
      readonly caseId: string;
      readonly type: string;
      readonly at: number;
    }
  | {
      readonly t: "outcome";
      readonly id: string;
      readonly ref: string;
      readonly at: number;
    }
  | { readonly t: "dropped"; readonly id: string; readonly at: number };

/** How long outcomes are kept unless ADAPTER_HANDOVER_RETENTION_HOURS says otherwise: the gateway's default `maxAgeMs` (3 days) plus 4 days for an operator's replay. */
export const DEFAULT_HANDOVER_RETENTION_MS = 7 * 24 * 3600_000;

/** The journal is compacted once this many lines were appended (and as many as the last compaction kept), and at every start. */
const COMPACT_SLACK_LINES = 10_000;

/**
 * The adapter's durable record of its hand-overs to the agencies: an append-only file
 * (`<stateDir>/hand-overs.journal`, one JSON line per step), each line on disk (fdatasync) before
 * the step it records goes on. `intend` is written before the agency is called, `settle` once it
 * answered with its reference, `drop` when it refused (it does not have the case, so the next
 * delivery starts afresh). A redelivery whose outcome is known is answered from here without
 * calling the agency; one with an intent and no outcome was cut short (a crash, a timeout) and
 * the caller asks the agency whether it has the case before handing it over again.
 *
 * Bounded: records whose last step is older than `retentionMs` (by default 7 days: longer than the
 * gateway retries a delivery, with room for an operator's replay of a dead letter) are dropped when
 * the journal is compacted (at start, and whenever it holds 10,000 lines more than records in
 * force, and at least as many as the last compaction kept): the records in force are written to a new file (temporary file, fsync, rename) that
 * replaces the journal. A last line cut short by a crash is ignored (it was never acted on); an
 * unreadable line before it refuses the start (ADAPTER_STATE_CORRUPT).
 *
 * @example const journal = HandOverJournal.open('data/adapter/hand-overs.journal'); journal.intend({ messageId, agency, caseId, messageType }); journal.settle(messageId, 'SCK00000001');
 */
export class HandOverJournal {
  private readonly records = new Map<string, HandOverRecord>();
  /** Hand-overs being made now, so that a second delivery of the same message waits for the first. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private fd: number;
  /** Lines appended since the last compaction, and how many the compaction wrote. */
  private lines = 0;
  private compactedLines = 0;

  private constructor(
    private readonly file: string,
    private readonly clock: Clock,
    private readonly retentionMs: number,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.replay();
    this.fd = this.compact();
  }

  /** Opens (creating) the journal at `file`, replays it and compacts it. */
  static open(
    file: string,
    options: { clock?: Clock; retentionMs?: number } = {},
  ): HandOverJournal {
    return new HandOverJournal(
      file,
      options.clock ?? new SystemClock(),
      options.retentionMs ?? DEFAULT_HANDOVER_RETENTION_MS,
    );
  }

  /** What is known of this message's hand-over, if anything. */
  known(messageId: string): HandOverRecord | undefined {
    return this.records.get(messageId);
  }

  /** Records that the hand-over is about to be made; on disk when this returns. */
  intend(record: Omit<HandOverRecord, "at" | "outcome">): void {
    const at = this.clock.nowMs();
    this.append({
      t: "intent",
      id: record.messageId,
      agency: record.agency,
      caseId: record.caseId,
      type: record.messageType,
      at,
    });
    this.records.set(record.messageId, { ...record, at });
  }

  /** Records the agency's answer (its reference); on disk when this returns. */
  settle(messageId: string, agencyRef: string): void {
    const record = this.records.get(messageId);
    if (!record) return;
    const at = this.clock.nowMs();
    this.append({ t: "outcome", id: messageId, ref: agencyRef, at });
    this.records.set(messageId, { ...record, outcome: { agencyRef, at } });
  }

  /** Forgets a hand-over the agency refused: it does not hold the case, a later delivery starts afresh. */
  drop(messageId: string): void {
    if (!this.records.has(messageId)) return;
    this.append({ t: "dropped", id: messageId, at: this.clock.nowMs() });
    this.records.delete(messageId);
  }

  /**
   * Runs `work` for this message once no other delivery of the same message is running in this
   * process: a gateway that timed out and sent again must not race the first hand-over.
   */
  async exclusive<T>(messageId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.inFlight.get(messageId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.inFlight.set(messageId, settled);
    try {
      return await run;
    } finally {
      if (this.inFlight.get(messageId) === settled)
        this.inFlight.delete(messageId);
    }
  }

  /** How many hand-overs the journal holds in force (outcomes and hand-overs in doubt). */
  get size(): number {
    return this.records.size;
  }

  close(): void {
    closeSync(this.fd);
  }

  private append(line: JournalLine): void {
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    // The line must be on disk before the agency is called (intent) or the gateway answered (outcome).
    fdatasyncSync(this.fd);
    this.lines += 1;
    if (
      this.lines >= COMPACT_SLACK_LINES &&
      this.lines >= this.compactedLines
    ) {
      closeSync(this.fd);
      this.fd = this.compact();
    }
  }

  /** Rebuilds the records from the file; a torn last line is left out. */
  private replay(): void {
    if (!existsSync(this.file)) return;
    const lines = readFileSync(this.file, "utf8").split("\n");
    // Every complete line ends with '\n': the last element is '' unless the tail was cut short.
    lines.pop();
    lines.forEach((text, index) => {
      if (text === "") return;
      let line: JournalLine;
      try {
        line = JSON.parse(text) as JournalLine;
      } catch (cause) {
        throw new GatewayError("ADAPTER_STATE_CORRUPT", {
          detail: `hand-over journal line ${index + 1} is unreadable`,
          cause,
        });
      }
      this.apply(line);
    });
  }

  private apply(line: JournalLine): void {
    if (line.t === "intent") {
      this.records.set(line.id, {
        messageId: line.id,
        agency: line.agency,
        caseId: line.caseId,
        messageType: line.type,
        at: line.at,
      });
      return;
    }
    const record = this.records.get(line.id);
    if (!record) return;
    if (line.t === "outcome")
      this.records.set(line.id, {
        ...record,
        outcome: { agencyRef: line.ref, at: line.at },
      });
    else this.records.delete(line.id);
  }

  /** Drops what is past retention, writes the rest as a new journal (atomically) and opens it for appending. */
  private compact(): number {
    const horizon = this.clock.nowMs() - this.retentionMs;
    const kept: string[] = [];
    for (const [id, r] of this.records) {
      if ((r.outcome?.at ?? r.at) < horizon) {
        this.records.delete(id);
        continue;
      }
      kept.push(
        JSON.stringify({
          t: "intent",
          id,
          agency: r.agency,
          caseId: r.caseId,
          type: r.messageType,
          at: r.at,
        } satisfies JournalLine),
      );
      if (r.outcome)
        kept.push(
          JSON.stringify({
            t: "outcome",
            id,
            ref: r.outcome.agencyRef,
            at: r.outcome.at,
          } satisfies JournalLine),
        );
    }
    writeTextAtomically(this.file, kept.map((l) => `${l}\n`).join(""));
    this.lines = 0;
    this.compactedLines = kept.length;
    return openSync(this.file, "a");
  }
}
