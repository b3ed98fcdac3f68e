/**
 * Rows the gateway keeps, as plain objects. Stores return these, never typeorm entities, so that
 * nothing outside this library depends on the ORM.
 */
export type CaseRole = 'accepting' | 'handling' | 'both';

export interface CaseRecord {
  caseId: string;
  service: string;
  role: CaseRole;
  acceptingNode: string;
  handlingNode: string;
  agency: string;
  windowId: string | null;
  stage: string;
  status: string;
  /** The forwarded request (JSON): the open part of the request, its personal fields sealed for the agencies. */
  requestJson: string;
  /** SHA-256 (hex) of the normalised ID number, for look-ups without keeping it in clear. */
  applicantHash: string;
  region: string;
  regionHistoric: boolean;
  agencyRef: string | null;
  acceptedAt: number;
  updatedAt: number;
  /** Accepting side: the last handling-side status sequence applied. */
  lastAppliedSeq: number;
  /** Handling side: the last status sequence number issued. */
  lastIssuedSeq: number;
  /** While supplementary material is awaited (补正), when the wait began: the clock is paused. */
  clockPausedSince: number | null;
  /** Working days already spent waiting for supplements: they do not count against the limit. */
  clockPausedDays: number;
}

export interface CaseEventRecord {
  id?: number;
  caseId: string;
  stage: string;
  at: number;
  side: string;
  seq: number | null;
  reasonCode: string | null;
  reasonMessage: string | null;
  detailJson: string | null;
  /** What caused the entry (agency event id, message id): entries are idempotent on it. */
  sourceId: string;
  recordedAt: number;
}

export interface PendingStatusRecord {
  caseId: string;
  seq: number;
  payloadJson: string;
  receivedAt: number;
}

export type OutboxState = 'pending' | 'in-flight' | 'retrying' | 'delivered' | 'dead';

export interface OutboxRecord {
  messageId: string;
  destination: string;
  messageType: string;
  contractVersion: number;
  caseId: string | null;
  /** What goes on the wire: a compact JWS for peer destinations, JSON for agency destinations. */
  payload: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number | null;
  lastError: string | null;
  deadReason: string | null;
  createdAt: number;
  deliveredAt: number | null;
  /** Proof from the receiver: a signed receipt (peer) or the acknowledgement (agency). */
  receipt: string | null;
}

/** An outbox message as it is enqueued: the relay fills in the rest. */
export type NewOutboxMessage = Omit<OutboxRecord, 'state' | 'attempts' | 'leaseUntil' | 'lastError' | 'deadReason' | 'deliveredAt' | 'receipt'>;

export interface InboxRecord {
  messageId: string;
  sender: string;
  messageType: string;
  caseId: string | null;
  sha256: string;
  receipt: string;
  receivedAt: number;
}

export type CredentialRole = 'window' | 'operator';

export interface CredentialRecord {
  credentialId: string;
  role: CredentialRole;
  name: string;
  region: string;
  agency: string | null;
  secretHash: string;
  createdAt: number;
  /** After this instant the credential is refused (CREDENTIAL_EXPIRED); null = it never expires (rows from before 0008). */
  expiresAt: number | null;
  /** Set by an operator (CREDENTIAL_DISABLED); cleared when the credential is reissued. */
  disabledAt: number | null;
  disabledReason: string | null;
  /** When a request last authenticated with it, to about an hour (a write per request would cost too much). */
  lastUsedAt: number | null;
}

export interface AuditRecord {
  id?: number;
  action: string;
  subject: string;
  operatorId: string;
  reason: string;
  detailJson: string | null;
  at: number;
}

/**
 * A countersigned checkpoint of one node's message log (migration 0007): the checkpoint its
 * owner signed and the peer's countersignature of it, with their claims as columns to query.
 */
export interface LogCheckpointRecord {
  id?: number;
  /** The node whose log it is (the checkpoint's signer). */
  node: string;
  countersigner: string;
  count: number;
  headHash: string;
  /** The checkpoint's time (ms). */
  at: number;
  /** Compact JWS, exactly as signed. */
  checkpoint: string;
  /** Compact JWS, exactly as countersigned. */
  countersignature: string;
  countersignedAt: number;
}

/** One entry of the tamper-evident message log. */
export interface MessageLogRecord {
  seq: number;
  at: number;
  direction: 'sent' | 'received';
  kind: 'envelope' | 'receipt';
  messageId: string;
  /** The other node. */
  peer: string;
  /** base64url hash of `content`, in the suite of its own signature (SHA-256 for EdDSA, SM3 for SM2). */
  sha256: string;
  /** The compact JWS exactly as sent or received. */
  content: string;
  prevHash: string;
  hash: string;
  /**
   * The hash `hash` was chained with: the suite's in force when the entry was chained (`sha256`
   * under intl, `sm3` under gm; migration 0011). The offline verifier reads it from here.
   */
  hashAlg: 'sha256' | 'sm3';
}

/**
 * PostgreSQL only: an entry written by a node's transaction and not yet chained into the log
 * (`message_log`). The chain writer moves entries over in `id` order (MessageLogChainer), so the
 * transactions that log messages never wait for one another on the chain's head.
 */
export interface MessageLogPendingRecord extends Omit<MessageLogRecord, 'seq' | 'prevHash' | 'hash' | 'hashAlg'> {
  /** The order it was written in (the chain writer takes entries by it). */
  id: number;
}

/** The side of a pension transfer conversation a node keeps. */
export type ConversationSide = 'in' | 'out';

/**
 * One conversation of a pension transfer (one transfer-out place), as one node keeps it: the
 * transfer-in side (legs 1 and 3) or the transfer-out side (leg 2). A node that is both keeps
 * two rows.
 */
export interface ConversationRecord {
  caseId: string;
  conversation: number;
  side: ConversationSide;
  /** Where the conversation stands on this side (see libs/contracts transfer-conversation.ts). */
  state: string;
  /** The leg under way (1 contact letter, 2 information sheet, 3 merge), and since when. */
  leg: number;
  legStartedAt: number;
  inNode: string;
  inAgency: string;
  outNode: string;
  outAgency: string;
  outRegion: string;
  /** The transfer-out place as the window named it, and the documents exchanged so far (JSON). */
  placeJson: string;
  letterJson: string | null;
  sheetJson: string | null;
  /** Why a sheet was held back (codes and fields), or the refusal's reason. */
  problemJson: string | null;
  /** The last agency event applied to this side: a repeat of it (after a crash) is answered as a duplicate. */
  lastEventId: string | null;
  updatedAt: number;
}

/**
 * The answer kept for a window's `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header),
 * written in the transaction that made the request's effect (the case, the follow-up), so a
 * retry after a crash between that commit and the response gets the original answer.
 */
export interface IdempotencyKeyRecord {
  /** The credential that sent the key: keys are scoped per credential, one window's never meets another's. */
  credentialId: string;
  idempotencyKey: string;
  /** SHA-256 (hex) of the method, path and canonical body the key was first used with. */
  fingerprint: string;
  /** The answer: its HTTP status and body (JSON; receipts only, no personal data). */
  status: number;
  responseJson: string;
  createdAt: number;
  /** After this instant the key is forgotten (IDEMPOTENCY_KEY_TTL_HOURS) and purged. */
  expiresAt: number;
}
