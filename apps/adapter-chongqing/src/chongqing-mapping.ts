import type {
  ContactLetter,
  TransferInformationSheet,
  TransferInsuranceType,
  AgencyStage,
  AgencyStatusReport,
  CardFunction,
  ClaimantRelation,
  ClaimantRole,
  DeathProofType,
  LossType,
  MaterialRef,
  MedicalFilingAction,
  MedicalFilingType,
  PensionType,
  QualificationMethod,
  RejectionReason,
  SscApplyKind,
  StageDetail,
} from '#contracts';
import { fenToYuan, mapValue, UnmappedAgencyValue, yuanToFen } from '#adapter-kit';

/**
 * Canonical ⇄ Chongqing's agency systems (camelCase fields, English state words, prefixed reason
 * codes, ISO dates, amounts in integer fen). Every table is total: a value missing here is an
 * error (UnmappedAgencyValue), never an empty field.
 */

// ── Outbound: canonical → Chongqing ───────────────────────────────────────────────────────────

/** 转移险种 insuranceKind. */
export const INSURANCE_KIND: Record<TransferInsuranceType, string> = {
  'enterprise-employee': 'ENTERPRISE_EMPLOYEE',
  'public-institution': 'PUBLIC_INSTITUTION',
};

/** 信息表 as Chongqing's transfer-in office takes it (infoSheet): amounts converted exactly to integer fen. */
export function toChongqingSheet(sheet: TransferInformationSheet) {
  return {
    periods: sheet.periods.map((p, i) => ({
      startMonth: p.from,
      endMonth: p.to,
      baseFen: yuanToFen(p.monthlyBase, `periods[${i}].monthlyBase`),
      months: p.months,
    })),
    balanceFen: yuanToFen(sheet.personalAccountBalance, 'personalAccountBalance'),
    personalFen: yuanToFen(sheet.personalTransfer, 'personalTransfer'),
    pooledFen: yuanToFen(sheet.pooledTransfer, 'pooledTransfer'),
    totalFen: yuanToFen(sheet.totalTransfer, 'totalTransfer'),
    relationEndDate: sheet.relationEndedOn,
    remitNo: sheet.remittance.ref,
    remitDate: sheet.remittance.remittedOn,
  };
}

export const APPLY_TYPE: Record<SscApplyKind, string> = {
  new: 'NEW',
  'reissue-after-loss': 'LOSS_REISSUE',
  'replace-damaged': 'DAMAGE_REPLACE',
  renew: 'RENEW',
};
export const LOSS_MODE: Record<LossType, string> = {
  temporary: 'TEMPORARY',
  formal: 'FORMAL',
};
export const SCOPE: Record<CardFunction, string> = {
  social: 'SOCIAL',
  bank: 'FINANCE',
};
export const FILING_ACTION: Record<MedicalFilingAction, string> = {
  file: 'NEW',
  change: 'CHANGE',
  cancel: 'CANCEL',
};
export const FILING_TYPE: Record<MedicalFilingType, string> = {
  'long-term-resident': 'LONG_TERM',
  temporary: 'TEMPORARY',
  emergency: 'EMERGENCY',
};
export const SCHEME_TYPE: Record<PensionType, string> = {
  employee: 'EMPLOYEE',
  resident: 'RESIDENT',
};
export const VERIFY_MODE: Record<QualificationMethod, string> = {
  'in-person': 'COUNTER',
  'home-visit': 'HOME_VISIT',
  video: 'VIDEO',
};
export const PROOF_TYPE: Record<DeathProofType, string> = {
  'death-certificate': 'DEATH_CERT',
  'cremation-certificate': 'CREMATION_CERT',
  'hukou-cancellation': 'HUKOU_CANCEL',
  'court-declaration': 'COURT_RULING',
};
export const CLAIMANT_ROLE: Record<ClaimantRole, string> = {
  'legal-heir': 'HEIR',
  'designated-beneficiary': 'BENEFICIARY',
  agent: 'AGENT',
};
export const RELATION: Record<ClaimantRelation, string> = {
  spouse: 'SPOUSE',
  child: 'CHILD',
  parent: 'PARENT',
  sibling: 'SIBLING',
  grandchild: 'GRANDCHILD',
  other: 'OTHER',
};

