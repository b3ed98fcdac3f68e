/**
 * The canonical model that both gateway nodes and every agency adapter share. The JSON Schemas in
 * /contracts are the language-neutral source of truth: the window requests' types are generated
 * from them (./generated, `npm run contracts:types`, checked by tests/contracts/generated-types.spec.ts);
 * the messages between nodes are still written here, and the conformance test keeps them in step.
 */
import type { NodeCode } from '#core';
import type { DeathBenefitRequestV1 } from './generated/death-benefit.v1.js';
import type { MedicalFilingRequestV1 } from './generated/medical-filing.v1.js';
import type { PensionQualificationRequestV1 } from './generated/pension-qualification.v1.js';
import type { PensionTransferRequestV1 } from './generated/pension-transfer.v1.js';
import type { SscApplyRequestV1 } from './generated/ssc-apply.v1.js';
import type { SscLossRequestV1 } from './generated/ssc-loss.v1.js';

/**
 * Services the gateway carries, by their stable service code (DOMAIN.md, "Services to carry").
 * The catalogue (service-catalogue.ts) says, for each, who handles it, its stages and its limit.
 */
export const SERVICE_CODES = [
  'ssc.apply',
  'ssc.loss',
  'medical.filing',
  'pension.qualification',
  'pension.death-benefit',
  'pension.transfer',
] as const;
export type ServiceCode = (typeof SERVICE_CODES)[number];

/** An agency is named `<node>.<function>`, e.g. `SC.card` for Sichuan's card centre. */
export type AgencyCode = `${NodeCode}.${string}`;

/** The functions an agency serves in each province: card centre, medical insurance, pensions. */
export const AGENCY_FUNCTIONS = ['card', 'medical', 'pension'] as const;
export type AgencyFunction = (typeof AGENCY_FUNCTIONS)[number];

/** A person who can be reached: an applicant (the same in every window contract). */
export type Applicant = SscApplyRequest['applicant'];

export type DeliveryAddress = SscApplyRequest['deliveryAddress'];

/** A scanned document kept at the accepting window, by type and SHA-256. */
export type MaterialRef = SscApplyRequest['materials'][number];

// ── 社保卡 申领/补领/换领 ─────────────────────────────────────────────────────────────────────

/** New card, reissue after a loss report, replacement of a damaged card, renewal. */
export const SSC_APPLY_KINDS = ['new', 'reissue-after-loss', 'replace-damaged', 'renew'] as const;
export type SscApplyKind = (typeof SSC_APPLY_KINDS)[number];

/** The body a window submits for `ssc.apply` (contracts/schemas/ssc-apply.v1.schema.json). */
export type SscApplyRequest = SscApplyRequestV1;

// ── 社保卡 挂失/解挂 ──────────────────────────────────────────────────────────────────────────

export const SSC_LOSS_ACTIONS = ['report', 'unblock'] as const;
export type SscLossAction = (typeof SSC_LOSS_ACTIONS)[number];
/** 临时挂失 expires by itself after the issuing agency's number of days; 正式挂失 does not. */
export const LOSS_TYPES = ['temporary', 'formal'] as const;
export type LossType = (typeof LOSS_TYPES)[number];
/** The card's two functions are reported separately: 社保功能 and 金融账户 (the bank account). */
export const CARD_FUNCTIONS = ['social', 'bank'] as const;
export type CardFunction = (typeof CARD_FUNCTIONS)[number];

/** The body a window submits for `ssc.loss`: report a card lost, or unblock it (ssc-loss.v1). */
export type SscLossRequest = SscLossRequestV1;

// ── 异地就医备案 ─────────────────────────────────────────────────────────────────────────────

export const MEDICAL_FILING_ACTIONS = ['file', 'change', 'cancel'] as const;
export type MedicalFilingAction = (typeof MEDICAL_FILING_ACTIONS)[number];
/**
 * 异地长期居住 (long-term residents: no end date), 临时外出就医 (temporary: valid at least six
 * months), 急诊抢救 (emergency: counts as filed, no prior filing needed).
 */
export const MEDICAL_FILING_TYPES = ['long-term-resident', 'temporary', 'emergency'] as const;
export type MedicalFilingType = (typeof MEDICAL_FILING_TYPES)[number];

