import type { AgencyStage, ForwardedRequest, RejectionReason, SscApplyKind } from '#contracts';
import { UnmappedAgencyValue } from '#adapter-kit';

/**
 * Canonical ⇄ Sichuan card centre (金保工程 data-dictionary field names). Every table is total:
 * a value missing here is an error, never an empty field.
 */
export const SQLX: Record<SscApplyKind, string> = {
  new: '01',
  'reissue-after-loss': '02',
  'replace-damaged': '03',
  renew: '04',
};

export const ZT_TO_STAGE: Readonly<Record<string, AgencyStage>> = {
  资格审核: 'eligibility-check',
  制卡中: 'in-production',
  制卡完成: 'produced',
  已邮寄: 'mailed',
  已领取: 'collected',
  不予受理: 'rejected',
  制卡失败: 'rejected',
};

export const YYDM_TO_REASON: Readonly<Record<string, RejectionReason>> = {
  BZ01: 'CARD_ALREADY_IN_PRODUCTION',
  BZ02: 'NOT_INSURED_AT_REGION',
  BZ03: 'PHOTO_INVALID',
  BZ04: 'IDENTITY_MISMATCH',
  BZ05: 'BANK_PREACCOUNT_FAILED',
  BZ06: 'REISSUE_WITHOUT_LOSS_REPORT',
  ZK01: 'PRODUCTION_FAILED',
};

export interface SichuanApplication {
  ywxtbh: string;
  aac002: string;
  aac003: string;
  aae005: string;
  sqlx: string;
  fkdq: string;
  yjdz: string;
  yzbm?: string;
  zpbh: string;
}

export interface SichuanEvent {
  xh: number;
  ywxtbh: string;
  slh: string;
  zt: string;
  yydm?: string;
  yysm?: string;
  ydh?: string;
  sj: string;
}

/** Canonical forwarded request → Sichuan application. */
export function toSichuan(forwarded: ForwardedRequest): SichuanApplication {
  const r = forwarded.request;
  if (r.service !== 'ssc.apply') throw new UnmappedAgencyValue('service', r.service, 0);
  return {
    ywxtbh: forwarded.caseId,
    aac002: r.applicant.idNumber,
    aac003: r.applicant.name,
    aae005: r.applicant.phone,
    sqlx: SQLX[r.kind],
    fkdq: forwarded.route.region,
    yjdz: r.deliveryAddress.line,
    ...(r.deliveryAddress.postcode ? { yzbm: r.deliveryAddress.postcode } : {}),
    zpbh: r.photoRef,
  };
}

/** Sichuan event → canonical status report (without the event id, which the pump adds). */
export function fromSichuanEvent(e: SichuanEvent) {
  const stage = ZT_TO_STAGE[e.zt];
  if (!stage) throw new UnmappedAgencyValue('zt', e.zt, e.xh);
  const at = `${e.sj.replace(' ', 'T')}.000+08:00`;
  if (stage !== 'rejected') {
    return { caseId: e.ywxtbh, stage, at, detail: { agencyRef: e.slh, ...(e.ydh ? { waybill: e.ydh } : {}) } };
  }
  const code = e.yydm ? YYDM_TO_REASON[e.yydm] : undefined;
  if (!code) throw new UnmappedAgencyValue('yydm', e.yydm ?? '(none)', e.xh);
  return { caseId: e.ywxtbh, stage, at, reason: { code, message: e.yysm ?? e.zt }, detail: { agencyRef: e.slh } };
}
