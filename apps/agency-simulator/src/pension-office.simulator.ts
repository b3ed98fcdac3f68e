import { AgencySystemSimulator, type SimCase, type SimMaterial, type SimStep, type SystemOptions } from './agency-system.simulator.js';

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

type PensionData = QualificationData | DeathBenefitData;

export interface PensionOfficeOptions extends SystemOptions {
  /** IDs whose face or fingerprint check fails. */
  readonly biometricFail?: readonly string[];
  /** IDs whose payment was suspended before this run (three months ago). */
  readonly suspendedPensioners?: readonly string[];
  /** 丧葬补助金 of this province, in fen. */
  readonly funeralGrantFen: number;
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

  protected first(c: SimCase<PensionData>, now: number): SimStep {
    const data = c.data;
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
    if (months > 0) c.flags['resumeMonths'] = months;
    return { stage: 'authenticated' };
  }

  protected next(c: SimCase<PensionData>): SimStep | undefined {
    const data = c.data;
    if (data.type === 'qualification') {
      if (c.stage === 'authentication-failed') return { stage: 'payment-suspended' };
      const months = c.flags['resumeMonths'];
      if (c.stage === 'authenticated' && typeof months === 'number') {
        for (const o of this.suspendedChecks(c.idNumber)) o.flags['resumed'] = true;
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
