import type { AgencyStage, RejectionReason } from '#contracts';
import type { SimEvent, SimService } from './agency-system.simulator.js';

/**
 * SIMULATOR: how Sichuan's agency systems write their feeds (金保工程 data-dictionary style).
 * Business type `ywlx`, status words `zt`, reason codes `yydm`, dates `YYYYMMDD`, times
 * `YYYY-MM-DD HH:mm:ss` (Beijing), amounts in yuan as decimal strings.
 */
export const YWLX: Record<SimService, string> = {
  'ssc.apply': 'ZK',
  'ssc.loss': 'GS',
  'medical.filing': 'BA',
  'pension.qualification': 'RZ',
  'pension.death-benefit': 'SW',
  'pension.transfer': 'ZY',
};

const SHARED_ZT: Partial<Record<AgencyStage, string>> = { 'supplement-requested': '待补正', withdrawn: '已撤回', 'withdrawal-refused': '撤回未通过' };

const ZT: Record<SimService, Partial<Record<AgencyStage, string>>> = {
  'ssc.apply': {
    'eligibility-check': '资格审核',
    'in-production': '制卡中',
    produced: '制卡完成',
    mailed: '已邮寄',
    collected: '已领取',
    rejected: '不予受理',
  },
  'ssc.loss': { 'loss-reported': '已挂失', unblocked: '已解挂', 'loss-expired': '挂失已失效', rejected: '不予受理' },
  'medical.filing': { filed: '已备案', effective: '已生效', changed: '已变更', cancelled: '已取消', rejected: '不予备案' },
  'pension.qualification': {
    authenticated: '认证通过',
    'authentication-failed': '认证未通过',
    'payment-suspended': '暂停发放',
    'payment-resumed': '恢复发放',
    rejected: '不予受理',
  },
  'pension.death-benefit': {
    accepted: '已受理',
    'not-accepted': '不予受理',
    'in-review': '审核中',
    approved: '审核通过',
    rejected: '审核不通过',
    'relation-ended': '已终止参保关系',
    'benefit-paid': '待遇已支付',
  },
  'pension.transfer': {
    'contact-letter-issued': '已开具联系函',
    'transfer-refused': '不予办理',
    'information-sheet-issued': '已出具信息表',
    'funds-received': '转移基金已到账',
    'account-merged': '个人账户已合并',
  },
};

/** Reason codes and their wording, per system (the same canonical reason has each system's own code). */
const YYDM: Record<'card' | 'medical' | 'pension', Partial<Record<RejectionReason, [string, string]>>> = {
  card: {
    CARD_ALREADY_IN_PRODUCTION: ['BZ01', '该人员已有社保卡在制卡中'],
    NOT_INSURED_AT_REGION: ['BZ02', '非本发卡地区参保人员'],
    PHOTO_INVALID: ['BZ03', '照片不符合制卡要求'],
    IDENTITY_MISMATCH: ['BZ04', '身份信息与公安数据不符'],
    BANK_PREACCOUNT_FAILED: ['BZ05', '银行预开户失败'],
    REISSUE_WITHOUT_LOSS_REPORT: ['BZ06', '补卡前未办理正式挂失'],
    UNBLOCK_AFTER_REISSUE: ['BZ07', '已申请补卡，不能解挂'],
    NO_ACTIVE_LOSS_REPORT: ['BZ08', '无有效挂失记录'],
    MATERIAL_ILLEGIBLE: ['BZ09', '照片模糊，请重新提供'],
    CARD_NOT_FOUND: ['BZ10', '未查询到卡片信息'],
    PRODUCTION_FAILED: ['ZK01', '卡片制作失败'],
    CASE_ALREADY_DECIDED: ['CH01', '业务已办结，不能撤回'],
  },
  medical: {
    NOT_INSURED_AT_REGION: ['YB01', '非本统筹区参保人员'],
    FILING_ALREADY_EFFECTIVE: ['YB02', '已有有效的异地就医备案'],
    FILING_NOT_FOUND: ['YB03', '未查询到有效的原备案'],
    MATERIAL_MISSING: ['YB04', '备案材料不全'],
    CASE_ALREADY_DECIDED: ['CH01', '业务已办结，不能撤回'],
  },
  pension: {
    NOT_A_PENSIONER: ['RZ01', '非待遇领取人员'],
    ALREADY_CERTIFIED_THIS_CYCLE: ['RZ02', '本年度已完成认证'],
    BIOMETRIC_MISMATCH: ['RZ03', '人脸比对未通过'],
    CLAIM_WINDOW_EXPIRED: ['SW01', '超过申领期限'],
    DEATH_NOT_VERIFIED: ['SW02', '死亡信息未核实'],
    NOT_A_BENEFICIARY: ['SW03', '申领人非法定继承人或指定受益人'],
    BENEFIT_ALREADY_CLAIMED: ['SW04', '死亡待遇已申领'],
    MATERIAL_MISSING: ['SW05', '申领材料不全'],
    CASE_ALREADY_DECIDED: ['CH01', '业务已办结，不能撤回'],
    NOT_INSURED_AT_REGION: ['ZY01', '转入地无参保缴费记录'],
    TEMPORARY_ACCOUNT_RULES: ['ZY02', '临时基本养老保险缴费账户不予转入'],
    NOT_A_CROSS_AREA_MOVE: ['ZY03', '不属于跨统筹区流动'],
    ACCOUNT_TERMINATED: ['ZY04', '参保关系已终止'],
    CONTRIBUTIONS_NOT_SUSPENDED: ['ZY05', '未中断缴费'],
    CONTRIBUTIONS_IN_ARREARS: ['ZY06', '存在欠缴'],
    ALREADY_DRAWING_PENSION: ['ZY07', '已按月领取基本养老金'],
  },
};

