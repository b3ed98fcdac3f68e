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
import { mapValue, UnmappedAgencyValue } from '#adapter-kit';

/**
 * Canonical ⇄ Sichuan's agency systems (金保工程 data-dictionary field names, Chinese status
 * words, numbered reason codes, YYYYMMDD dates, amounts in yuan). Every table is total: a value
 * missing here is an error (UnmappedAgencyValue), never an empty field.
 */

// ── Outbound: canonical → Sichuan ─────────────────────────────────────────────────────────────

/** 申请类型 sqlx. */
export const SQLX: Record<SscApplyKind, string> = {
  new: '01',
  'reissue-after-loss': '02',
  'replace-damaged': '03',
  renew: '04',
};
/** 挂失类型 gslx: 1 临时挂失, 2 正式挂失. */
export const GSLX: Record<LossType, string> = { temporary: '1', formal: '2' };
/** 功能类型 gnlx: 1 社保功能, 2 金融功能. */
export const GNLX: Record<CardFunction, string> = { social: '1', bank: '2' };
/** 备案操作 czlx: 1 新办, 2 变更, 3 取消. */
export const BA_CZLX: Record<MedicalFilingAction, string> = {
  file: '1',
  change: '2',
  cancel: '3',
};
/** 备案类型 balx: 1 异地长期居住, 2 临时外出就医, 3 急诊抢救. */
export const BALX: Record<MedicalFilingType, string> = {
  'long-term-resident': '1',
  temporary: '2',
  emergency: '3',
};
/** 险种类型 aae140: 110 企业职工基本养老保险, 170 城乡居民基本养老保险. */
export const AAE140: Record<PensionType, string> = {
  employee: '110',
  resident: '170',
};
/** 认证方式 rzfs: 1 窗口, 2 上门, 3 视频. */
export const RZFS: Record<QualificationMethod, string> = {
  'in-person': '1',
  'home-visit': '2',
  video: '3',
};
/** 死亡证明类型 zmlx. */
export const ZMLX: Record<DeathProofType, string> = {
  'death-certificate': '01',
  'cremation-certificate': '02',
  'hukou-cancellation': '03',
  'court-declaration': '04',
};
/** 申领人身份 sqrsf: 1 法定继承人, 2 指定受益人, 3 代办人. */
export const SQRSF: Record<ClaimantRole, string> = {
  'legal-heir': '1',
  'designated-beneficiary': '2',
  agent: '3',
};
/** 与逝者关系 gx. */
export const GX: Record<ClaimantRelation, string> = {
  spouse: '10',
  child: '20',
  parent: '30',
  sibling: '40',
  grandchild: '50',
  other: '90',
};

/** 转移险种 zylx: 110 企业职工基本养老保险, 120 机关事业单位基本养老保险. */
export const ZYLX: Record<TransferInsuranceType, string> = {
  'enterprise-employee': '110',
  'public-institution': '120',
};

/** 材料类型 cllx (both ways); a material type with no code of its own goes as QT (其他) with its name in clmc. */
export const CLLX: Readonly<Record<string, string>> = {
  photo: 'ZP',
  'death-proof-copy': 'SWZM',
  'residence-proof': 'JZZM',
  'referral-proof': 'ZZZM',
};
const CLLX_TO_MATERIAL: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(CLLX).map(([k, v]) => [v, k]));

/** Materials as `cl`: [{ cllx, hash, clmc? }]. */
export function toSichuanMaterials(materials: readonly MaterialRef[]) {
  return materials.map((m) => (CLLX[m.type] ? { cllx: CLLX[m.type], hash: m.sha256 } : { cllx: 'QT', clmc: m.type, hash: m.sha256 }));
}

/** YYYY-MM-DD → YYYYMMDD. */
export function toSichuanDate(date: string): string {
  return date.replaceAll('-', '');
}

/** YYYY-MM → YYYYMM. */
function toSichuanMonth(month: string): string {
  return month.replace('-', '');
}

