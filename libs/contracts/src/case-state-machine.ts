import { GatewayError } from '#core';
import type { CaseStage } from './canonical.js';

/**
 * The stages a card case may move to from each stage, on the handling side. The agency's own
 * production stages follow the shared ones; a rejection can come at any time before the card is
 * produced; a produced card can only be mailed, and so on. Terminal stages allow nothing.
 */
const NEXT: Readonly<Record<CaseStage, readonly CaseStage[]>> = {
  submitted: ['forwarded', 'received'],
  forwarded: ['received'],
  received: ['agency-received', 'eligibility-check', 'rejected'],
  'agency-received': ['eligibility-check', 'rejected'],
  'eligibility-check': ['in-production', 'rejected'],
  'in-production': ['produced', 'rejected'],
  produced: ['mailed'],
  mailed: ['collected'],
  collected: [],
  rejected: [],
};

/** Whether a case may move from one stage to another. */
export function canMove(from: CaseStage, to: CaseStage): boolean {
  return NEXT[from].includes(to);
}

/**
 * Refuses an illegal transition with CASE_TRANSITION_INVALID (the timeline is left as it was).
 *
 * @example assertTransition('produced', 'mailed') // ok
 * @example assertTransition('collected', 'in-production') // throws CASE_TRANSITION_INVALID
 */
export function assertTransition(from: CaseStage, to: CaseStage): void {
  if (!canMove(from, to)) {
    throw new GatewayError('CASE_TRANSITION_INVALID', { detail: `a case cannot move from ${from} to ${to}` });
  }
}
