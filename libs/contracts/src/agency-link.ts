/**
 * Messages between a gateway node and its province's agency adapters, carried by
 * @nestjs/microservices (TCP on the embedded default, RabbitMQ in production mode).
 *
 * gateway ──AGENCY_DELIVER──▶ adapter   (reply: AgencyDeliveryAck)
 * adapter ──AGENCY_STATUS───▶ gateway   (reply: AgencyStatusAck)
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
}