/** 信息表 as Sichuan's transfer-in office takes it (xxb): months YYYYMM, dates YYYYMMDD, yuan as they are. */
export function toSichuanSheet(sheet: TransferInformationSheet) {
  return {
    jfmx: sheet.periods.map((p) => ({ qsny: toSichuanMonth(p.from), zzny: toSichuanMonth(p.to), jfjs: yuan2(p.monthlyBase), ys: p.months })),
    grzhye: yuan2(sheet.personalAccountBalance),
    grzr: yuan2(sheet.personalTransfer),
    tczr: yuan2(sheet.pooledTransfer),
    zrhj: yuan2(sheet.totalTransfer),
    zzrq: toSichuanDate(sheet.relationEndedOn),
    hkpzh: sheet.remittance.ref,
    hkrq: toSichuanDate(sheet.remittance.remittedOn),
  };
}

/** An exact yuan string with two places ('1200' → '1200.00'), without floating point. */
function yuan2(value: string): string {
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) throw new UnmappedAgencyValue('amount', value, 0);
  return `${match[1]}.${(match[2] ?? '').padEnd(2, '0')}`;
}

// ── Inbound: Sichuan feed → canonical ─────────────────────────────────────────────────────────

/** Status words every system shares: 补正, 撤回. */
const SHARED_ZT: Readonly<Record<string, AgencyStage>> = {
  待补正: 'supplement-requested',
  已撤回: 'withdrawn',
  撤回未通过: 'withdrawal-refused',
};

/** Status words `zt` by business type `ywlx` (ZK 制卡, GS 挂失, BA 备案, RZ 认证, SW 死亡待遇). */
export const ZT_TO_STAGE: Readonly<Record<string, Readonly<Record<string, AgencyStage>>>> = {
  ZK: {
    ...SHARED_ZT,
    资格审核: 'eligibility-check',
    制卡中: 'in-production',
    制卡完成: 'produced',
    已邮寄: 'mailed',
    已领取: 'collected',
    不予受理: 'rejected',
    制卡失败: 'rejected',
  },
  GS: {
    ...SHARED_ZT,
    已挂失: 'loss-reported',
    已解挂: 'unblocked',
    挂失已失效: 'loss-expired',
    不予受理: 'rejected',
  },
  BA: {
    ...SHARED_ZT,
    已备案: 'filed',
    已生效: 'effective',
    已变更: 'changed',
    已取消: 'cancelled',
    不予备案: 'rejected',
  },
  RZ: {
    ...SHARED_ZT,
    认证通过: 'authenticated',
    认证未通过: 'authentication-failed',
    暂停发放: 'payment-suspended',
    恢复发放: 'payment-resumed',
    不予受理: 'rejected',
  },
  SW: {
    ...SHARED_ZT,
    已受理: 'accepted',
    不予受理: 'not-accepted',
    审核中: 'in-review',
    审核通过: 'approved',
    审核不通过: 'rejected',
    已终止参保关系: 'relation-ended',
    待遇已支付: 'benefit-paid',
  },
  ZY: {
    已开具联系函: 'contact-letter-issued',
    不予办理: 'transfer-refused',
    已出具信息表: 'information-sheet-issued',
    转移基金已到账: 'funds-received',
    个人账户已合并: 'account-merged',
  },
};

