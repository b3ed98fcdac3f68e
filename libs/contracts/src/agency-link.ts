/**
 * Messages between a gateway node and its province's agency adapters, carried by
 * @nestjs/microservices (TCP on the embedded default, RabbitMQ in production mode).
 *
 * gateway ──AGENCY_DELIVER──▶ adapter   (reply: AgencyDeliveryAck)
 * adapter ──AGENCY_STATUS───▶ gateway   (reply: AgencyStatusAck)
 * gateway ──AGENCY_DELIVER_BATCH──▶ adapter   (reply: AgencyDeliveryBatchAck)
 * adapter ──AGENCY_STATUS_BATCH───▶ gateway   (reply: AgencyStatusBatchAck)
 *
 * The batch patterns carry many single messages in one request and answer one outcome per
 * message, in the same order: each message is acknowledged or refused on its own, exactly as if
 * it had been sent alone (same validation, same link proof per message, same idempotence). A
 * batch as a whole is refused only when it is not a batch at all (not an object, no items, too
 * many items).
 */
import type {
  AgencyCode,
  AgencyStage,
  CaseSupplement,
  CaseWithdrawal,
  ContactLetter,
  ForwardedRequest,
  TransferContactLetterMessage,
  TransferInformationSheet,
  TransferReplyMessage,
  RejectionReason,
  StageDetail,
} from './canonical.js';

export const AGENCY_DELIVER = 'agency.deliver.v1';
export const AGENCY_STATUS = 'agency.status.v1';
export const AGENCY_DELIVER_BATCH = 'agency.deliver-batch.v1';
export const AGENCY_STATUS_BATCH = 'agency.status-batch.v1';

/** How many messages one batch on the agency link may carry (contracts/schemas/agency-*-batch.v1). */
export const AGENCY_BATCH_LIMITS = { deliveries: 50, statuses: 100 } as const;

/**
 * One piece of work for an agency: a new case (`<service>.request`, with `forwarded`), or a
 * follow-up on a case it already has: a withdrawal (`case.withdrawal`) or supplementary material
 * (`case.supplement`). The agency answers follow-ups through its event feed (`withdrawn` or
 * `withdrawal-refused`; the review resuming).
 */
export interface AgencyDelivery {
  /** The gateway's message id; the adapter is idempotent on it. */
  readonly messageId: string;
  readonly agency: AgencyCode;
  readonly messageType: string;
  readonly contractVersion: number;
  readonly caseId: string;
  readonly forwarded?: ForwardedRequest;
  readonly withdrawal?: CaseWithdrawal;
  readonly supplement?: CaseSupplement;
  /** A pension transfer's contact letter, for the transfer-out agency (`pension.transfer.contact-letter`). */
  readonly contactLetter?: TransferContactLetterMessage;
  /** A transfer-out side's answer, for the transfer-in agency (`pension.transfer.reply`). */
  readonly reply?: TransferReplyMessage;
  /** HMAC of messageId under the province's agency-link secret (see linkProof). */
  readonly proof?: string;
}

export interface AgencyDeliveryAck {
  readonly messageId: string;
  readonly agencyRef: string;
  /** True when the adapter had already handed this message to the agency. */
  readonly duplicate: boolean;
}

export interface AgencyStatusReport {
  /** Unique per adapter and agency event, e.g. `SC.card:1042`; the gateway is idempotent on it. */
  readonly eventId: string;
  readonly agency: AgencyCode;
  readonly caseId: string;
  readonly stage: AgencyStage;
  readonly at: string;
  readonly reason?: { readonly code: RejectionReason; readonly message: string };
  readonly detail?: StageDetail;
  /** The pension transfer conversation a step belongs to (transfer-out place, from 1). */
  readonly conversation?: number;
  /** The document a pension transfer step issues: leg 1's contact letter or leg 2's information sheet. */
  readonly document?: { readonly contactLetter?: ContactLetter; readonly informationSheet?: TransferInformationSheet };
  /** HMAC of eventId under the province's agency-link secret (see linkProof). */
  readonly proof?: string;
}

export interface AgencyStatusAck {
  readonly eventId: string;
  readonly duplicate: boolean;
}

/** The error shape an RPC handler returns instead of throwing plain errors across the transport. */
export interface AgencyLinkError {
  readonly code: string;
  readonly message: string;
  readonly permanent: boolean;
  /**
   * The fields at fault (`caseId`, `stage`, `detail.waybill`), when the message was refused for
   * its content: names only, never the values (which may be personal data).
   */
  readonly fields?: readonly string[];
}

