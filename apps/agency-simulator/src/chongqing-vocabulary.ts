import type { AgencyStage, RejectionReason } from '#contracts';
import type { SimEvent, SimService } from './agency-system.simulator.js';

/**
 * SIMULATOR: how Chongqing's agency systems write their feeds: camelCase fields, English state
 * words, prefixed reason codes, ISO dates and times (+08:00), amounts as integer fen (分).
 */
export const BIZ_TYPE: Record<SimService, string> = {
  'ssc.apply': 'CARD_APPLY',
  'ssc.loss': 'CARD_LOSS',
  'medical.filing': 'MED_FILING',
  'pension.qualification': 'PENSION_CERT',
  'pension.death-benefit': 'DEATH_CLAIM',
  'pension.transfer': 'PENSION_TRANSFER',
};

const SHARED_STATE: Partial<Record<AgencyStage, string>> = {
  'supplement-requested': 'SUPPLEMENT_REQUIRED',
  withdrawn: 'WITHDRAWN',
  'withdrawal-refused': 'WITHDRAW_DENIED',
};

const STATE: Record<SimService, Partial<Record<AgencyStage, string>>> = {
  'ssc.apply': {
    'eligibility-check': 'AUDITING',
    'in-production': 'MAKING',
    produced: 'MADE',
    mailed: 'POSTED',
    collected: 'RECEIVED',
    rejected: 'REFUSED',
  },
  'ssc.loss': { 'loss-reported': 'LOSS_REPORTED', unblocked: 'UNBLOCKED', 'loss-expired': 'LOSS_EXPIRED', rejected: 'REFUSED' },
  'medical.filing': { filed: 'FILED', effective: 'EFFECTIVE', changed: 'CHANGED', cancelled: 'CANCELLED', rejected: 'REFUSED' },
  'pension.qualification': {
    authenticated: 'CERTIFIED',
    'authentication-failed': 'CERT_FAILED',
    'payment-suspended': 'PAYMENT_SUSPENDED',
    'payment-resumed': 'PAYMENT_RESUMED',
    rejected: 'REFUSED',
  },
  'pension.death-benefit': {
    accepted: 'ACCEPTED',
    'not-accepted': 'NOT_ACCEPTED',
    'in-review': 'REVIEWING',
    approved: 'APPROVED',
    rejected: 'REJECTED',
    'relation-ended': 'RELATION_ENDED',
    'benefit-paid': 'PAID',
  },
  'pension.transfer': {
    'contact-letter-issued': 'LETTER_ISSUED',
    'transfer-refused': 'TRANSFER_REFUSED',
    'information-sheet-issued': 'SHEET_ISSUED',
    'funds-received': 'FUNDS_ARRIVED',
    'account-merged': 'ACCOUNT_MERGED',
  },
};

const REFUSE: Record<'card' | 'medical' | 'pension', Partial<Record<RejectionReason, [string, string]>>> = {
  card: {
    CARD_ALREADY_IN_PRODUCTION: ['R-IN-PRODUCTION', '已有卡片正在制作'],
    NOT_INSURED_AT_REGION: ['R-NOT-INSURED', '非本市参保'],
    PHOTO_INVALID: ['R-PHOTO', '照片不合格'],
    IDENTITY_MISMATCH: ['R-IDENTITY', '身份核验不通过'],
    BANK_PREACCOUNT_FAILED: ['R-BANK', '银行预开户失败'],
    REISSUE_WITHOUT_LOSS_REPORT: ['R-NO-LOSS-REPORT', '未正式挂失'],
    UNBLOCK_AFTER_REISSUE: ['R-UNBLOCK-REISSUED', '已补办新卡，原卡不能解挂'],
    NO_ACTIVE_LOSS_REPORT: ['R-NO-ACTIVE-LOSS', '没有生效的挂失'],
    MATERIAL_ILLEGIBLE: ['R-ILLEGIBLE', '照片不清晰'],
    CARD_NOT_FOUND: ['R-NO-CARD', '查无此卡'],
    CASE_ALREADY_DECIDED: ['R-DECIDED', '已办结，不能撤回'],
  },
  medical: {
    NOT_INSURED_AT_REGION: ['M-NOT-INSURED', '非本市参保'],
    FILING_ALREADY_EFFECTIVE: ['M-ALREADY-EFFECTIVE', '已有生效备案'],
    FILING_NOT_FOUND: ['M-NOT-FOUND', '原备案不存在或已失效'],
    MATERIAL_MISSING: ['M-DOCS-MISSING', '材料不全'],
    CASE_ALREADY_DECIDED: ['R-DECIDED', '已办结，不能撤回'],
  },
  pension: {
    NOT_A_PENSIONER: ['P-NOT-PENSIONER', '非待遇领取人员'],
    ALREADY_CERTIFIED_THIS_CYCLE: ['P-CERTIFIED', '本周期已认证'],
    BIOMETRIC_MISMATCH: ['P-BIOMETRIC', '人脸识别未通过'],
    CLAIM_WINDOW_EXPIRED: ['D-CLAIM-EXPIRED', '超过申领期限'],
    DEATH_NOT_VERIFIED: ['D-DEATH-UNVERIFIED', '死亡信息未核实'],
    NOT_A_BENEFICIARY: ['D-NOT-BENEFICIARY', '申领人资格不符'],
    BENEFIT_ALREADY_CLAIMED: ['D-ALREADY-CLAIMED', '已申领过死亡待遇'],
    MATERIAL_MISSING: ['D-DOCS-MISSING', '材料不全'],
    CASE_ALREADY_DECIDED: ['R-DECIDED', '已办结，不能撤回'],
    NOT_INSURED_AT_REGION: ['T-NOT-INSURED', '转入地无参保登记'],
    NOT_A_CROSS_AREA_MOVE: ['T-NOT-CROSS-AREA', '不属于跨统筹区转移'],
    TEMPORARY_ACCOUNT_RULES: ['T-TEMP-ACCOUNT', '临时缴费账户不予转入'],
    ACCOUNT_TERMINATED: ['T-TERMINATED', '参保关系已终止'],
    CONTRIBUTIONS_NOT_SUSPENDED: ['T-NOT-SUSPENDED', '尚未中断缴费'],
    CONTRIBUTIONS_IN_ARREARS: ['T-ARREARS', '存在欠费'],
    ALREADY_DRAWING_PENSION: ['T-DRAWING', '已领取基本养老金'],
  },
};