/** Document types (both ways); a material type with no type of its own goes as OTHER with its name. */
export const DOC_TYPE: Readonly<Record<string, string>> = {
  photo: 'PHOTO',
  'death-proof-copy': 'DEATH_PROOF_COPY',
  'residence-proof': 'RESIDENCE_PROOF',
  'referral-proof': 'REFERRAL_PROOF',
};
const DOC_TO_MATERIAL: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(DOC_TYPE).map(([k, v]) => [v, k]));

/** Materials as `documents`: [{ docType, sha256, docName? }]. */
export function toChongqingDocuments(materials: readonly MaterialRef[]) {
  return materials.map((m) =>
    DOC_TYPE[m.type] ? { docType: DOC_TYPE[m.type], sha256: m.sha256 } : { docType: 'OTHER', docName: m.type, sha256: m.sha256 },
  );
}

// ── Inbound: Chongqing feed → canonical ───────────────────────────────────────────────────────

const SHARED_STATE: Readonly<Record<string, AgencyStage>> = {
  SUPPLEMENT_REQUIRED: 'supplement-requested',
  WITHDRAWN: 'withdrawn',
  WITHDRAW_DENIED: 'withdrawal-refused',
};

/** State words by business type. */
export const STATE_TO_STAGE: Readonly<Record<string, Readonly<Record<string, AgencyStage>>>> = {
  CARD_APPLY: {
    ...SHARED_STATE,
    AUDITING: 'eligibility-check',
    MAKING: 'in-production',
    MADE: 'produced',
    POSTED: 'mailed',
    RECEIVED: 'collected',
    REFUSED: 'rejected',
    MAKE_FAILED: 'rejected',
  },
  CARD_LOSS: {
    ...SHARED_STATE,
    LOSS_REPORTED: 'loss-reported',
    UNBLOCKED: 'unblocked',
    LOSS_EXPIRED: 'loss-expired',
    REFUSED: 'rejected',
  },
  MED_FILING: {
    ...SHARED_STATE,
    FILED: 'filed',
    EFFECTIVE: 'effective',
    CHANGED: 'changed',
    CANCELLED: 'cancelled',
    REFUSED: 'rejected',
  },
  PENSION_CERT: {
    ...SHARED_STATE,
    CERTIFIED: 'authenticated',
    CERT_FAILED: 'authentication-failed',
    PAYMENT_SUSPENDED: 'payment-suspended',
    PAYMENT_RESUMED: 'payment-resumed',
    REFUSED: 'rejected',
  },
  DEATH_CLAIM: {
    ...SHARED_STATE,
    ACCEPTED: 'accepted',
    NOT_ACCEPTED: 'not-accepted',
    REVIEWING: 'in-review',
    APPROVED: 'approved',
    REJECTED: 'rejected',
    RELATION_ENDED: 'relation-ended',
    PAID: 'benefit-paid',
  },
  PENSION_TRANSFER: {
    LETTER_ISSUED: 'contact-letter-issued',
    TRANSFER_REFUSED: 'transfer-refused',
    SHEET_ISSUED: 'information-sheet-issued',
    FUNDS_ARRIVED: 'funds-received',
    ACCOUNT_MERGED: 'account-merged',
  },
};