/**
 * How long a peer that answered "no handler" for a batch pattern (an older version) is sent
 * messages one by one before a batch is tried again: a rolling upgrade of the peer then brings
 * batching back without a restart.
 */
export const AGENCY_BATCH_RETRY_MS = 5 * 60_000;

/** One message's outcome in a batch answer: its acknowledgement, or the error it alone met. */
export type AgencyBatchOutcome<Ack> = { readonly ok: true; readonly ack: Ack } | { readonly ok: false; readonly error: AgencyLinkError };

/** AGENCY_DELIVER_BATCH: up to AGENCY_BATCH_LIMITS.deliveries deliveries, each with its own proof. */
export interface AgencyDeliveryBatch {
  readonly items: readonly AgencyDelivery[];
}

/** The answer to AGENCY_DELIVER_BATCH: one outcome per delivery, in the order sent. */
export interface AgencyDeliveryBatchAck {
  readonly results: readonly AgencyBatchOutcome<AgencyDeliveryAck>[];
}

/** AGENCY_STATUS_BATCH: up to AGENCY_BATCH_LIMITS.statuses reports in feed order, each with its own proof. */
export interface AgencyStatusBatch {
  readonly items: readonly AgencyStatusReport[];
}

/**
 * The answer to AGENCY_STATUS_BATCH: one outcome per report, in the order sent. Reports are
 * applied in order; after a report that failed for a reason that may pass (transient), the rest
 * are not attempted (BATCH_ITEM_NOT_ATTEMPTED, transient) so that no later stage of a case is
 * recorded before an earlier one.
 */
export interface AgencyStatusBatchAck {
  readonly results: readonly AgencyBatchOutcome<AgencyStatusAck>[];
}

/**
 * The items of a batch on the agency link, or null when the payload is not a batch of 1 to
 * `limit` items. Items are not checked here: each is validated on its own by its handler.
 *
 * @example batchItems({ items: [a, b] }, AGENCY_BATCH_LIMITS.deliveries) // [a, b]
 * @example batchItems({ items: [] }, 50) // null
 */
export function batchItems(payload: unknown, limit: number): readonly unknown[] | null {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const items = (payload as { items?: unknown }).items;
  if (!Array.isArray(items) || items.length === 0 || items.length > limit) return null;
  return items as unknown[];
}

/**
 * adapter ──AGENCY_HEARTBEAT──▶ gateway (reply: AdapterHeartbeatAck), on the status link: every
 * `everyMs` (and at once when an agency's state changes, and a last one with `stopping` on a
 * graceful stop), each adapter instance says it is alive and what it last heard from each agency
 * it fronts. The gateway shows an adapter down after three missed beats. No personal data: codes
 * and times only.
 */
export const AGENCY_HEARTBEAT = 'agency.heartbeat.v1';

/** Whether an agency system answered the adapter's last call or feed poll. */
export type AgencyReachabilityState = 'up' | 'down' | 'unknown';

export interface AgencyReachability {
  readonly agency: AgencyCode;
  /** `unknown`: the adapter has not called this agency since it started. */
  readonly state: AgencyReachabilityState;
  /** When the agency last answered (ISO 8601), if it has since the adapter started. */
  readonly lastAnswerAt?: string;
  /** When a call last found the agency unreachable, and the code it met (e.g. AGENCY_UNAVAILABLE). */
  readonly lastFailureAt?: string;
  readonly lastFailureCode?: string;
}

export interface AdapterHeartbeat {
  /** One adapter process (random per start): instances of a province are told apart by it. */
  readonly adapterId: string;
  /** Increases with every beat of this instance, so a late beat never overwrites a newer one. */
  readonly beat: number;
  readonly sentAt: string;
  /** How often this instance beats, in milliseconds. */
  readonly everyMs: number;
  /** The last beat of an instance that is stopping: it is down from now on. */
  readonly stopping?: boolean;
  readonly agencies: readonly AgencyReachability[];
  /** HMAC of `heartbeatProofId(...)` under the province's agency-link secret (see linkProof). */
  readonly proof?: string;
}

export interface AdapterHeartbeatAck {
  readonly adapterId: string;
  readonly beat: number;
}

/**
 * What a heartbeat's link proof is computed over: its instance and beat number, so that a proof
 * cannot be moved to another beat.
 *
 * @example heartbeatProofId({ adapterId: 'a1', beat: 7 }) // 'heartbeat:a1:7'
 */
export function heartbeatProofId(beat: Pick<AdapterHeartbeat, 'adapterId' | 'beat'>): string {
  return `heartbeat:${beat.adapterId}:${beat.beat}`;
}
