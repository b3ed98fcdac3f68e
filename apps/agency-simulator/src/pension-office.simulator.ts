import { pooledTransfer } from '#pension';
import {
  AgencySystemSimulator,
  SimCaseUnknown,
  type SimCase,
  type SimContactLetter,
  type SimEvent,
  type SimInformationSheet,
  type SimMaterial,
  type SimStep,
  type SystemOptions,
} from './agency-system.simulator.js';

/**
 * SIMULATOR — a stand-in for a province's pension office (社保经办), demo and tests only:
 * pensioner qualification checks (待遇资格认证) and resident pension death benefits
 * (城乡居保死亡待遇).
 *
 * - A check passes (`authenticated`), or fails for the IDs in `biometricFail`
 *   (`authentication-failed`, then `payment-suspended`). A pensioner whose payment this office
 *   suspended (earlier in the run, or seeded in `suspendedPensioners`) is paid again once a
 *   check passes (`payment-resumed` with the back-pay). One check per cycle year.
 * - A death benefit is accepted, reviewed, approved, the insurance relation ended and the
 *   account balance and funeral grant paid; without materials the office asks for the death
 *   proof first (补正); a death proof reference starting `UNVERIFIED` is rejected; a second
 *   claim for the same deceased is not accepted.
 * - An employee pension transfer (养老保险关系转移接续, 国办发〔2009〕66号), both sides:
 *   as the transfer-in office it takes the application, one conversation per transfer-out place,
 *   and after a step issues a contact letter (联系函, with this office's fund account) or refuses
 *   (applicant or that place's person number in `notInsured` → NOT_INSURED_AT_REGION; a place in
 *   the transfer-in region itself → NOT_A_CROSS_AREA_MOVE; applicant in `transfer.temporaryAccountOnly`
 *   → TEMPORARY_ACCOUNT_RULES); once the information sheet came it
 *   reports the funds received, then the account merged. As the transfer-out office it takes a
 *   contact letter and after a step refuses (seeded `transfer` lists: terminated account,
 *   contributions not suspended, arrears, drawing a pension) or issues the information sheet
 *   from the person's contribution history (periods since 1996, yearly bases), its pooled part
 *   computed exactly (12 % from 1998-01, no interest); for IDs in `transfer.wrongSums` the office
 *   states the pooled part one fen too high. Every application, conversation and letter is
 *   created once (counted per key: `<case>`, `<case>#<n>`, `<case>#<n>@out`).
 */
export interface QualificationData {
  readonly type: 'qualification';
  readonly pensionType: 'employee' | 'resident';
  readonly method: 'in-person' | 'home-visit' | 'video';
  readonly cycleYear: number;
}

export interface DeathBenefitData {
  readonly type: 'death-benefit';
  readonly deceasedIdNumber: string;
  readonly dateOfDeath: string;
  readonly proofRef: string;
  readonly materials: readonly SimMaterial[];
}

/** The transfer application as the transfer-in office keeps it; its conversations are their own cases. */
export interface TransferApplicationData {
  readonly type: 'transfer-application';
  readonly insuranceType: 'enterprise-employee' | 'public-institution';
  readonly transferInRegion: string;
  readonly places: number;
}

/** A transfer-out place as the application names it. */
export interface TransferPlaceData {
  readonly region: string;
  readonly agencyName: string;
  readonly personNumber: string;
  readonly temporaryAccount: boolean;
}

/** One conversation at the transfer-in office (legs 1 and 3). */
export interface TransferInData {
  readonly type: 'transfer-in';
  readonly transferInRegion: string;
  readonly place: TransferPlaceData;
}

/** One conversation at the transfer-out office (leg 2): the contact letter it received. */
export interface TransferOutData {
  readonly type: 'transfer-out';
  readonly transferInRegion: string;
  readonly region: string;
  readonly personNumber: string;
  readonly letterNo: string;
}

