import type { AgencyDelivery, AgencyStatusReport } from '#contracts';

/** A status change read from an agency's event feed, already in canonical terms. */
export interface FeedEvent {
  /** Position in the agency's feed; the cursor moves past it once the gateway acknowledged. */
  readonly position: number;
  /** Maps the event to canonical terms; throws UnmappedAgencyValue when it cannot. */
  toReport(): Omit<AgencyStatusReport, 'eventId' | 'agency'>;
}

/**
 * What an adapter needs from its agency system: hand over a request, read the event feed.
 * Each province's adapter implements it with its own field vocabulary.
 */
export interface AgencyClient {
  /** The agency this client serves, e.g. `SC.card`. */
  readonly agency: AgencyStatusReport['agency'];
  submit(delivery: AgencyDelivery): Promise<{ agencyRef: string; duplicate: boolean }>;
  /** Events after `cursor`, in feed order. */
  fetchEvents(cursor: number, limit: number): Promise<{ events: FeedEvent[] }>;
}

export const AGENCY_CLIENT = Symbol('AGENCY_CLIENT');