/** Document types. */
export const DOC_TYPE: Record<string, string> = {
  photo: 'PHOTO',
  'death-proof-copy': 'DEATH_PROOF_COPY',
  'residence-proof': 'RESIDENCE_PROOF',
  'referral-proof': 'REFERRAL_PROOF',
};

const AMOUNT_FIELD: Record<string, string> = {
  backPay: 'backPayFen',
  balance: 'balanceFen',
  funeralGrant: 'funeralGrantFen',
  totalTransfer: 'transferTotalFen',
};

/** The transfer's documents, as Chongqing writes them (ISO dates, months YYYY-MM, integer fen). */
function transferDocuments(e: SimEvent) {
  return {
    ...(e.conversation !== undefined ? { seqNo: e.conversation } : {}),
    ...(e.letter
      ? {
          contactLetter: {
            letterNo: e.letter.letterNo,
            bankName: e.letter.bankName,
            accountName: e.letter.accountName,
            accountNo: e.letter.accountNumber,
            issueDate: e.letter.issuedOn,
          },
        }
      : {}),
    ...(e.sheet
      ? {
          infoSheet: {
            periods: e.sheet.periods.map((p) => ({ startMonth: p.from, endMonth: p.to, baseFen: p.monthlyBaseFen, months: p.months })),
            balanceFen: e.sheet.personalAccountBalanceFen,
            personalFen: e.sheet.personalTransferFen,
            pooledFen: e.sheet.pooledTransferFen,
            totalFen: e.sheet.totalTransferFen,
            relationEndDate: e.sheet.relationEndedOn,
            remitNo: e.sheet.remittanceRef,
            remitDate: e.sheet.remittedOn,
          },
        }
      : {}),
  };
}

/** One event of a Chongqing system's feed. */
export function toChongqingEvent(system: 'card' | 'medical' | 'pension', e: SimEvent) {
  const state = e.reason === 'PRODUCTION_FAILED' ? 'MAKE_FAILED' : (STATE[e.service][e.stage] ?? SHARED_STATE[e.stage]);
  if (!state) throw new Error(`SIMULATOR: no Chongqing state for ${e.service} ${e.stage}`);
  const reason = e.reason && e.reason !== 'PRODUCTION_FAILED' ? REFUSE[system][e.reason] : undefined;
  if (e.reason && e.reason !== 'PRODUCTION_FAILED' && !reason) throw new Error(`SIMULATOR: no Chongqing code for ${e.reason}`);
  return {
    eventNo: e.seq,
    bizSerialNo: e.businessKey,
    orderNo: e.ref,
    bizType: BIZ_TYPE[e.service],
    state,
    ...(reason ? { refuseCode: reason[0], refuseReason: reason[1] } : {}),
    ...(e.reason === 'PRODUCTION_FAILED' ? { refuseReason: '制卡失败' } : {}),
    ...(e.waybill ? { expressNo: e.waybill } : {}),
    ...(e.validUntil ? { expireDate: e.validUntil } : {}),
    ...(e.amountsFen ? Object.fromEntries(Object.entries(e.amountsFen).map(([k, fen]) => [AMOUNT_FIELD[k] ?? k, fen])) : {}),
    ...(e.requestedMaterials ? { neededDocs: e.requestedMaterials.map((m) => DOC_TYPE[m] ?? m) } : {}),
    ...transferDocuments(e),
    occurredAt: `${new Date(e.at + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`,
  };
}
