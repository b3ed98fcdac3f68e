import type {
  AgencyCode,
  AgencyStatusReport,
  CaseSupplement,
  CaseWithdrawal,
  ForwardedRequest,
  TransferContactLetterMessage,
  TransferReplyMessage,
} from '#contracts';

/** A status change read from an agency's event feed, already in canonical terms. */
export interface FeedEvent {
  /** Position in the agency's feed; the cursor moves past it once the gateway acknowledged. */
  readonly position: number;
  /** Maps the event to canonical terms; throws UnmappedAgencyValue when it cannot. */
  toReport(): Omit<AgencyStatusReport, 'eventId' | 'agency'>;
}

/** What the agency answered to a hand-over: its reference for the case, and whether it had it already. */
export interface AgencyHandOver {
  readonly agencyRef: string;
  readonly duplicate: boolean;
}

/**
 * What an adapter needs from one agency system: hand over a new case and the follow-ups on it,
 * and read the event feed. Each province's adapter implements one client per agency system, with
 * that system's own field vocabulary. Every call is idempotent at the agency: a new case on the
 * case number (业务协同编号), a follow-up on the gateway's message id.
 */
export interface AgencyClient {
  /** The agency this client serves, e.g. `SC.card`. */
  readonly agency: AgencyCode;
  /** A new case (`<service>.request`). */
  submit(forwarded: ForwardedRequest, messageId: string): Promise<AgencyHandOver>;
  /** A withdrawal (`case.withdrawal`): the agency answers `withdrawn` or `withdrawal-refused` on its feed. */
  withdraw(withdrawal: CaseWithdrawal, messageId: string): Promise<AgencyHandOver>;
  /** Supplementary material (`case.supplement`): the agency resumes its review if it was waiting for it. */
  supplement(supplement: CaseSupplement, messageId: string): Promise<AgencyHandOver>;
  /**
   * A pension transfer's contact letter for this (transfer-out) agency
   * (`pension.transfer.contact-letter`), its applicant and this place's person number in clear:
   * the agency answers on its feed with the information sheet or a refusal, with the
   * conversation. Idempotent on the case number and conversation. Only pension offices have it.
   */
  contactLetter?(letter: TransferContactLetterMessage & { readonly applicant: NonNullable<TransferContactLetterMessage['applicant']> }, messageId: string): Promise<AgencyHandOver>;
  /**
   * A transfer-out side's information sheet for this (transfer-in) agency (`pension.transfer.reply`):
   * the agency reports the funds received and the account merged, with the conversation.
   * Idempotent on the case number and conversation. Only pension offices have it.
   */
  transferReply?(reply: TransferReplyMessage, messageId: string): Promise<AgencyHandOver>;
  /**
   * Asks the agency whether it already has this new case (a look-up by case number in the
   * agency's own API): its reference when it has, null when it has not. Asked before a new case
   * whose earlier hand-over is in doubt is handed over again, so that an agency that is not
   * idempotent never sees it twice.
   */
  lookUp(forwarded: ForwardedRequest): Promise<AgencyHandOver | null>;
  /** Events after `cursor`, in feed order. */
  fetchEvents(cursor: number, limit: number): Promise<{ events: FeedEvent[] }>;
}

export const AGENCY_CLIENTS = Symbol('AGENCY_CLIENTS');
