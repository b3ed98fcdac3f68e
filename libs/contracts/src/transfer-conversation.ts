import { GatewayError } from '#core';
import type { CaseStage, TransferConversationStage } from './canonical.js';

/**
 * One pension transfer conversation (one transfer-out place), as each side keeps it
 * (国办发〔2009〕66号: contact letter, information sheet and funds, merge):
 *
 * transfer-in side  leg1-review ─contact-letter-issued─▶ letter-issued ─information-sheet-received─▶ sheet-received
 *                        │                                    │                                        │ funds-received
 *                        └──transfer-refused──▶ refused ◀─────┘ transfer-refused (leg 2)          funds-received ─account-merged─▶ merged
 *
 * transfer-out side letter-received ─information-sheet-issued─▶ sheet-issued
 *                        │ └─information-sheet-invalid─▶ sheet-invalid (held for operators; a corrected sheet may follow)
 *                        └──transfer-refused──▶ refused
 */
export type ConversationSide = 'in' | 'out';

export const IN_CONVERSATION_STATES = ['leg1-review', 'letter-issued', 'sheet-received', 'funds-received', 'merged', 'refused'] as const;
export const OUT_CONVERSATION_STATES = ['letter-received', 'sheet-invalid', 'sheet-issued', 'refused'] as const;
export type ConversationState = (typeof IN_CONVERSATION_STATES)[number] | (typeof OUT_CONVERSATION_STATES)[number];

/** States in which a side has nothing more to do. */
export const ENDED_CONVERSATION_STATES: readonly ConversationState[] = ['merged', 'refused', 'sheet-issued'];

type Steps = Partial<Record<ConversationState, Partial<Record<TransferConversationStage, ConversationState>>>>;

const STEPS: Readonly<Record<ConversationSide, Steps>> = {
  in: {
    'leg1-review': { 'contact-letter-issued': 'letter-issued', 'transfer-refused': 'refused' },
    'letter-issued': { 'information-sheet-received': 'sheet-received', 'transfer-refused': 'refused' },
    'sheet-received': { 'funds-received': 'funds-received', 'account-merged': 'merged' },
    'funds-received': { 'account-merged': 'merged' },
  },
  out: {
    'letter-received': {
      'information-sheet-issued': 'sheet-issued',
      'information-sheet-invalid': 'sheet-invalid',
      'transfer-refused': 'refused',
    },
    'sheet-invalid': {
      'information-sheet-issued': 'sheet-issued',
      'information-sheet-invalid': 'sheet-invalid',
      'transfer-refused': 'refused',
    },
  },
};

/** The leg each state waits on: 1 contact letter, 2 information sheet and funds, 3 merge; 0 when ended. */
const LEG_OF: Readonly<Record<ConversationState, number>> = {
  'leg1-review': 1,
  'letter-issued': 2,
  'sheet-received': 3,
  'funds-received': 3,
  merged: 0,
  refused: 0,
  'letter-received': 2,
  'sheet-invalid': 2,
  'sheet-issued': 0,
};

/**
 * The state a conversation moves to on one step, and the leg it then waits on. Refuses a step
 * that does not follow with CASE_TRANSITION_INVALID.
 *
 * @example conversationStep('in', 'leg1-review', 'contact-letter-issued') // { state: 'letter-issued', leg: 2 }
 * @example conversationStep('out', 'sheet-issued', 'transfer-refused') // throws CASE_TRANSITION_INVALID
 */
export function conversationStep(
  side: ConversationSide,
  state: ConversationState,
  step: TransferConversationStage,
): { readonly state: ConversationState; readonly leg: number } {
  const next = STEPS[side][state]?.[step];
  if (!next) {
    throw new GatewayError('CASE_TRANSITION_INVALID', { detail: `a transfer-${side} conversation at ${state} cannot take ${step}` });
  }
  return { state: next, leg: LEG_OF[next] };
}

/** The leg a conversation state waits on (0 when the side is done). */
export function legOf(state: ConversationState): number {
  return LEG_OF[state];
}

/**
 * The stage of a pension transfer case, summed up from its conversations' transfer-in states: the
 * earliest leg still under way, or, when every conversation has ended, completed if any place's
 * funds were merged and rejected if every place refused.
 *
 * @example aggregateTransferStage(['letter-issued', 'leg1-review']) // 'in-review'
 * @example aggregateTransferStage(['merged', 'refused']) // 'completed'
 */
export function aggregateTransferStage(inStates: readonly ConversationState[]): CaseStage {
  if (inStates.includes('leg1-review')) return 'in-review';
  if (inStates.includes('letter-issued')) return 'awaiting-transfer-out';
  if (inStates.some((s) => s === 'sheet-received' || s === 'funds-received')) return 'merging';
  return inStates.includes('merged') ? 'completed' : 'rejected';
}