/** Reason codes `yydm` of the card centre. */
export const CARD_YYDM: Readonly<Record<string, RejectionReason>> = {
  BZ01: 'CARD_ALREADY_IN_PRODUCTION',
  BZ02: 'NOT_INSURED_AT_REGION',
  BZ03: 'PHOTO_INVALID',
  BZ04: 'IDENTITY_MISMATCH',
  BZ05: 'BANK_PREACCOUNT_FAILED',
  BZ06: 'REISSUE_WITHOUT_LOSS_REPORT',
  BZ07: 'UNBLOCK_AFTER_REISSUE',
  BZ08: 'NO_ACTIVE_LOSS_REPORT',
  BZ09: 'MATERIAL_ILLEGIBLE',
  BZ10: 'CARD_NOT_FOUND',
  ZK01: 'PRODUCTION_FAILED',
  CH01: 'CASE_ALREADY_DECIDED',
};
/** Reason codes `yydm` of medical insurance. */
export const MEDICAL_YYDM: Readonly<Record<string, RejectionReason>> = {
  YB01: 'NOT_INSURED_AT_REGION',
  YB02: 'FILING_ALREADY_EFFECTIVE',
  YB03: 'FILING_NOT_FOUND',
  YB04: 'MATERIAL_MISSING',
  CH01: 'CASE_ALREADY_DECIDED',
};
/** Reason codes `yydm` of the pension office. */
export const PENSION_YYDM: Readonly<Record<string, RejectionReason>> = {
  RZ01: 'NOT_A_PENSIONER',
  RZ02: 'ALREADY_CERTIFIED_THIS_CYCLE',
  RZ03: 'BIOMETRIC_MISMATCH',
  SW01: 'CLAIM_WINDOW_EXPIRED',
  SW02: 'DEATH_NOT_VERIFIED',
  SW03: 'NOT_A_BENEFICIARY',
  SW04: 'BENEFIT_ALREADY_CLAIMED',
  SW05: 'MATERIAL_MISSING',
  CH01: 'CASE_ALREADY_DECIDED',
  ZY01: 'NOT_INSURED_AT_REGION',
  ZY02: 'TEMPORARY_ACCOUNT_RULES',
  ZY03: 'NOT_A_CROSS_AREA_MOVE',
  ZY04: 'ACCOUNT_TERMINATED',
  ZY05: 'CONTRIBUTIONS_NOT_SUSPENDED',
  ZY06: 'CONTRIBUTIONS_IN_ARREARS',
  ZY07: 'ALREADY_DRAWING_PENSION',
};

/** Amount fields of `je`: 补发金额, 个人账户余额, 丧葬补助金. */
export const JE_TO_AMOUNT: Readonly<Record<string, string>> = {
  bfje: 'backPay',
  grzhye: 'balance',
  sbzj: 'funeralGrant',
  zrhj: 'totalTransfer',
};

/** Stages that always come with a reason code. */
const REASONED: readonly AgencyStage[] = [
  'rejected',
  'not-accepted',
  'authentication-failed',
  'supplement-requested',
  'withdrawal-refused',
  'transfer-refused',
];

/** 联系函 lxh in a transfer event. */
export interface SichuanLetter {
  lxhbh: string;
  khyh: string;
  hm: string;
  zh: string;
  kjrq: string;
}

/** 信息表 xxb in a transfer event. */
export interface SichuanSheet {
  jfmx: { qsny: string; zzny: string; jfjs: string; ys: number }[];
  grzhye: string;
  grzr: string;
  tczr: string;
  zrhj: string;
  zzrq: string;
  hkpzh: string;
  hkrq: string;
}

export interface SichuanEvent {
  xh: number;
  ywxtbh: string;
  slh: string;
  ywlx: string;
  zt: string;
  yydm?: string;
  yysm?: string;
  ydh?: string;
  aae031?: string;
  je?: Record<string, string>;
  bzcl?: string[];
  /** 联系序号: the transfer conversation. */
  lxxh?: number;
  lxh?: SichuanLetter;
  xxb?: SichuanSheet;
  sj: string;
}

/**
 * A Sichuan feed event → canonical status report (without the event id, which the pump adds),
 * with the reason codes of the system that wrote it.
 *
 * @example fromSichuanEvent({ xh: 3, ywxtbh, slh, ywlx: 'GS', zt: '已挂失', aae031: '20261128', sj }, CARD_YYDM)
 *   // { caseId, stage: 'loss-reported', at, detail: { agencyRef, validUntil: '2026-11-28' } }
 */