/** The body a window submits for `medical.filing` (medical-filing.v1). */
export type MedicalFilingRequest = MedicalFilingRequestV1;

// ── 待遇资格认证 ─────────────────────────────────────────────────────────────────────────────

export const PENSION_TYPES = ['employee', 'resident'] as const;
export type PensionType = (typeof PENSION_TYPES)[number];
/** How the residence region verified the pensioner: at the window, on a home visit, or by video. */
export const QUALIFICATION_METHODS = ['in-person', 'home-visit', 'video'] as const;
export type QualificationMethod = (typeof QUALIFICATION_METHODS)[number];

/** The body a window submits for `pension.qualification` (pension-qualification.v1). */
export type PensionQualificationRequest = PensionQualificationRequestV1;

// ── 城乡居保 死亡待遇申领 ─────────────────────────────────────────────────────────────────────

export const DEATH_PROOF_TYPES = [
  'death-certificate',
  'cremation-certificate',
  'hukou-cancellation',
  'court-declaration',
] as const;
export type DeathProofType = (typeof DEATH_PROOF_TYPES)[number];
/** 法定继承人, 指定受益人, or 代办人 acting for one. */
export const CLAIMANT_ROLES = ['legal-heir', 'designated-beneficiary', 'agent'] as const;
export type ClaimantRole = (typeof CLAIMANT_ROLES)[number];
export const CLAIMANT_RELATIONS = ['spouse', 'child', 'parent', 'sibling', 'grandchild', 'other'] as const;
export type ClaimantRelation = (typeof CLAIMANT_RELATIONS)[number];

/** The body a window submits for `pension.death-benefit` (death-benefit.v1). */
export type DeathBenefitRequest = DeathBenefitRequestV1;

// ── 养老保险关系转移接续 (国办发〔2009〕66号) ──────────────────────────────────────────────────

/** 企业职工基本养老保险, or 机关事业单位基本养老保险. */
export const TRANSFER_INSURANCE_TYPES = ['enterprise-employee', 'public-institution'] as const;
export type TransferInsuranceType = (typeof TRANSFER_INSURANCE_TYPES)[number];

/** One place the worker was insured at and moves away from (转出地): each is its own conversation. */
export type TransferOutPlace = PensionTransferRequest['transferOut'][number];

/** The body a window of the transfer-in province submits for `pension.transfer` (pension-transfer.v1). */
export type PensionTransferRequest = PensionTransferRequestV1;

/** 联系函: leg 1's answer, with the receiving fund's bank account the funds go to. */
export interface ContactLetter {
  readonly letterNo: string;
  readonly fundAccount: { readonly bankName: string; readonly accountName: string; readonly accountNumber: string };
  readonly issuedOn: string;
}

/** One period of contributions on an information sheet (a month range with one monthly base). */
export interface SheetPeriod {
  /** First month, YYYY-MM. */
  readonly from: string;
  /** Last month, inclusive, YYYY-MM. */
  readonly to: string;
  /** Monthly contribution base, an exact decimal string of yuan. */
  readonly monthlyBase: string;
  /** Months the sheet states; must equal to − from + 1. */
  readonly months: number;
}

/** 信息表: leg 2's answer, with the funds remitted. Amounts are exact decimal strings of yuan. */
export interface TransferInformationSheet {
  readonly periods: readonly SheetPeriod[];
  readonly personalAccountBalance: string;
  readonly personalTransfer: string;
  readonly pooledTransfer: string;
  readonly totalTransfer: string;
  /** The day the transfer-out side ended the local insurance relation. */
  readonly relationEndedOn: string;
  readonly remittance: { readonly ref: string; readonly remittedOn: string };
}

export type ServiceRequest =
  | PensionTransferRequest
  | SscApplyRequest
  | SscLossRequest
  | MedicalFilingRequest
  | PensionQualificationRequest
  | DeathBenefitRequest;

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
  /**
   * The window's request. In version 2 (`sealed` present) it holds only the fields that may
   * travel in clear: the personal ones (PERSONAL_PATHS) are in `sealed`.
   */
  readonly request: ServiceRequest;
  /**
   * Version 2: the request's personal fields, sealed (compact JWE, ECDH-ES+A256KW/X25519,
   * A256GCM) for each agency that needs them, by agency code: the handling agency, and for a
   * pension transfer each transfer-out agency. Only that agency's adapter can open its copy.
   */
  readonly sealed?: Readonly<Record<string, string>>;
}

