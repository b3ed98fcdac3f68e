import { GatewayError } from '#core';
import type { CaseStage } from './canonical.js';
import { NOTE_STAGES, serviceDefinition, statusAt } from './service-catalogue.js';

/**
 * One case state machine for every service: the shared stages the gateway records (submitted →
 * forwarded → received → agency-received), then the service's own agency stages from the
 * catalogue, with the shared detours every service may take:
 *
 * - 补正: `supplement-requested` (the clock pauses) → `supplement-supplied` → the review resumes;
 * - 撤回: `withdrawn` from any stage at which the handling side has not decided;
 * - notes: `withdrawal-requested` while the case is open, `withdrawal-refused` at any time.
 *
 * Terminal stages allow nothing but the notes and what the service's flow declares (a temporary
 * loss report may still lapse; a suspended pension may still be resumed).
 */
export function nextStages(service: string, from: CaseStage): readonly CaseStage[] {
  const definition = serviceDefinition(service);
  if (!definition) return [];
  const next = new Set<CaseStage>();
  // The shared part of the path, before and around the service's own flow.
  const shared: Partial<Record<CaseStage, readonly CaseStage[]>> = {
    submitted: ['forwarded', 'received'],
    forwarded: ['received'],
    // The agency's feed may report its first stage before the hand-over's acknowledgement is in.
    received: ['agency-received', ...definition.first],
    'agency-received': definition.first,
    'supplement-requested': ['supplement-supplied', 'rejected'],
    'supplement-supplied': definition.afterSupplement,
  };
  shared[from]?.forEach((s) => next.add(s));
  definition.flow[from]?.forEach((s) => next.add(s));
  if (definition.undecided.includes(from)) next.add('withdrawn');
  if (statusAt(service, from) === 'in-progress') {
    next.add('withdrawal-requested');
    definition.conversationNotes?.forEach((s) => next.add(s));
  }
  next.add('withdrawal-refused');
  return [...next];
}

/** Whether a case of a service may move from one stage to another. */
export function canMove(service: string, from: CaseStage, to: CaseStage): boolean {
  return nextStages(service, from).includes(to);
}

/** Whether a stage is a note on the timeline that leaves the case where it is. */
export function isNoteStage(stage: CaseStage): boolean {
  return NOTE_STAGES.includes(stage);
}

/**
 * Refuses an illegal transition with CASE_TRANSITION_INVALID (the timeline is left as it was).
 *
 * @example assertTransition('ssc.apply', 'produced', 'mailed') // ok
 * @example assertTransition('ssc.apply', 'collected', 'in-production') // throws CASE_TRANSITION_INVALID
 */
export function assertTransition(service: string, from: CaseStage, to: CaseStage): void {
  if (!canMove(service, from, to)) {
    throw new GatewayError('CASE_TRANSITION_INVALID', { detail: `a ${service} case cannot move from ${from} to ${to}` });
  }
}

/**
 * Whether a window may still withdraw a case at this stage: the handling side has not decided.
 *
 * @example canWithdraw('pension.death-benefit', 'in-review') // true
 * @example canWithdraw('pension.death-benefit', 'approved') // false
 */
export function canWithdraw(service: string, stage: CaseStage): boolean {
  return serviceDefinition(service)?.undecided.includes(stage) ?? false;
}