type PensionData = QualificationData | DeathBenefitData | TransferApplicationData | TransferInData | TransferOutData;

/** Seeded conditions of the transfer (ID numbers): the transfer-out side's, and the transfer-in side's temporary-account rule. */
export interface TransferSeeds {
  /**
   * As the transfer-in office: the person was first insured here away from their hukou at 50+
   * (men) or 40+ (women), so this place holds only a temporary account and may not take the
   * relation in (国办发〔2009〕66号 第六条).
   */
  readonly temporaryAccountOnly?: readonly string[];
  /** 参保关系已终止. */
  readonly terminated?: readonly string[];
  /** 未中断缴费 (still contributing here). */
  readonly unsuspended?: readonly string[];
  /** 欠费. */
  readonly arrears?: readonly string[];
  /** 已领取养老金. */
  readonly drawingPension?: readonly string[];
  /** The office states the pooled part one fen too high on their sheet. */
  readonly wrongSums?: readonly string[];
}

export interface PensionOfficeOptions extends SystemOptions {
  /** IDs whose face or fingerprint check fails. */
  readonly biometricFail?: readonly string[];
  /** IDs whose payment was suspended before this run (three months ago). */
  readonly suspendedPensioners?: readonly string[];
  /** 丧葬补助金 of this province, in fen. */
  readonly funeralGrantFen: number;
  /** The pension fund's receiving account, printed on every contact letter. */
  readonly fundAccount?: { readonly bankName: string; readonly accountName: string; readonly accountNumber: string };
  readonly transfer?: TransferSeeds;
}

/** Months of pension withheld from a pensioner seeded as suspended. */
const SEEDED_SUSPENDED_MONTHS = 3;

export class PensionOfficeSimulator extends AgencySystemSimulator<PensionData> {
  protected readonly refLetter = 'P';

  constructor(private readonly pension: PensionOfficeOptions) {
    super(pension);
  }

  /** Takes a qualification check; idempotent on the business key. */
  certify(businessKey: string, idNumber: string, data: Omit<QualificationData, 'type'>): { ref: string; duplicate: boolean } {
    return this.open(businessKey, 'pension.qualification', idNumber, { type: 'qualification', ...data });
  }

  /** Takes a death benefit claim (keyed by the claimant's ID); idempotent on the business key. */
  claimDeathBenefit(businessKey: string, claimantIdNumber: string, data: Omit<DeathBenefitData, 'type'>): { ref: string; duplicate: boolean } {
    return this.open(businessKey, 'pension.death-benefit', claimantIdNumber, { type: 'death-benefit', ...data });
  }

  /**
   * 转移接续申请 at the transfer-in office: the application and one conversation per place.
   * Idempotent on the case number.
   */
  applyTransfer(
    caseId: string,
    idNumber: string,
    data: { insuranceType: TransferApplicationData['insuranceType']; transferInRegion: string; places: readonly TransferPlaceData[] },
  ): { ref: string; duplicate: boolean } {
    const result = this.open(caseId, 'pension.transfer', idNumber, {
      type: 'transfer-application',
      insuranceType: data.insuranceType,
      transferInRegion: data.transferInRegion,
      places: data.places.length,
    });
    if (result.duplicate) return result;
    data.places.forEach((place, i) => {
      this.open(
        `${caseId}#${i + 1}`,
        'pension.transfer',
        idNumber,
        { type: 'transfer-in', transferInRegion: data.transferInRegion, place },
        { caseId, conversation: i + 1 },
      );
    });
    return result;
  }

  /** 联系函 at the transfer-out office: one conversation, idempotent on case number and conversation. */
  receiveContactLetter(
    caseId: string,
    conversation: number,
    idNumber: string,
    data: Omit<TransferOutData, 'type'>,
  ): { ref: string; duplicate: boolean } {
    return this.open(`${caseId}#${conversation}@out`, 'pension.transfer', idNumber, { type: 'transfer-out', ...data }, { caseId, conversation });
  }

