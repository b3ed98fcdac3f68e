import { CASE_STAGES, isNoteStage, serviceDefinition, type CaseStage, type ForwardedRequest } from '#contracts';
import { toShanghaiIso } from '#core';
import type { CaseEventRecord, CaseRecord } from '#persistence';
import type { CaseClock, TimeLimitView } from './case-clock.js';
import { transferProgress, type ConversationView, type TransferProgress } from './transfer-progress.js';

export interface TimelineEntryView {
  readonly stage: string;
  /**
   * When the stage happened as a clerk reads it: the time its side stamped, or the time of the
   * entry before it when that is later, so times never go backwards down the timeline.
   */
  readonly at: string;
  /** The time exactly as the side that recorded the stage stamped it (its own clock, its own precision). */
  readonly reportedAt: string;
  readonly side: string;
  readonly seq: number | null;
  readonly reason?: { readonly code: string; readonly message: string };
  readonly detail?: Record<string, unknown>;
}

/** What windows and operators see of a case: current status and the whole timeline. */
export interface CaseView {
  readonly caseId: string;
  readonly service: string;
  readonly kind: string | null;
  readonly status: string;
  readonly stage: string;
  readonly acceptingNode: string;
  readonly handlingNode: string;
  readonly agency: string;
  readonly region: string;
  readonly regionHistoric: boolean;
  /** The node that holds the case now (where the next step happens). */
  readonly heldBy: string;
  /** Since when the holder has had it: the time of the last stage (notes aside). */
  readonly heldSince: string;
  readonly acceptedAt: string;
  readonly updatedAt: string;
  readonly timeline: readonly TimelineEntryView[];
  /**
   * The statutory limit in working days, while the case is open. For a pension transfer, the
   * clock of the leg due first (15 working days each).
   */
  readonly timeLimit: TimeLimitView | null;
  /** A pension transfer's conversations, one per transfer-out place: leg, holder, leg clock. */
  readonly conversations?: readonly ConversationView[];
}

const STAGE_RANK = new Map<string, number>(CASE_STAGES.map((s, i) => [s, i]));

/**
 * Orders a timeline: the accepting side's own entries (no seq) first, then the handling side's
 * in sequence order. This is the true order of a case that goes to the handling side once;
 * it does not depend on either node's clock.
 */
export function orderTimeline(events: readonly CaseEventRecord[]): CaseEventRecord[] {
  return [...events].sort(
    (a, b) =>
      (a.seq ?? 0) - (b.seq ?? 0) ||
      (STAGE_RANK.get(a.stage) ?? 99) - (STAGE_RANK.get(b.stage) ?? 99) ||
      (a.id ?? 0) - (b.id ?? 0),
  );
}

/**
 * The times a timeline shows, entry by entry in its order: each entry's own time, raised to the
 * time of the entry before it when that is later. Why: the timeline's order is the true order
 * (sequence numbers, see orderTimeline), but its times come from different clocks and
 * precisions (two nodes, the agency's whole seconds), so a later stage could read earlier than
 * the one before it. What each side stamped is kept as `reportedAt`.
 */
export function shownTimes(ordered: readonly CaseEventRecord[]): number[] {
  const shown: number[] = [];
  for (const e of ordered) shown.push(Math.max(e.at, shown.at(-1) ?? e.at));
  return shown;
}

/**
 * The view of a case with its clocks: the case's own, or for a pension transfer the leg clock and
 * holder of the conversation due first.
 */
export function viewCase(record: CaseRecord, events: readonly CaseEventRecord[], clock: CaseClock): CaseView {
  return toCaseView(record, events, clock.of(record), transferProgress(record, events, clock));
}

export function toCaseView(
  record: CaseRecord,
  events: readonly CaseEventRecord[],
  timeLimit: TimeLimitView | null = null,
  transfer: TransferProgress | null = null,
): CaseView {
  const forwarded = JSON.parse(record.requestJson) as Partial<ForwardedRequest>;
  const kind = forwarded.request ? (serviceDefinition(record.service)?.kindOf(forwarded.request) ?? null) : null;
  const ordered = orderTimeline(events);
  const shown = shownTimes(ordered);
  const lastStage = ordered.findLastIndex((e) => !isNoteStage(e.stage as CaseStage));
  // Who must act next: the accepting window before forwarding and while material is awaited from
  // the applicant (补正), otherwise the handling side.
  const atHandlingSide = !['submitted', 'supplement-requested'].includes(record.stage) && record.status === 'in-progress';
  return {
    caseId: record.caseId,
    service: record.service,
    kind,
    status: record.status,
    stage: record.stage,
    acceptingNode: record.acceptingNode,
    handlingNode: record.handlingNode,
    agency: record.agency,
    region: record.region,
    regionHistoric: record.regionHistoric,
    heldBy:
      record.status === 'in-progress' && transfer?.current
        ? transfer.current.heldBy
        : atHandlingSide || record.status !== 'in-progress'
          ? record.handlingNode
          : record.acceptingNode,
    heldSince:
      record.status === 'in-progress' && transfer?.current
        ? transfer.current.heldSince
        : toShanghaiIso(lastStage >= 0 ? shown[lastStage] : record.acceptedAt),
    acceptedAt: toShanghaiIso(record.acceptedAt),
    updatedAt: toShanghaiIso(record.updatedAt),
    timeline: ordered.map((e, i) => ({
      stage: e.stage,
      at: toShanghaiIso(shown[i]),
      reportedAt: toShanghaiIso(e.at),
      side: e.side,
      seq: e.seq,
      ...(e.reasonCode ? { reason: { code: e.reasonCode, message: e.reasonMessage ?? '' } } : {}),
      ...(e.detailJson ? { detail: JSON.parse(e.detailJson) as Record<string, unknown> } : {}),
    })),
    timeLimit: record.status === 'in-progress' ? (transfer?.current?.timeLimit ?? timeLimit) : null,
    ...(transfer ? { conversations: transfer.conversations } : {}),
  };
}