/** Material codes (材料类型). */
export const CLLX: Record<string, string> = { photo: 'ZP', 'death-proof-copy': 'SWZM', 'residence-proof': 'JZZM', 'referral-proof': 'ZZZM' };

const AMOUNT_FIELD: Record<string, string> = { backPay: 'bfje', balance: 'grzhye', funeralGrant: 'sbzj', totalTransfer: 'zrhj' };

/** The transfer's documents, as Sichuan writes them: 联系函 lxh and 信息表 xxb (YYYYMM months, YYYYMMDD dates, yuan). */
function transferDocuments(e: SimEvent) {
  return {
    ...(e.conversation !== undefined ? { lxxh: e.conversation } : {}),
    ...(e.letter
      ? {
          lxh: {
            lxhbh: e.letter.letterNo,
            khyh: e.letter.bankName,
            hm: e.letter.accountName,
            zh: e.letter.accountNumber,
            kjrq: e.letter.issuedOn.replaceAll('-', ''),
          },
        }
      : {}),
    ...(e.sheet
      ? {
          xxb: {
            jfmx: e.sheet.periods.map((p) => ({ qsny: p.from.replace('-', ''), zzny: p.to.replace('-', ''), jfjs: yuan(p.monthlyBaseFen), ys: p.months })),
            grzhye: yuan(e.sheet.personalAccountBalanceFen),
            grzr: yuan(e.sheet.personalTransferFen),
            tczr: yuan(e.sheet.pooledTransferFen),
            zrhj: yuan(e.sheet.totalTransferFen),
            zzrq: e.sheet.relationEndedOn.replaceAll('-', ''),
            hkpzh: e.sheet.remittanceRef,
            hkrq: e.sheet.remittedOn.replaceAll('-', ''),
          },
        }
      : {}),
  };
}

/** One event of a Sichuan system's feed. */
export function toSichuanEvent(system: 'card' | 'medical' | 'pension', e: SimEvent) {
  // A failed production is its own word in the card centre, with its own code.
  const zt = e.reason === 'PRODUCTION_FAILED' ? '制卡失败' : (ZT[e.service][e.stage] ?? SHARED_ZT[e.stage]);
  if (!zt) throw new Error(`SIMULATOR: no Sichuan word for ${e.service} ${e.stage}`);
  const reason = e.reason ? YYDM[system][e.reason] : undefined;
  if (e.reason && !reason) throw new Error(`SIMULATOR: no Sichuan code for ${e.reason}`);
  return {
    xh: e.seq,
    ywxtbh: e.businessKey,
    slh: e.ref,
    ywlx: YWLX[e.service],
    zt,
    ...(reason ? { yydm: reason[0], yysm: reason[1] } : {}),
    ...(e.waybill ? { ydh: e.waybill } : {}),
    ...(e.validUntil ? { aae031: e.validUntil.replaceAll('-', '') } : {}),
    ...(e.amountsFen ? { je: Object.fromEntries(Object.entries(e.amountsFen).map(([k, fen]) => [AMOUNT_FIELD[k] ?? k, yuan(fen)])) } : {}),
    ...(e.requestedMaterials ? { bzcl: e.requestedMaterials.map((m) => CLLX[m] ?? m) } : {}),
    ...transferDocuments(e),
    sj: new Date(e.at + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' '),
  };
}

/** 'YYYYMMDD' → 'YYYY-MM-DD', or undefined for anything else. */
export function fromSichuanDate(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` : undefined;
}

function yuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