  /**
   * 信息表 at the transfer-in office: the conversation waits for the funds (next step: received,
   * then merged). A sheet for a conversation this office has not issued a letter for is unknown
   * (SimCaseUnknown); a repeated one is a duplicate.
   */
  receiveInformationSheet(caseId: string, conversation: number, sheet: SimInformationSheet): { ref: string; duplicate: boolean } {
    const c = this.find(`${caseId}#${conversation}`);
    if (!c || c.data.type !== 'transfer-in') throw new SimCaseUnknown(`${caseId}#${conversation}`);
    if (c.stage !== 'contact-letter-issued') return { ref: c.ref, duplicate: true };
    this.setFlag(c, 'totalTransferFen', sheet.totalTransferFen);
    this.quietly(c, 'information-sheet-received', this.options.clock.nowMs());
    return { ref: c.ref, duplicate: false };
  }

  /** The transfer's events in this office's feed (both sides), in order. */
  transferEvents(caseId: string): SimEvent[] {
    return this.eventsAfter(0, Number.MAX_SAFE_INTEGER).filter((e) => e.service === 'pension.transfer' && e.businessKey === caseId);
  }

  protected first(c: SimCase<PensionData>, now: number): SimStep | null {
    const data = c.data;
    if (data.type === 'transfer-application' || data.type === 'transfer-in' || data.type === 'transfer-out') return null;
    if (data.type === 'death-benefit') {
      const claimed = this.cases().some(
        (o) =>
          o !== c &&
          o.data.type === 'death-benefit' &&
          o.data.deceasedIdNumber === data.deceasedIdNumber &&
          !['not-accepted', 'rejected', 'withdrawn'].includes(o.stage),
      );
      return claimed ? { stage: 'not-accepted', reason: 'BENEFIT_ALREADY_CLAIMED' } : { stage: 'accepted' };
    }
    const certified = this.cases().some(
      (o) =>
        o !== c &&
        o.idNumber === c.idNumber &&
        o.data.type === 'qualification' &&
        o.data.cycleYear === data.cycleYear &&
        (o.stage === 'authenticated' || o.stage === 'payment-resumed'),
    );
    if (certified) return { stage: 'rejected', reason: 'ALREADY_CERTIFIED_THIS_CYCLE' };
    if (this.pension.biometricFail?.includes(c.idNumber)) return { stage: 'authentication-failed', reason: 'BIOMETRIC_MISMATCH' };
    const months = this.monthsWithheld(c.idNumber, now);
    if (months > 0) this.setFlag(c, 'resumeMonths', months);
    return { stage: 'authenticated' };
  }

  protected next(c: SimCase<PensionData>, now: number): SimStep | undefined {
    const data = c.data;
    if (data.type === 'transfer-application') return undefined;
    if (data.type === 'transfer-in') return this.nextIn(c, data, now);
    if (data.type === 'transfer-out') return this.nextOut(c, data, now);
    if (data.type === 'qualification') {
      if (c.stage === 'authentication-failed') return { stage: 'payment-suspended' };
      const months = c.flags['resumeMonths'];
      if (c.stage === 'authenticated' && typeof months === 'number') {
        for (const o of this.suspendedChecks(c.idNumber)) this.setFlag(o, 'resumed', true);
        return { stage: 'payment-resumed', amountsFen: { backPay: months * this.monthlyPensionFen(c.idNumber) } };
      }
      return undefined;
    }
    if (c.stage === 'accepted') {
      if (data.materials.length === 0 && c.supplied.length === 0) {
        return { stage: 'supplement-requested', reason: 'MATERIAL_MISSING', requestedMaterials: ['death-proof-copy'] };
      }
      return { stage: 'in-review' };
    }
    if (c.stage === 'in-review') {
      return data.proofRef.startsWith('UNVERIFIED') ? { stage: 'rejected', reason: 'DEATH_NOT_VERIFIED' } : { stage: 'approved' };
    }
    if (c.stage === 'approved') return { stage: 'relation-ended' };
    if (c.stage === 'relation-ended') {
      return {
        stage: 'benefit-paid',
        amountsFen: { balance: this.accountBalanceFen(data.deceasedIdNumber), funeralGrant: this.pension.funeralGrantFen },
      };
    }
    return undefined;
  }

