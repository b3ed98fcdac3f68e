/**
 * The canonical model that both gateway nodes and every agency adapter share. The JSON Schemas in
 * /contracts are the language-neutral source of truth; these types mirror them and a test keeps
 * the two in step.
 */
import type { NodeCode } from '#core';

/** Services the gateway carries, by their stable service code. */
export const SERVICE_CODES = ['ssc.apply'] as const;
export type ServiceCode = (typeof SERVICE_CODES)[number];

/** Statutory time limit of each service, in working days from acceptance (DOMAIN.md). */
export const SERVICE_TIME_LIMITS: Record<ServiceCode, { readonly workingDays: number }> = {
  'ssc.apply': { workingDays: 30 },
};

/** 社保卡 申领/补领/换领: new card, reissue after a loss report, replacement of a damaged card, renewal. */
export const SSC_APPLY_KINDS = ['new', 'reissue-after-loss', 'replace-damaged', 'renew'] as const;
export type SscApplyKind = (typeof SSC_APPLY_KINDS)[number];

/** An agency is named `<node>.<function>`, e.g. `SC.card` for Sichuan's card centre. */
export type AgencyCode = `${NodeCode}.${string}`;

export interface Applicant {
  /** GB 11643 citizen ID number, normalised to upper-case X. Equals the social-security number. */
  readonly idNumber: string;
  readonly name: string;
  readonly phone: string;
}

export interface DeliveryAddress {
  /** GB/T 2260 county-level code of the address. */
  readonly region: string;
  readonly line: string;
  readonly postcode?: string;
}

export interface MaterialRef {
  /** What the document is, e.g. `id-card-copy`, `loss-report`. */
  readonly type: string;
  /** Lower-case hex SHA-256 of the scanned document kept at the accepting window. */
  readonly sha256: string;
}

/** The body a window submits for `ssc.apply`. */
export interface SscApplyRequest {
  readonly service: 'ssc.apply';
  readonly kind: SscApplyKind;
  readonly applicant: Applicant;
  /** GB/T 2260 code of the card-issuing (insured) region: it decides who handles the case. */
  readonly issuingRegion: string;
  readonly deliveryAddress: DeliveryAddress;
  /** Reference of the photo held by the photo service of the accepting window. */
  readonly photoRef: string;
  readonly materials: readonly MaterialRef[];
}

export type ServiceRequest = SscApplyRequest;

/** Where a case goes, decided by routing from the case's data (never from the ID number). */
export interface CaseRoute {
  readonly node: NodeCode;
  readonly agency: AgencyCode;
  /** The current division code that decided the route (the successor of a historic code). */
  readonly region: string;
  /** True when the submitted region code is a historic (abolished) GB/T 2260 code. */
  readonly regionHistoric: boolean;
}

/**
 * The forwarded request: what the accepting node sends to the handling node, and what the
 * handling node hands its agency adapter. Message type `<service>.request`, contract version 1.
 */
export interface ForwardedRequest {
  readonly caseId: string;
  readonly service: ServiceCode;
  readonly acceptedAt: string;
  readonly acceptingNode: NodeCode;
  readonly acceptingWindow: { readonly id: string; readonly name: string; readonly region: string };
  readonly route: CaseRoute;
  readonly request: ServiceRequest;
}

/** Stages of a case, shared by all services, then those of the card service. */
export const SHARED_STAGES = ['submitted', 'forwarded', 'received', 'agency-received', 'rejected'] as const;
export const SSC_APPLY_STAGES = [
  'eligibility-check',
  'in-production',
  'produced',
  'mailed',
  'collected',
] as const;
export const CASE_STAGES = [...SHARED_STAGES, ...SSC_APPLY_STAGES] as const;
export type CaseStage = (typeof CASE_STAGES)[number];

/** Stages an agency reports (through its adapter); the others are the gateway's own. */
export const AGENCY_STAGES = ['eligibility-check', 'in-production', 'produced', 'mailed', 'collected', 'rejected'] as const;
export type AgencyStage = (typeof AGENCY_STAGES)[number];

export type CaseStatus = 'in-progress' | 'completed' | 'rejected';

/** Canonical rejection reasons an agency may give (DOMAIN.md). */
export const REJECTION_REASONS = [
  'CARD_ALREADY_IN_PRODUCTION',
  'NOT_INSURED_AT_REGION',
  'PHOTO_INVALID',
  'IDENTITY_MISMATCH',
  'BANK_PREACCOUNT_FAILED',
  'REISSUE_WITHOUT_LOSS_REPORT',
  'PRODUCTION_FAILED',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface StageDetail {
  /** EMS waybill number, with stage `mailed`. */
  readonly waybill?: string;
  /** The agency's own reference for the case. */
  readonly agencyRef?: string;
}

/**
 * A status update: every stage and rejection the handling side records, sent back to the
 * accepting node. `seq` counts per case from 1 on the handling side; the receiver applies updates
 * in `seq` order whatever order they arrive in. Message type `status-update`, version 1.
 */
export interface StatusUpdate {
  readonly caseId: string;
  readonly seq: number;
  readonly stage: CaseStage;
  readonly at: string;
  readonly side: NodeCode;
  readonly reason?: { readonly code: RejectionReason; readonly message: string };
  readonly detail?: StageDetail;
}

export function statusOfStage(stage: CaseStage): CaseStatus {
  if (stage === 'rejected') return 'rejected';
  if (stage === 'collected') return 'completed';
  return 'in-progress';
}