export function fromSichuanEvent(
  e: SichuanEvent,
  reasons: Readonly<Record<string, RejectionReason>>,
): Omit<AgencyStatusReport, 'eventId' | 'agency'> {
  const stage = mapValue(mapValue(ZT_TO_STAGE, 'ywlx', e.ywlx, e.xh), 'zt', e.zt, e.xh);
  const at = `${e.sj.replace(' ', 'T')}.000+08:00`;
  const detail: StageDetail = {
    agencyRef: e.slh,
    ...(e.ydh ? { waybill: e.ydh } : {}),
    ...(e.aae031 !== undefined ? { validUntil: fromSichuanDate(e.aae031, e.xh) } : {}),
    ...(e.je ? { amounts: fromSichuanAmounts(e.je, e.xh) } : {}),
    ...(e.bzcl
      ? {
          requestedMaterials: e.bzcl.map((c) => mapValue(CLLX_TO_MATERIAL, 'bzcl', c, e.xh)),
        }
      : {}),
  };
  const transfer = fromSichuanTransfer(e);
  const reasoned = REASONED.includes(stage) || e.yydm !== undefined;
  if (!reasoned) return { caseId: e.ywxtbh, stage, at, detail, ...transfer };
  const code = mapValue(reasons, 'yydm', e.yydm, e.xh);
  return {
    caseId: e.ywxtbh,
    stage,
    at,
    reason: { code, message: e.yysm ?? e.zt },
    detail,
    ...transfer,
  };
}

/** A transfer event's conversation (lxxh) and document (lxh 联系函 or xxb 信息表), in canonical terms. */
function fromSichuanTransfer(e: SichuanEvent): Pick<AgencyStatusReport, 'conversation' | 'document'> {
  if (e.ywlx !== 'ZY') return {};
  if (!Number.isInteger(e.lxxh) || (e.lxxh as number) < 1) throw new UnmappedAgencyValue('lxxh', String(e.lxxh), e.xh);
  const conversation = e.lxxh as number;
  if (e.lxh) {
    const contactLetter: ContactLetter = {
      letterNo: e.lxh.lxhbh,
      fundAccount: { bankName: e.lxh.khyh, accountName: e.lxh.hm, accountNumber: e.lxh.zh },
      issuedOn: fromSichuanDate(e.lxh.kjrq, e.xh),
    };
    return { conversation, document: { contactLetter } };
  }
  if (e.xxb) {
    const x = e.xxb;
    const amount = (field: string, value: string) => {
      if (typeof value !== 'string' || !/^\d{1,13}\.\d{2}$/.test(value)) throw new UnmappedAgencyValue(`xxb.${field}`, String(value), e.xh);
      return value;
    };
    const month = (field: string, value: string) => {
      if (!/^\d{4}(0[1-9]|1[0-2])$/.test(value)) throw new UnmappedAgencyValue(`xxb.${field}`, String(value), e.xh);
      return `${value.slice(0, 4)}-${value.slice(4)}`;
    };
    const informationSheet: TransferInformationSheet = {
      periods: x.jfmx.map((p, i) => ({
        from: month(`jfmx[${i}].qsny`, p.qsny),
        to: month(`jfmx[${i}].zzny`, p.zzny),
        monthlyBase: amount(`jfmx[${i}].jfjs`, p.jfjs),
        months: p.ys,
      })),
      personalAccountBalance: amount('grzhye', x.grzhye),
      personalTransfer: amount('grzr', x.grzr),
      pooledTransfer: amount('tczr', x.tczr),
      totalTransfer: amount('zrhj', x.zrhj),
      relationEndedOn: fromSichuanDate(x.zzrq, e.xh),
      remittance: { ref: x.hkpzh, remittedOn: fromSichuanDate(x.hkrq, e.xh) },
    };
    return { conversation, document: { informationSheet } };
  }
  return { conversation };
}

function fromSichuanDate(value: string, position: number): string {
  if (!/^\d{8}$/.test(value)) throw new UnmappedAgencyValue('aae031', value, position);
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`;
}

function fromSichuanAmounts(je: Record<string, string>, position: number): Record<string, string> {
  return Object.fromEntries(
    Object.entries(je).map(([field, value]) => {
      if (typeof value !== 'string' || !/^\d{1,13}\.\d{2}$/.test(value)) throw new UnmappedAgencyValue(`je.${field}`, String(value), position);
      return [mapValue(JE_TO_AMOUNT, 'je', field, position), value];
    }),
  );
}