  protected resume(): SimStep {
    return { stage: 'in-review' };
  }

  /** Leg 1 (letter or refusal) and leg 3 (funds received, account merged) of one conversation. */
  private nextIn(c: SimCase<PensionData>, data: TransferInData, now: number): SimStep | undefined {
    if (c.stage === 'accepted') {
      if (this.notInsured(c.idNumber) || this.notInsured(data.place.personNumber)) return { stage: 'transfer-refused', reason: 'NOT_INSURED_AT_REGION' };
      if (data.place.region === data.transferInRegion) return { stage: 'transfer-refused', reason: 'NOT_A_CROSS_AREA_MOVE' };
      if (this.pension.transfer?.temporaryAccountOnly?.includes(c.idNumber)) return { stage: 'transfer-refused', reason: 'TEMPORARY_ACCOUNT_RULES' };
      return { stage: 'contact-letter-issued', letter: this.letter(c, now) };
    }
    if (c.stage === 'information-sheet-received') {
      const total = c.flags['totalTransferFen'];
      return { stage: 'funds-received', ...(typeof total === 'number' ? { amountsFen: { totalTransfer: total } } : {}) };
    }
    if (c.stage === 'funds-received') return { stage: 'account-merged' };
    return undefined;
  }

  /** Leg 2: the preconditions, then the information sheet (relation ended, funds remitted). */
  private nextOut(c: SimCase<PensionData>, data: TransferOutData, now: number): SimStep | undefined {
    if (c.stage !== 'accepted') return undefined;
    const seeds = this.pension.transfer ?? {};
    const seeded = (list?: readonly string[]) => list?.includes(c.idNumber) ?? false;
    if (seeded(seeds.terminated)) return { stage: 'transfer-refused', reason: 'ACCOUNT_TERMINATED' };
    if (seeded(seeds.drawingPension)) return { stage: 'transfer-refused', reason: 'ALREADY_DRAWING_PENSION' };
    if (seeded(seeds.unsuspended)) return { stage: 'transfer-refused', reason: 'CONTRIBUTIONS_NOT_SUSPENDED' };
    if (seeded(seeds.arrears)) return { stage: 'transfer-refused', reason: 'CONTRIBUTIONS_IN_ARREARS' };
    if (data.region === data.transferInRegion) return { stage: 'transfer-refused', reason: 'NOT_A_CROSS_AREA_MOVE' };
    return { stage: 'information-sheet-issued', sheet: this.sheet(c, data, now, seeded(seeds.wrongSums)) };
  }

  private letter(c: SimCase<PensionData>, now: number): SimContactLetter {
    const day = this.beijingDay(now);
    const account = this.pension.fundAccount ?? { bankName: '中国工商银行', accountName: '社会保险基金收入户', accountNumber: '0000000000000000000' };
    return {
      // 联系函编号, e.g. SC-ZYLXH-2026-00000002 (the federation's contract takes letters, digits and '-').
      letterNo: `${this.province}-ZYLXH-${day.slice(0, 4)}-${c.ref.slice(3)}`,
      ...account,
      issuedOn: day,
    };
  }