/**
 * Leg 1 → leg 2 of a pension transfer: the transfer-in node sends the contact letter to the node
 * of one transfer-out place (`pension.transfer.contact-letter`, version 1).
 */
export interface TransferContactLetterMessage {
  readonly caseId: string;
  readonly conversation: number;
  readonly transferIn: { readonly node: NodeCode; readonly agency: AgencyCode; readonly region: string };
  readonly transferOut: Omit<TransferOutPlace, 'personNumber'> & { readonly personNumber?: string; readonly agency: AgencyCode };
  /** The applicant in clear (version 1 senders), or absent when `sealed` carries it. */
  readonly applicant?: Applicant;
  /** The request's personal fields sealed for the transfer-out agency (compact JWE). */
  readonly sealed?: string;
  readonly insuranceType: TransferInsuranceType;
  readonly letter: ContactLetter;
}

/**
 * Leg 2 → leg 3: the transfer-out node answers one conversation with the information sheet (its
 * sums checked before sending) or a refusal (`pension.transfer.reply`, version 1).
 */
export interface TransferReplyMessage {
  readonly caseId: string;
  readonly conversation: number;
  readonly outcome: 'information-sheet' | 'refused';
  readonly at: string;
  readonly sheet?: TransferInformationSheet;
  readonly reason?: { readonly code: RejectionReason; readonly message: string };
}

/**
 * A follow-up the accepting window sends about a case it forwarded: a withdrawal (撤回) while the
 * handling side has not decided, or the supplementary material (补正材料) it asked for.
 * Message types `case.withdrawal` and `case.supplement`, version 1.
 */
export interface CaseWithdrawal {
  readonly caseId: string;
  readonly requestedAt: string;
  readonly reason: string;
}

export interface CaseSupplement {
  readonly caseId: string;
  readonly suppliedAt: string;
  readonly materials: readonly MaterialRef[];
  readonly note?: string;
}

// ── Stages ───────────────────────────────────────────────────────────────────────────────────

/**
 * Stages every service shares: the gateway's own (submitted, forwarded, received,
 * agency-received) and the handling agency's common ones (受理/不予受理, 审核, 补正, 审批, 办结,
 * 撤回). `withdrawal-requested` and `withdrawal-refused` are notes on the timeline: they do not
 * move the case.
 */
export const SHARED_STAGES = [
  'submitted',
  'forwarded',
  'received',
  'agency-received',
  'accepted',
  'not-accepted',
  'in-review',
  'supplement-requested',
  'supplement-supplied',
  'approved',
  'rejected',
  'dispatched',
  'completed',
  'withdrawal-requested',
  'withdrawal-refused',
  'withdrawn',
] as const;
export const SSC_APPLY_STAGES = ['eligibility-check', 'in-production', 'produced', 'mailed', 'collected'] as const;
export const SSC_LOSS_STAGES = ['loss-reported', 'unblocked', 'loss-expired'] as const;
export const MEDICAL_FILING_STAGES = ['filed', 'effective', 'changed', 'cancelled'] as const;
export const QUALIFICATION_STAGES = ['authenticated', 'authentication-failed', 'payment-suspended', 'payment-resumed'] as const;
export const DEATH_BENEFIT_STAGES = ['relation-ended', 'benefit-paid'] as const;
/**
 * A pension transfer's case moves through `in-review` (leg 1) → `awaiting-transfer-out` (leg 2)
 * → `merging` (leg 3) → completed, as its conversations (one per transfer-out place) progress;
 * each conversation's own steps are notes on the timeline carrying `detail.conversation`.
 */