/** Refusal codes of the card service. */
export const CARD_REFUSE: Readonly<Record<string, RejectionReason>> = {
  'R-IN-PRODUCTION': 'CARD_ALREADY_IN_PRODUCTION',
  'R-NOT-INSURED': 'NOT_INSURED_AT_REGION',
  'R-PHOTO': 'PHOTO_INVALID',
  'R-IDENTITY': 'IDENTITY_MISMATCH',
  'R-BANK': 'BANK_PREACCOUNT_FAILED',
  'R-NO-LOSS-REPORT': 'REISSUE_WITHOUT_LOSS_REPORT',
  'R-UNBLOCK-REISSUED': 'UNBLOCK_AFTER_REISSUE',
  'R-NO-ACTIVE-LOSS': 'NO_ACTIVE_LOSS_REPORT',
  'R-ILLEGIBLE': 'MATERIAL_ILLEGIBLE',
  'R-NO-CARD': 'CARD_NOT_FOUND',
  'R-DECIDED': 'CASE_ALREADY_DECIDED',
};
/** Refusal codes of medical insurance. */
export const MEDICAL_REFUSE: Readonly<Record<string, RejectionReason>> = {
  'M-NOT-INSURED': 'NOT_INSURED_AT_REGION',
  'M-ALREADY-EFFECTIVE': 'FILING_ALREADY_EFFECTIVE',
  'M-NOT-FOUND': 'FILING_NOT_FOUND',
  'M-DOCS-MISSING': 'MATERIAL_MISSING',
  'R-DECIDED': 'CASE_ALREADY_DECIDED',
};
/** Refusal codes of the pension office. */
export const PENSION_REFUSE: Readonly<Record<string, RejectionReason>> = {
  'P-NOT-PENSIONER': 'NOT_A_PENSIONER',
  'P-CERTIFIED': 'ALREADY_CERTIFIED_THIS_CYCLE',
  'P-BIOMETRIC': 'BIOMETRIC_MISMATCH',
  'D-CLAIM-EXPIRED': 'CLAIM_WINDOW_EXPIRED',
  'D-DEATH-UNVERIFIED': 'DEATH_NOT_VERIFIED',
  'D-NOT-BENEFICIARY': 'NOT_A_BENEFICIARY',
  'D-ALREADY-CLAIMED': 'BENEFIT_ALREADY_CLAIMED',
  'D-DOCS-MISSING': 'MATERIAL_MISSING',
  'R-DECIDED': 'CASE_ALREADY_DECIDED',
  'T-NOT-INSURED': 'NOT_INSURED_AT_REGION',
  'T-NOT-CROSS-AREA': 'NOT_A_CROSS_AREA_MOVE',
  'T-TEMP-ACCOUNT': 'TEMPORARY_ACCOUNT_RULES',
  'T-TERMINATED': 'ACCOUNT_TERMINATED',
  'T-NOT-SUSPENDED': 'CONTRIBUTIONS_NOT_SUSPENDED',
  'T-ARREARS': 'CONTRIBUTIONS_IN_ARREARS',
  'T-DRAWING': 'ALREADY_DRAWING_PENSION',
};

/** Amount fields, in fen. */
export const FEN_TO_AMOUNT: Readonly<Record<string, string>> = {
  backPayFen: 'backPay',
  balanceFen: 'balance',
  funeralGrantFen: 'funeralGrant',
  transferTotalFen: 'totalTransfer',
};

const REASONED: readonly AgencyStage[] = [
  'rejected',
  'not-accepted',
  'authentication-failed',
  'supplement-requested',
  'withdrawal-refused',
  'transfer-refused',
];

/** contactLetter in a transfer event. */
export interface ChongqingLetter {
  letterNo: string;
  bankName: string;
  accountName: string;
  accountNo: string;
  issueDate: string;
}

/** infoSheet in a transfer event (integer fen). */
export interface ChongqingSheet {
  periods: { startMonth: string; endMonth: string; baseFen: number; months: number }[];
  balanceFen: number;
  personalFen: number;
  pooledFen: number;
  totalFen: number;
  relationEndDate: string;
  remitNo: string;
  remitDate: string;
}

export interface ChongqingEvent {
  eventNo: number;
  bizSerialNo: string;
  orderNo: string;
  bizType: string;
  state: string;
  refuseCode?: string;
  refuseReason?: string;
  expressNo?: string;
  expireDate?: string;
  backPayFen?: number;
  balanceFen?: number;
  funeralGrantFen?: number;
  transferTotalFen?: number;
  neededDocs?: string[];
  /** The transfer conversation. */
  seqNo?: number;
  contactLetter?: ChongqingLetter;
  infoSheet?: ChongqingSheet;
  occurredAt: string;
}

/**
 * A Chongqing feed event → canonical status report (without the event id, which the pump adds),
 * with the refusal codes of the system that wrote it.
 *
 * @example fromChongqingEvent({ eventNo: 9, bizSerialNo, orderNo, bizType: 'DEATH_CLAIM', state: 'PAID', balanceFen: 1234567, funeralGrantFen: 150000, occurredAt }, PENSION_REFUSE)
 *   // { stage: 'benefit-paid', detail: { amounts: { balance: '12345.67', funeralGrant: '1500.00' }, ... } }
 */
