import { EntitySchema, type ValueTransformer } from 'typeorm';
import type {
  AuditRecord,
  MessageLogRecord,
  LogCheckpointRecord,
  MessageLogPendingRecord,
  CaseEventRecord,
  CaseRecord,
  CredentialRecord,
  InboxRecord,
  OutboxRecord,
  PendingStatusRecord,
  ConversationRecord,
  IdempotencyKeyRecord,
} from './records.js';

/**
 * Millisecond timestamps are stored as bigint. PostgreSQL returns bigint as a string to avoid
 * precision loss; our values stay far below 2^53, so converting back to number is exact.
 */
const millis: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

const flag: ValueTransformer = {
  to: (value: boolean) => (value ? 1 : 0),
  from: (value: number | boolean) => value === true || value === 1,
};

export const CaseSchema = new EntitySchema<CaseRecord>({
  name: 'Case',
  tableName: 'cases',
  columns: {
    caseId: { name: 'case_id', type: 'varchar', length: 40, primary: true },
    service: { type: 'varchar', length: 64 },
    role: { type: 'varchar', length: 16 },
    acceptingNode: { name: 'accepting_node', type: 'varchar', length: 8 },
    handlingNode: { name: 'handling_node', type: 'varchar', length: 8 },
    agency: { type: 'varchar', length: 64 },
    windowId: { name: 'window_id', type: 'varchar', length: 64, nullable: true },
    stage: { type: 'varchar', length: 40 },
    status: { type: 'varchar', length: 16 },
    requestJson: { name: 'request_json', type: 'text' },
    applicantHash: { name: 'applicant_hash', type: 'varchar', length: 64 },
    region: { type: 'varchar', length: 6 },
    regionHistoric: { name: 'region_historic', type: 'integer', transformer: flag },
    agencyRef: { name: 'agency_ref', type: 'varchar', length: 64, nullable: true },
    acceptedAt: { name: 'accepted_at', type: 'bigint', transformer: millis },
    updatedAt: { name: 'updated_at', type: 'bigint', transformer: millis },
    lastAppliedSeq: { name: 'last_applied_seq', type: 'integer' },
    lastIssuedSeq: { name: 'last_issued_seq', type: 'integer' },
    clockPausedSince: { name: 'clock_paused_since', type: 'bigint', nullable: true, transformer: millis },
    clockPausedDays: { name: 'clock_paused_days', type: 'integer', default: 0 },
  },
});

export const CaseEventSchema = new EntitySchema<CaseEventRecord>({
  name: 'CaseEvent',
  tableName: 'case_events',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    caseId: { name: 'case_id', type: 'varchar', length: 40 },
    stage: { type: 'varchar', length: 40 },
    at: { type: 'bigint', transformer: millis },
    side: { type: 'varchar', length: 8 },
    seq: { type: 'integer', nullable: true },
    reasonCode: { name: 'reason_code', type: 'varchar', length: 64, nullable: true },
    reasonMessage: { name: 'reason_message', type: 'varchar', length: 400, nullable: true },
    detailJson: { name: 'detail_json', type: 'text', nullable: true },
    sourceId: { name: 'source_id', type: 'varchar', length: 100 },
    recordedAt: { name: 'recorded_at', type: 'bigint', transformer: millis },
  },
});

export const PendingStatusSchema = new EntitySchema<PendingStatusRecord>({
  name: 'PendingStatus',
  tableName: 'pending_status',
  columns: {
    caseId: { name: 'case_id', type: 'varchar', length: 40, primary: true },
    seq: { type: 'integer', primary: true },
    payloadJson: { name: 'payload_json', type: 'text' },
    receivedAt: { name: 'received_at', type: 'bigint', transformer: millis },
  },
});

export const OutboxSchema = new EntitySchema<OutboxRecord>({
  name: 'Outbox',
  tableName: 'outbox',
  columns: {
    messageId: { name: 'message_id', type: 'varchar', length: 36, primary: true },
    destination: { type: 'varchar', length: 64 },
    messageType: { name: 'message_type', type: 'varchar', length: 64 },
    contractVersion: { name: 'contract_version', type: 'integer' },
    caseId: { name: 'case_id', type: 'varchar', length: 40, nullable: true },
    payload: { type: 'text' },
    state: { type: 'varchar', length: 16 },
    attempts: { type: 'integer' },
    nextAttemptAt: { name: 'next_attempt_at', type: 'bigint', transformer: millis },
    leaseUntil: { name: 'lease_until', type: 'bigint', nullable: true, transformer: millis },
    lastError: { name: 'last_error', type: 'varchar', length: 400, nullable: true },
    deadReason: { name: 'dead_reason', type: 'varchar', length: 64, nullable: true },
    createdAt: { name: 'created_at', type: 'bigint', transformer: millis },
    deliveredAt: { name: 'delivered_at', type: 'bigint', nullable: true, transformer: millis },
    receipt: { type: 'text', nullable: true },
  },
});

export const InboxSchema = new EntitySchema<InboxRecord>({
  name: 'Inbox',
  tableName: 'inbox',
  columns: {
    messageId: { name: 'message_id', type: 'varchar', length: 36, primary: true },
    sender: { type: 'varchar', length: 8 },
    messageType: { name: 'message_type', type: 'varchar', length: 64 },
    caseId: { name: 'case_id', type: 'varchar', length: 40, nullable: true },
    sha256: { type: 'varchar', length: 64 },
    receipt: { type: 'text' },
    receivedAt: { name: 'received_at', type: 'bigint', transformer: millis },
  },
});