export const PENSION_TRANSFER_STAGES = ['awaiting-transfer-out', 'merging'] as const;
export const TRANSFER_CONVERSATION_STAGES = [
  'contact-letter-issued',
  'contact-letter-received',
  'information-sheet-issued',
  'information-sheet-invalid',
  'information-sheet-received',
  'transfer-refused',
  'funds-received',
  'account-merged',
] as const;
export type TransferConversationStage = (typeof TRANSFER_CONVERSATION_STAGES)[number];
export const CASE_STAGES = [
  ...SHARED_STAGES,
  ...SSC_APPLY_STAGES,
  ...SSC_LOSS_STAGES,
  ...MEDICAL_FILING_STAGES,
  ...QUALIFICATION_STAGES,
  ...DEATH_BENEFIT_STAGES,
  ...PENSION_TRANSFER_STAGES,
  ...TRANSFER_CONVERSATION_STAGES,
] as const;
export type CaseStage = (typeof CASE_STAGES)[number];

/** Stages the gateway records itself; every other stage is reported by an agency (through its adapter). */
export const GATEWAY_STAGES = ['submitted', 'forwarded', 'received', 'agency-received', 'withdrawal-requested', 'supplement-supplied'] as const;
export const AGENCY_STAGES = CASE_STAGES.filter(
  (s): s is Exclude<CaseStage, (typeof GATEWAY_STAGES)[number]> => !(GATEWAY_STAGES as readonly string[]).includes(s),
);
export type AgencyStage = Exclude<CaseStage, (typeof GATEWAY_STAGES)[number]>;

export type CaseStatus = 'in-progress' | 'completed' | 'rejected' | 'withdrawn';

/**
 * Canonical reason codes an agency gives with a rejection, a failed check, a request for
 * supplementary material or a refused withdrawal (DOMAIN.md). Stable: adapters map their
 * agency's own codes to these, and an unmapped code stops the adapter rather than becoming empty.
 */
export const REJECTION_REASONS = [
  // cards
  'CARD_ALREADY_IN_PRODUCTION',
  'NOT_INSURED_AT_REGION',
  'PHOTO_INVALID',
  'IDENTITY_MISMATCH',
  'BANK_PREACCOUNT_FAILED',
  'REISSUE_WITHOUT_LOSS_REPORT',
  'PRODUCTION_FAILED',
  'CARD_NOT_FOUND',
  'UNBLOCK_AFTER_REISSUE',
  'NO_ACTIVE_LOSS_REPORT',
  // medical filing
  'FILING_ALREADY_EFFECTIVE',
  'FILING_NOT_FOUND',
  // pensioner qualification
  'NOT_A_PENSIONER',
  'ALREADY_CERTIFIED_THIS_CYCLE',
  'BIOMETRIC_MISMATCH',
  // death benefit
  'CLAIM_WINDOW_EXPIRED',
  'DEATH_NOT_VERIFIED',
  'NOT_A_BENEFICIARY',
  'BENEFIT_ALREADY_CLAIMED',
  // pension transfer (国办发〔2009〕66号)
  'ACCOUNT_TERMINATED',
  'CONTRIBUTIONS_NOT_SUSPENDED',
  'CONTRIBUTIONS_IN_ARREARS',
  'ALREADY_DRAWING_PENSION',
  'NOT_A_CROSS_AREA_MOVE',
  'TEMPORARY_ACCOUNT_RULES',
  'SHEET_INVALID',
  // shared
  'MATERIAL_MISSING',
  'MATERIAL_ILLEGIBLE',
  'CASE_ALREADY_DECIDED',
  'WITHDRAWN_BY_APPLICANT',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface StageDetail {
  /** EMS waybill number, with stage `mailed`. */
  readonly waybill?: string;
  /** The agency's own reference for the case. */
  readonly agencyRef?: string;
  /** Until when something holds (YYYY-MM-DD): a temporary loss report, a temporary medical filing. */
  readonly validUntil?: string;
  /** Amounts in yuan as exact decimal strings ("1234.56"): back-pay, account balance, funeral grant. */
  readonly amounts?: Readonly<Record<string, string>>;
  /** What the agency asks to be supplied, with `supplement-requested`. */
  readonly requestedMaterials?: readonly string[];
  /** Material types supplied, with `supplement-supplied`. */
  readonly suppliedMaterials?: readonly string[];
  /** The pension transfer conversation (transfer-out place, from 1) a step belongs to. */
  readonly conversation?: number;
  /** What failed in an information sheet that does not add up (codes and fields, no amounts of persons). */
  readonly sheetProblems?: readonly { readonly code: string; readonly field: string; readonly expected?: string; readonly stated?: string }[];
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
