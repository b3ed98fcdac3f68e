import { Decimal } from 'decimal.js';

/**
 * The money of an employee pension transfer (人社部发〔2009〕187号, implementing 国办发〔2009〕66号):
 * the personal account moves in full; the pooled part is 12 % of the contribution bases after
 * 1998-01-01, month by month, without interest. Amounts are exact decimals (decimal.js),
 * never binary floating point, and are compared to the cent.
 */
export interface ContributionPeriod {
  /** First month, `YYYY-MM`. */
  readonly from: string;
  /** Last month, inclusive, `YYYY-MM`. */
  readonly to: string;
  /** The monthly contribution base of the period, a decimal string with at most 2 places. */
  readonly monthlyBase: string;
  /** Months the sheet states for this period; must equal to − from + 1. */
  readonly months: number;
}

/** 信息表: the information sheet the transfer-out side sends with the funds. */
export interface InformationSheet {
  readonly periods: readonly ContributionPeriod[];
  readonly personalAccountBalance: string;
  readonly personalTransfer: string;
  readonly pooledTransfer: string;
  readonly totalTransfer: string;
}

export type SheetProblemCode =
  | 'SHEET_AMOUNT_FORMAT'
  | 'SHEET_MONTHS_MISMATCH'
  | 'SHEET_PERIOD_ORDER'
  | 'SHEET_PERSONAL_MISMATCH'
  | 'SHEET_POOLED_MISMATCH'
  | 'SHEET_TOTAL_MISMATCH';

export interface SheetProblem {
  readonly code: SheetProblemCode;
  readonly field: string;
  readonly expected?: string;
  readonly stated?: string;
}

const POOLED_RATE = new Decimal('0.12');
/** Contributions before this month do not count for the pooled part. */
const POOLED_FROM = '1998-01';
const AMOUNT = /^\d{1,12}(\.\d{1,2})?$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Months from `from` to `to`, both inclusive. @example monthsBetween('2020-01', '2020-12') // 12 */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm] = parseMonth(from);
  const [ty, tm] = parseMonth(to);
  return (ty - fy) * 12 + (tm - fm) + 1;
}

/**
 * The pooled part a sheet should state: Σ 12 % × monthly base × months counted from 1998-01,
 * rounded half-up to the cent once, at the end.
 *
 * @example pooledTransfer([{ from: '1997-07', to: '1998-06', monthlyBase: '1000', months: 12 }]) // '720.00'
 */
export function pooledTransfer(periods: readonly ContributionPeriod[]): string {
  let sum = new Decimal(0);
  for (const p of periods) {
    if (p.to < POOLED_FROM) continue;
    const from = p.from < POOLED_FROM ? POOLED_FROM : p.from;
    sum = sum.plus(new Decimal(p.monthlyBase).times(monthsBetween(from, p.to)).times(POOLED_RATE));
  }
  return sum.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}

/**
 * Checks that a sheet adds up before the gateway forwards it. Returns every problem found (an
 * empty list means the sheet is right); never corrects a figure silently.
 */
export function checkInformationSheet(sheet: InformationSheet): SheetProblem[] {
  const problems: SheetProblem[] = [];
  const amounts: [string, string][] = [
    ['personalAccountBalance', sheet.personalAccountBalance],
    ['personalTransfer', sheet.personalTransfer],
    ['pooledTransfer', sheet.pooledTransfer],
    ['totalTransfer', sheet.totalTransfer],
    ...sheet.periods.map((p, i): [string, string] => [`periods[${i}].monthlyBase`, p.monthlyBase]),
  ];
  for (const [field, value] of amounts) {
    if (!AMOUNT.test(value)) problems.push({ code: 'SHEET_AMOUNT_FORMAT', field, stated: value });
  }
  sheet.periods.forEach((p, i) => {
    if (!MONTH.test(p.from) || !MONTH.test(p.to) || p.to < p.from) {
      problems.push({ code: 'SHEET_PERIOD_ORDER', field: `periods[${i}]` });
      return;
    }
    if (i > 0 && p.from <= sheet.periods[i - 1].to) problems.push({ code: 'SHEET_PERIOD_ORDER', field: `periods[${i}].from` });
    const months = monthsBetween(p.from, p.to);
    if (months !== p.months) {
      problems.push({ code: 'SHEET_MONTHS_MISMATCH', field: `periods[${i}].months`, expected: String(months), stated: String(p.months) });
    }
  });
  if (problems.length > 0) return problems;

  if (!new Decimal(sheet.personalTransfer).equals(sheet.personalAccountBalance)) {
    problems.push({ code: 'SHEET_PERSONAL_MISMATCH', field: 'personalTransfer', expected: sheet.personalAccountBalance, stated: sheet.personalTransfer });
  }
  const pooled = pooledTransfer(sheet.periods);
  if (!new Decimal(sheet.pooledTransfer).equals(pooled)) {
    problems.push({ code: 'SHEET_POOLED_MISMATCH', field: 'pooledTransfer', expected: pooled, stated: sheet.pooledTransfer });
  }
  const total = new Decimal(sheet.personalTransfer).plus(sheet.pooledTransfer).toFixed(2);
  if (!new Decimal(sheet.totalTransfer).equals(total)) {
    problems.push({ code: 'SHEET_TOTAL_MISMATCH', field: 'totalTransfer', expected: total, stated: sheet.totalTransfer });
  }
  return problems;
}

function parseMonth(value: string): [number, number] {
  const match = MONTH.exec(value);
  return match ? [Number(match[1]), Number(match[2])] : [Number.NaN, Number.NaN];
}