export const CredentialSchema = new EntitySchema<CredentialRecord>({
  name: 'Credential',
  tableName: 'credentials',
  columns: {
    credentialId: { name: 'credential_id', type: 'varchar', length: 64, primary: true },
    role: { type: 'varchar', length: 16 },
    name: { type: 'varchar', length: 200 },
    region: { type: 'varchar', length: 6 },
    agency: { type: 'varchar', length: 64, nullable: true },
    secretHash: { name: 'secret_hash', type: 'varchar', length: 64 },
    createdAt: { name: 'created_at', type: 'bigint', transformer: millis },
    expiresAt: { name: 'expires_at', type: 'bigint', nullable: true, transformer: millis },
    disabledAt: { name: 'disabled_at', type: 'bigint', nullable: true, transformer: millis },
    disabledReason: { name: 'disabled_reason', type: 'varchar', length: 400, nullable: true },
    lastUsedAt: { name: 'last_used_at', type: 'bigint', nullable: true, transformer: millis },
  },
});

export const AuditSchema = new EntitySchema<AuditRecord>({
  name: 'OperatorAudit',
  tableName: 'operator_audit',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    action: { type: 'varchar', length: 32 },
    subject: { type: 'varchar', length: 64 },
    operatorId: { name: 'operator_id', type: 'varchar', length: 64 },
    reason: { type: 'varchar', length: 400 },
    detailJson: { name: 'detail_json', type: 'text', nullable: true },
    at: { type: 'bigint', transformer: millis },
  },
});

/** The columns of a logged envelope or receipt, chained (`message_log`) or waiting (`message_log_pending`). */
const loggedEntryColumns = {
  at: { type: 'bigint', transformer: millis },
  direction: { type: 'varchar', length: 8 },
  kind: { type: 'varchar', length: 8 },
  messageId: { name: 'message_id', type: 'varchar', length: 36 },
  peer: { type: 'varchar', length: 8 },
  sha256: { type: 'varchar', length: 64 },
  content: { type: 'text' },
} as const;

export const MessageLogSchema = new EntitySchema<MessageLogRecord>({
  name: 'MessageLog',
  tableName: 'message_log',
  columns: {
    // bigint on PostgreSQL since migration 0006 (read back as a number, like the timestamps).
    seq: { type: 'bigint', primary: true, transformer: millis },
    ...loggedEntryColumns,
    prevHash: { name: 'prev_hash', type: 'varchar', length: 64 },
    hash: { type: 'varchar', length: 64 },
    // Migration 0011: the hash the entry was chained with ('sha256' for every entry before it).
    hashAlg: { name: 'hash_alg', type: 'varchar', length: 8, default: 'sha256' },
  },
});

export const MessageLogPendingSchema = new EntitySchema<MessageLogPendingRecord>({
  name: 'MessageLogPending',
  tableName: 'message_log_pending',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment', transformer: millis },
    ...loggedEntryColumns,
  },
});

export const LogCheckpointSchema = new EntitySchema<LogCheckpointRecord>({
  name: 'LogCheckpoint',
  tableName: 'log_checkpoints',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment', transformer: millis },
    node: { type: 'varchar', length: 8 },
    countersigner: { type: 'varchar', length: 8 },
    count: { type: 'bigint', transformer: millis },
    headHash: { name: 'head_hash', type: 'varchar', length: 64 },
    at: { type: 'bigint', transformer: millis },
    checkpoint: { type: 'text' },
    countersignature: { type: 'text' },
    countersignedAt: { name: 'countersigned_at', type: 'bigint', transformer: millis },
  },
});

export const ConversationSchema = new EntitySchema<ConversationRecord>({
  name: 'Conversation',
  tableName: 'conversations',
  columns: {
    caseId: { name: 'case_id', type: 'varchar', length: 40, primary: true },
    conversation: { type: 'integer', primary: true },
    side: { type: 'varchar', length: 4, primary: true },
    state: { type: 'varchar', length: 32 },
    leg: { type: 'integer' },
    legStartedAt: { name: 'leg_started_at', type: 'bigint', transformer: millis },
    inNode: { name: 'in_node', type: 'varchar', length: 8 },
    inAgency: { name: 'in_agency', type: 'varchar', length: 64 },
    outNode: { name: 'out_node', type: 'varchar', length: 8 },
    outAgency: { name: 'out_agency', type: 'varchar', length: 64 },
    outRegion: { name: 'out_region', type: 'varchar', length: 6 },
    placeJson: { name: 'place_json', type: 'text' },
    letterJson: { name: 'letter_json', type: 'text', nullable: true },
    sheetJson: { name: 'sheet_json', type: 'text', nullable: true },
    problemJson: { name: 'problem_json', type: 'text', nullable: true },
    lastEventId: { name: 'last_event_id', type: 'varchar', length: 100, nullable: true },
    updatedAt: { name: 'updated_at', type: 'bigint', transformer: millis },
  },
});

export const IdempotencyKeySchema = new EntitySchema<IdempotencyKeyRecord>({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  columns: {
    credentialId: { name: 'credential_id', type: 'varchar', length: 64, primary: true },
    idempotencyKey: { name: 'idempotency_key', type: 'varchar', length: 255, primary: true },
    fingerprint: { type: 'varchar', length: 64 },
    status: { type: 'integer' },
    responseJson: { name: 'response_json', type: 'text' },
    createdAt: { name: 'created_at', type: 'bigint', transformer: millis },
    expiresAt: { name: 'expires_at', type: 'bigint', transformer: millis },
  },
});

export const ALL_SCHEMAS = [
  MessageLogSchema,
  LogCheckpointSchema,
  MessageLogPendingSchema,
  AuditSchema,
  CaseSchema,
  CaseEventSchema,
  PendingStatusSchema,
  OutboxSchema,
  InboxSchema,
  CredentialSchema,
  ConversationSchema,
  IdempotencyKeySchema,
];
