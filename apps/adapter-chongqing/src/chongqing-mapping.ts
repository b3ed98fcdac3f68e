import type { AgencyStage, ForwardedRequest, RejectionReason, SscApplyKind } from '#contracts';
import { UnmappedAgencyValue } from '#adapter-kit';

/**
 * Canonical ⇄ Chongqing card service (camelCase fields, English state words, R- codes). Every
 * table is total: a value missing here is an error, never an empty field.
 */
export const APPLY_TYPE: Record<SscApplyKind, string> = {
  new: 'NEW',
  'reissue-after-loss': 'LOSS_REISSUE',
  'replace-damaged': 'DAMAGE_REPLACE',
  renew: 'RENEW',
};

export const STATE_TO_STAGE: Readonly<Record<string, AgencyStage>> = {
  AUDITING: 'eligibility-check',
  MAKING: 'in-production',
  MADE: 'produced',
  POSTED: 'mailed',
  RECEIVED: 'collected',
  REFUSED: 'rejected',
  MAKE_FAILED: 'rejected',
};

export const REFUSE_TO_REASON: Readonly<Record<string, RejectionReason>> = {
  'R-IN-PRODUCTION': 'CARD_ALREADY_IN_PRODUCTION',
  'R-NOT-INSURED': 'NOT_INSURED_AT_REGION',
  'R-PHOTO': 'PHOTO_INVALID',
  'R-IDENTITY': 'IDENTITY_MISMATCH',
  'R-BANK': 'BANK_PREACCOUNT_FAILED',
  'R-NO-LOSS-REPORT': 'REISSUE_WITHOUT_LOSS_REPORT',
};

export interface ChongqingOrder {
  bizSerialNo: string;
  certNo: string;
  personName: string;
  mobile: string;
  applyType: string;
  cardAreaCode: string;
  mailAddress: { detail: string; zip?: string };
  photoId: string;
}

export interface ChongqingEvent {
  eventNo: number;
  bizSerialNo: string;
  orderNo: string;
  state: string;
  refuseCode?: string;
  refuseReason?: string;
  expressNo?: string;
  occurredAt: string;
}

/** Canonical forwarded request → Chongqing order. */
export function toChongqing(forwarded: ForwardedRequest): ChongqingOrder {
  const r = forwarded.request;
  if (r.service !== 'ssc.apply') throw new UnmappedAgencyValue('service', r.service, 0);
  return {
    bizSerialNo: forwarded.caseId,
    certNo: r.applicant.idNumber,
    personName: r.applicant.name,
    mobile: r.applicant.phone,
    applyType: APPLY_TYPE[r.kind],
    cardAreaCode: forwarded.route.region,
    mailAddress: { detail: r.deliveryAddress.line, ...(r.deliveryAddress.postcode ? { zip: r.deliveryAddress.postcode } : {}) },
    photoId: r.photoRef,
  };
}

/** Chongqing event → canonical status report (without the event id, which the pump adds). */
export function fromChongqingEvent(e: ChongqingEvent) {
  const stage = STATE_TO_STAGE[e.state];
  if (!stage) throw new UnmappedAgencyValue('state', e.state, e.eventNo);
  if (stage !== 'rejected') {
    return { caseId: e.bizSerialNo, stage, at: e.occurredAt, detail: { agencyRef: e.orderNo, ...(e.expressNo ? { waybill: e.expressNo } : {}) } };
  }
  if (e.state === 'MAKE_FAILED') {
    return { caseId: e.bizSerialNo, stage, at: e.occurredAt, reason: { code: 'PRODUCTION_FAILED' as const, message: e.refuseReason ?? '制卡失败' }, detail: { agencyRef: e.orderNo } };
  }
  const code = e.refuseCode ? REFUSE_TO_REASON[e.refuseCode] : undefined;
  if (!code) throw new UnmappedAgencyValue('refuseCode', e.refuseCode ?? '(none)', e.eventNo);
  return { caseId: e.bizSerialNo, stage, at: e.occurredAt, reason: { code, message: e.refuseReason ?? e.state }, detail: { agencyRef: e.orderNo } };
}