export function fromChongqingEvent(
  e: ChongqingEvent,
  refusals: Readonly<Record<string, RejectionReason>>,
): Omit<AgencyStatusReport, 'eventId' | 'agency'> {
  const stage = mapValue(mapValue(STATE_TO_STAGE, 'bizType', e.bizType, e.eventNo), 'state', e.state, e.eventNo);
  const amounts = Object.entries(FEN_TO_AMOUNT).filter(([field]) => e[field as keyof ChongqingEvent] !== undefined);
  const detail: StageDetail = {
    agencyRef: e.orderNo,
    ...(e.expressNo ? { waybill: e.expressNo } : {}),
    ...(e.expireDate !== undefined ? { validUntil: isoDate(e.expireDate, e.eventNo) } : {}),
    ...(amounts.length > 0
      ? {
          amounts: Object.fromEntries(amounts.map(([field, canonical]) => [canonical, fenToYuan(e[field as keyof ChongqingEvent] as number)])),
        }
      : {}),
    ...(e.neededDocs
      ? {
          requestedMaterials: e.neededDocs.map((d) => mapValue(DOC_TO_MATERIAL, 'neededDocs', d, e.eventNo)),
        }
      : {}),
  };
  // A failed production is its own state, without a refusal code.
  if (e.state === 'MAKE_FAILED') {
    return {
      caseId: e.bizSerialNo,
      stage,
      at: e.occurredAt,
      reason: {
        code: 'PRODUCTION_FAILED',
        message: e.refuseReason ?? '制卡失败',
      },
      detail,
    };
  }
  const transfer = fromChongqingTransfer(e);
  if (!REASONED.includes(stage) && e.refuseCode === undefined) return { caseId: e.bizSerialNo, stage, at: e.occurredAt, detail, ...transfer };
  const code = mapValue(refusals, 'refuseCode', e.refuseCode, e.eventNo);
  return {
    caseId: e.bizSerialNo,
    stage,
    at: e.occurredAt,
    reason: { code, message: e.refuseReason ?? e.state },
    detail,
    ...transfer,
  };
}

/** A transfer event's conversation (seqNo) and document (contactLetter or infoSheet, fen → yuan exactly). */
function fromChongqingTransfer(e: ChongqingEvent): Pick<AgencyStatusReport, 'conversation' | 'document'> {
  if (e.bizType !== 'PENSION_TRANSFER') return {};
  if (!Number.isInteger(e.seqNo) || (e.seqNo as number) < 1) throw new UnmappedAgencyValue('seqNo', String(e.seqNo), e.eventNo);
  const conversation = e.seqNo as number;
  if (e.contactLetter) {
    const l = e.contactLetter;
    const contactLetter: ContactLetter = {
      letterNo: l.letterNo,
      fundAccount: { bankName: l.bankName, accountName: l.accountName, accountNumber: l.accountNo },
      issuedOn: isoDate(l.issueDate, e.eventNo, 'contactLetter.issueDate'),
    };
    return { conversation, document: { contactLetter } };
  }
  if (e.infoSheet) {
    const x = e.infoSheet;
    const month = (field: string, value: string) => {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new UnmappedAgencyValue(`infoSheet.${field}`, String(value), e.eventNo);
      return value;
    };
    const informationSheet: TransferInformationSheet = {
      periods: x.periods.map((p, i) => ({
        from: month(`periods[${i}].startMonth`, p.startMonth),
        to: month(`periods[${i}].endMonth`, p.endMonth),
        monthlyBase: fenToYuan(p.baseFen),
        months: p.months,
      })),
      personalAccountBalance: fenToYuan(x.balanceFen),
      personalTransfer: fenToYuan(x.personalFen),
      pooledTransfer: fenToYuan(x.pooledFen),
      totalTransfer: fenToYuan(x.totalFen),
      relationEndedOn: isoDate(x.relationEndDate, e.eventNo, 'infoSheet.relationEndDate'),
      remittance: { ref: x.remitNo, remittedOn: isoDate(x.remitDate, e.eventNo, 'infoSheet.remitDate') },
    };
    return { conversation, document: { informationSheet } };
  }
  return { conversation };
}

function isoDate(value: string, position: number, field = 'expireDate'): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UnmappedAgencyValue(field, value, position);
  return value;
}