  /**
   * The information sheet from the person's contribution history at this office: from a month
   * between 1996 and 2001 to 2025-10, one period per calendar year, the monthly base rising about
   * 8 % a year; the pooled part is 12 % of the bases from 1998-01 (libs/pension pooledTransfer).
   */
  private sheet(c: SimCase<PensionData>, data: TransferOutData, now: number, wrong: boolean): SimInformationSheet {
    const h = hashOf(`${c.idNumber}/${data.personNumber}`);
    const startYear = 1996 + (h % 6);
    const startMonth = 1 + (h % 12);
    let baseFen = 60_000 + (h % 40_000);
    const periods: { from: string; to: string; monthlyBaseFen: number; months: number }[] = [];
    for (let year = startYear; year <= 2025; year += 1) {
      const fromMonth = year === startYear ? startMonth : 1;
      const toMonth = year === 2025 ? 10 : 12;
      periods.push({ from: month(year, fromMonth), to: month(year, toMonth), monthlyBaseFen: baseFen, months: toMonth - fromMonth + 1 });
      baseFen = Math.round((baseFen * 108) / 100);
    }
    const pooledFen =
      yuanStringToFen(pooledTransfer(periods.map((p) => ({ from: p.from, to: p.to, months: p.months, monthlyBase: fenString(p.monthlyBaseFen) })))) +
      (wrong ? 1 : 0);
    const paidIn = periods.reduce((sum, p) => sum + p.monthlyBaseFen * p.months, 0);
    const personalFen = Math.round((paidIn * 8) / 100) + (h % 100_000);
    const day = this.beijingDay(now);
    return {
      periods,
      personalAccountBalanceFen: personalFen,
      personalTransferFen: personalFen,
      pooledTransferFen: pooledFen,
      totalTransferFen: personalFen + pooledFen,
      relationEndedOn: day,
      remittanceRef: `${this.province}HK${c.ref.slice(3)}`,
      remittedOn: day,
    };
  }

  /** Suspended checks of this person not yet resumed. */
  private suspendedChecks(idNumber: string): SimCase<PensionData>[] {
    return this.cases().filter((o) => o.idNumber === idNumber && o.stage === 'payment-suspended' && o.flags['resumed'] !== true);
  }

  /** Months of pension withheld from this person (0 if paid): from the suspension's month to this one. */
  private monthsWithheld(idNumber: string, now: number): number {
    const suspended = this.suspendedChecks(idNumber);
    if (suspended.length > 0) {
      const since = Math.min(...suspended.map((o) => o.stageSince));
      const [y0, m0] = this.beijingDay(since).split('-').map(Number) as [number, number];
      const [y1, m1] = this.beijingDay(now).split('-').map(Number) as [number, number];
      return Math.max(1, (y1 - y0) * 12 + (m1 - m0) + 1);
    }
    const seeded = this.pension.suspendedPensioners?.includes(idNumber) ?? false;
    const resumedBefore = this.cases().some((o) => o.idNumber === idNumber && o.stage === 'payment-resumed');
    return seeded && !resumedBefore ? SEEDED_SUSPENDED_MONTHS : 0;
  }

  /** A pensioner's monthly pension in fen, fixed per person (1800.00 to 3299.99 yuan). */
  private monthlyPensionFen(idNumber: string): number {
    return 180_000 + ((Number(idNumber.slice(6, 17)) * 7919) % 150_000);
  }

  /** The deceased's personal account balance in fen, fixed per person (up to 59999.99 yuan). */
  private accountBalanceFen(idNumber: string): number {
    return 100_000 + ((Number(idNumber.slice(6, 17)) * 104_729) % 5_900_000);
  }
}

function month(year: number, m: number): string {
  return `${year}-${String(m).padStart(2, '0')}`;
}

/** fen → 'yuan.fen' (exact). */
function fenString(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** 'yuan.fen' → fen (exact, no floating point). */
export function yuanStringToFen(yuan: string): number {
  const [whole, frac = ''] = yuan.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
}

/** A stable small hash of a string (FNV-1a), so each person's history is the same every run. */
function hashOf(value: string): number {
  let h = 0x811c9dc5;
  for (const ch of value) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}
