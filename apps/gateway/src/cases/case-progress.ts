import { isNoteStage, statusAt, type CaseStage } from '#contracts';
import type { CaseRecord } from '#persistence';

/**
 * Where an event leaves a case: its stage and status (a note leaves both), and its clock, which
 * stops while supplementary material is awaited and runs again when it comes.
 */
export function advanceCase(
  record: CaseRecord,
  event: { readonly stage: CaseStage; readonly at: number },
  pausedDays: (sinceMs: number, untilMs: number) => number,
): Pick<CaseRecord, 'stage' | 'status' | 'clockPausedSince' | 'clockPausedDays'> {
  const stage = isNoteStage(event.stage) ? record.stage : event.stage;
  let { clockPausedSince, clockPausedDays } = record;
  if (event.stage === 'supplement-requested') clockPausedSince = event.at;
  else if (clockPausedSince !== null && !isNoteStage(event.stage)) {
    clockPausedDays += pausedDays(clockPausedSince, event.at);
    clockPausedSince = null;
  }
  return { stage, status: statusAt(record.service, stage as CaseStage), clockPausedSince, clockPausedDays };
}
