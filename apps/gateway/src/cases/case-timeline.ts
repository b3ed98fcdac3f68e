import { Inject, Injectable } from '@nestjs/common';
import { Clock, type NodeCode } from '#core';
import { assertTransition, canMove, type CaseStage, type StageDetail } from '#contracts';
import type { CaseEventRecord, CaseRecord, GatewayStores } from '#persistence';
import { NODE_CODE } from '../config/config.token.js';
import { CaseClock } from './case-clock.js';
import { advanceCase } from './case-progress.js';

/** One entry this node decides on a case's timeline. */
export interface TimelineEvent {
  readonly stage: CaseStage;
  readonly at: number;
  /** What caused the entry (agency event id, message id): an entry is written once per source. */
  readonly sourceId: string;
  readonly reason?: { readonly code: string; readonly message: string } | undefined;
  readonly detail?: StageDetail | undefined;
}

/** How `CaseTimeline.decide` writes the case row. */
export interface DecideOptions {
  /**
   * The case is new in this transaction and not yet written: it is inserted once, with the
   * event's outcome, instead of inserted and then updated.
   */
  readonly insert?: boolean;
  /** Other columns to write in the same statement (written even when the event is a repeat). */
  readonly also?: Partial<Pick<CaseRecord, 'role' | 'agencyRef' | 'updatedAt'>>;
}

/** What `decide` did: the case as it now is, and the number the entry took (null: a repeat, nothing written). */
export interface Decided {
  readonly record: CaseRecord;
  readonly seq: number | null;
}

/** The handling side's numbered entry, as the accepting side mirrors it. */
export interface MirroredEntry {
  readonly stage: CaseStage;
  readonly at: number;
  readonly side: string;
  readonly seq: number;
  readonly reason?: { readonly code: string; readonly message: string } | undefined;
  readonly detail?: StageDetail | undefined;
}

/**
 * The one writer of a case's timeline and stage: every timeline row and every change of a case's
 * stage, status and paused clock is written here, inside the caller's transaction. What it
 * writes, by who decides the stage:
 *
 * - `open`: a case new at this node's window, with its first entry (`submitted`);
 * - `decide`: a stage this node decides (the handling side, for the agency), numbered for the
 *   accepting node and checked against the case state machine (`assertTransition`):
 *   CASE_TRANSITION_INVALID, and nothing written, for a stage that cannot follow;
 * - `mirror`: the handling side's numbered entry on the accepting side, in `seq` order. The
 *   handling side decided it through `decide`, so the state machine was applied there; the
 *   mirror records it as decided (refusing it here would stop every later `seq`);
 * - `pass`: an unnumbered entry of this node's own (the request left for the handling node): the
 *   entry is always written, the stage moves only where the state machine allows (a `received`
 *   the handling node reported first stays the case's stage).
 */
@Injectable()
export class CaseTimeline {
  constructor(
    @Inject(NODE_CODE) private readonly node: NodeCode,
    private readonly clock: Clock,
    private readonly caseClock: CaseClock,
  ) {}

  /** Inserts a case new at this node and its first timeline entry (its stage when accepted). */
  async open(tx: GatewayStores, record: CaseRecord, sourceId: string): Promise<CaseRecord> {
    await tx.cases.insert(record);
    await tx.events.insertOnce(this.row(record.caseId, { stage: record.stage as CaseStage, at: record.acceptedAt, sourceId }, this.node, null));
    return record;
  }

  /**
   * Records one event this node decides, once per source id, and advances the case. A stage
   * that cannot follow the case's current one is refused (CASE_TRANSITION_INVALID) and the
   * timeline stays as it is; a repeat of an event already recorded changes nothing but `also`.
   */
  async decide(tx: GatewayStores, record: CaseRecord, event: TimelineEvent, options: DecideOptions = {}): Promise<Decided> {
    const also = options.also ?? {};
    const repeat = async (): Promise<Decided> => {
      const kept: CaseRecord = { ...record, ...also };
      if (options.insert) await tx.cases.insert(kept);
      else if (Object.keys(also).length > 0) await tx.cases.update(record.caseId, also);
      return { record: kept, seq: null };
    };
    // A repeat is answered as one even where its stage could not follow now: the look-up is made
    // only then, not for every event (the insert below tells a repeat).
    try {
      assertTransition(record.service, record.stage as CaseStage, event.stage);
    } catch (error) {
      if (!options.insert && (await tx.events.findBySource(record.caseId, event.sourceId))) return repeat();
      throw error;
    }
    const seq = record.lastIssuedSeq + 1;
    if (!(await tx.events.insertOnce(this.row(record.caseId, event, this.node, seq)))) return repeat();
    const changes = { ...this.advance(record, event), lastIssuedSeq: seq, updatedAt: this.clock.nowMs(), ...also };
    const updated: CaseRecord = { ...record, ...changes };
    if (options.insert) await tx.cases.insert(updated);
    else await tx.cases.update(record.caseId, changes);
    return { record: updated, seq };
  }

  /** Mirrors the handling side's next numbered entry on the accepting side (the caller keeps `seq` order). */
  async mirror(tx: GatewayStores, record: CaseRecord, entry: MirroredEntry): Promise<CaseRecord> {
    await tx.events.insertOnce(this.row(record.caseId, { ...entry, sourceId: `seq:${entry.seq}` }, entry.side, entry.seq));
    const changes = {
      ...this.advance(record, entry),
      lastAppliedSeq: entry.seq,
      updatedAt: this.clock.nowMs(),
      ...(entry.detail?.agencyRef ? { agencyRef: entry.detail.agencyRef } : {}),
    };
    await tx.cases.update(record.caseId, changes);
    return { ...record, ...changes };
  }

  /**
   * Writes an unnumbered entry of this node's own (once per source id); the case's stage moves to
   * it only where the state machine allows a move from the stage the case is at.
   */
  async pass(tx: GatewayStores, record: CaseRecord, event: TimelineEvent, side: string): Promise<CaseRecord> {
    await tx.events.insertOnce(this.row(record.caseId, event, side, null));
    if (!canMove(record.service, record.stage as CaseStage, event.stage)) return record;
    await tx.cases.update(record.caseId, { stage: event.stage });
    return { ...record, stage: event.stage };
  }

  private advance(record: CaseRecord, event: { readonly stage: CaseStage; readonly at: number }) {
    return advanceCase(record, event, (since, until) => this.caseClock.pausedDays(since, until));
  }

  private row(caseId: string, event: TimelineEvent, side: string, seq: number | null): CaseEventRecord {
    return {
      caseId,
      stage: event.stage,
      at: event.at,
      side,
      seq,
      reasonCode: event.reason?.code ?? null,
      reasonMessage: event.reason?.message ?? null,
      detailJson: event.detail ? JSON.stringify(event.detail) : null,
      sourceId: event.sourceId,
      recordedAt: this.clock.nowMs(),
    };
  }
}
