import { GatewayError, type ErrorCode, type FieldProblem } from '#core';
import type {
  DeathBenefitRequest,
  MedicalFilingRequest,
  PensionQualificationRequest,
  PensionTransferRequest,
  ServiceRequest,
  SscLossRequest,
} from './canonical.js';

/** What the rules need besides the request: today's date where the window is, and local settings. */
export interface RuleContext {
  /** Today in Asia/Shanghai, YYYY-MM-DD. */
  readonly today: string;
  /** Days after death within which a resident pension death benefit may be claimed (local rule, 30 by default). */
  readonly deathClaimWindowDays: number;
}

/** Field codes that are error codes of their own when they are the only problem. */
const RULE_CODES: ReadonlySet<string> = new Set<ErrorCode>(['CLAIM_WINDOW_EXPIRED', 'FILING_PERIOD_TOO_SHORT', 'DATE_INVALID']);

/**
 * The rules of a service that span fields or depend on today, checked after the contract's own
 * validation (形式审查 at the window). Throws a GatewayError naming every field at fault; the
 * code is the rule's own code when only one rule failed, else VALIDATION_FAILED.
 *
 * @example checkServiceRules(deathBenefitRequest, { today: '2026-11-23', deathClaimWindowDays: 30 })
 *   // throws CLAIM_WINDOW_EXPIRED (field dateOfDeath) for a death on 2026-10-01
 */
export function checkServiceRules(request: ServiceRequest, context: RuleContext): void {
  const problems = problemsOf(request, context);
  if (problems.length === 0) return;
  const codes = new Set(problems.map((p) => p.code));
  const only = codes.size === 1 ? [...codes][0] : undefined;
  const code: ErrorCode = only !== undefined && RULE_CODES.has(only) ? (only as ErrorCode) : 'VALIDATION_FAILED';
  throw new GatewayError(code, { detail: `${problems.length} field(s) at fault`, fields: problems });
}

function problemsOf(request: ServiceRequest, context: RuleContext): FieldProblem[] {
  switch (request.service) {
    case 'ssc.apply':
      return [];
    case 'ssc.loss':
      return lossRules(request);
    case 'medical.filing':
      return medicalFilingRules(request);
    case 'pension.qualification':
      return qualificationRules(request, context);
    case 'pension.death-benefit':
      return deathBenefitRules(request, context);
    case 'pension.transfer':
      return transferRules(request);
  }
}

function lossRules(r: SscLossRequest): FieldProblem[] {
  if (r.action === 'unblock' && r.lossType !== undefined) {
    return [{ field: 'lossType', code: 'NOT_ALLOWED', message: '解挂不填写挂失类型 (lossType is not given for an unblock)' }];
  }
  return [];
}

function medicalFilingRules(r: MedicalFilingRequest): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!isCalendarDate(r.startDate)) out.push(badDate('startDate'));
  if (r.endDate !== undefined && !isCalendarDate(r.endDate)) out.push(badDate('endDate'));
  if (out.length > 0) return out;
  if (r.action === 'file' && r.filingRef !== undefined) {
    out.push({ field: 'filingRef', code: 'NOT_ALLOWED', message: '新办备案不填写原备案编号 (filingRef is only for change or cancel)' });
  }
  if (r.endDate === undefined) return out;
  if (r.filingType === 'long-term-resident' || r.filingType === 'emergency') {
    out.push({
      field: 'endDate',
      code: 'NOT_ALLOWED',
      message: '异地长期居住和急诊抢救备案不设结束日期 (long-term and emergency filings have no end date)',
    });
  } else if (r.endDate < r.startDate) {
    out.push({ field: 'endDate', code: 'DATE_INVALID', message: '结束日期早于开始日期 (endDate is before startDate)' });
  } else if (r.endDate < addMonths(r.startDate, 6)) {
    out.push({
      field: 'endDate',
      code: 'FILING_PERIOD_TOO_SHORT',
      message: '临时外出就医备案有效期不少于 6 个月 (a temporary filing covers at least six months)',
    });
  }
  return out;
}

function qualificationRules(r: PensionQualificationRequest, context: RuleContext): FieldProblem[] {
  const year = Number(context.today.slice(0, 4));
  // A check is for the cycle under way, or the one just closed (a pensioner who missed it).
  if (r.cycleYear > year || r.cycleYear < year - 1) {
    return [{ field: 'cycleYear', code: 'NOT_ALLOWED_VALUE', message: `认证年度应为 ${year - 1} 或 ${year} (cycleYear is this year or last)` }];
  }
  return [];
}

function deathBenefitRules(r: DeathBenefitRequest, context: RuleContext): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (r.claimant.idNumber === r.deceased.idNumber) {
    out.push({ field: 'claimant.idNumber', code: 'NOT_ALLOWED', message: '申领人不能是逝者本人 (the claimant is not the deceased)' });
  }
  if (!isCalendarDate(r.dateOfDeath)) return [...out, badDate('dateOfDeath')];
  if (r.dateOfDeath > context.today) {
    out.push({ field: 'dateOfDeath', code: 'DATE_INVALID', message: '死亡日期晚于今天 (dateOfDeath is in the future)' });
  } else if (context.today > claimWindowCloses(r.dateOfDeath, context.deathClaimWindowDays)) {
    out.push({
      field: 'dateOfDeath',
      code: 'CLAIM_WINDOW_EXPIRED',
      message: `死亡待遇应在死亡之日起 ${context.deathClaimWindowDays} 日内申领 (claim within ${context.deathClaimWindowDays} days of death)`,
    });
  }
  return out;
}

function transferRules(r: PensionTransferRequest): FieldProblem[] {
  // Each transfer-out place is one conversation: the same place (and person number) twice would
  // ask one agency for the same funds twice.
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  r.transferOut.forEach((place, i) => {
    const key = `${place.region}/${place.personNumber}`;
    if (seen.has(key)) {
      out.push({ field: `transferOut[${i}]`, code: 'DUPLICATE', message: '同一转出地重复填写 (the same transfer-out place is named twice)' });
    }
    seen.add(key);
  });
  return out;
}

/**
 * The last day a death benefit may be claimed: `days` calendar days after the death.
 *
 * @example claimWindowCloses('2026-10-01', 30) // '2026-10-31'
 */
export function claimWindowCloses(dateOfDeath: string, days: number): string {
  return new Date(Date.parse(`${dateOfDeath}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The same day `months` months later; the month's last day when it has no such day.
 *
 * @example addMonths('2026-08-31', 6) // '2027-02-28'
 */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = m - 1 + months;
  const year = y + Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** Whether a YYYY-MM-DD string names a real day (2026-02-30 does not). */
export function isCalendarDate(value: string): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

function badDate(field: string): FieldProblem {
  return { field, code: 'DATE_INVALID', message: '不是有效的日期 (not a real calendar date)' };
}
