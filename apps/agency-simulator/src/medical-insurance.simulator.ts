import { addMonths } from '#contracts';
import { AgencySystemSimulator, type SimCase, type SimMaterial, type SimStep, type SystemOptions } from './agency-system.simulator.js';

/**
 * SIMULATOR — a stand-in for a province's medical insurance system (医保), for 异地就医备案
 * (demo and tests only). A filing is filed, then effective on the next step (a temporary one
 * until its end date, or six months from its start; a long-term one without end); an emergency
 * counts as filed and is effective at once. A change or a cancellation names an effective filing
 * of this agency by its case number.
 */
export interface MedicalFilingData {
  readonly action: 'file' | 'change' | 'cancel';
  readonly filingType: 'long-term-resident' | 'temporary' | 'emergency';
  readonly startDate: string;
  readonly endDate?: string;
  readonly filingRef?: string;
  readonly materials: readonly SimMaterial[];
}

/** What each filing type needs as its own proof when none came with the filing. */
const PROOF_OF: Record<MedicalFilingData['filingType'], string> = {
  'long-term-resident': 'residence-proof',
  temporary: 'referral-proof',
  emergency: 'referral-proof',
};

export class MedicalInsuranceSimulator extends AgencySystemSimulator<MedicalFilingData> {
  protected readonly refLetter = 'Y';

  constructor(options: SystemOptions) {
    super(options);
  }

  /** Takes a filing, a change or a cancellation; idempotent on the business key. */
  file(businessKey: string, idNumber: string, data: MedicalFilingData): { ref: string; duplicate: boolean } {
    return this.open(businessKey, 'medical.filing', idNumber, data);
  }

  protected first(c: SimCase<MedicalFilingData>, now: number): SimStep {
    const data = c.data;
    if (this.notInsured(c.idNumber)) return { stage: 'rejected', reason: 'NOT_INSURED_AT_REGION' };
    if (data.action === 'file') {
      const effective = this.effectiveFilings(c.idNumber, now).some((o) => o !== c);
      if (effective) return { stage: 'rejected', reason: 'FILING_ALREADY_EFFECTIVE' };
      // 急诊抢救 counts as filed: effective at once, whatever came with it.
      if (data.filingType === 'emergency') return { stage: 'effective' };
      if (data.materials.length === 0) {
        return { stage: 'supplement-requested', reason: 'MATERIAL_MISSING', requestedMaterials: [PROOF_OF[data.filingType]] };
      }
      return { stage: 'filed' };
    }
    const target = this.effectiveFilings(c.idNumber, now).find((o) => o.businessKey === data.filingRef);
    if (!target) return { stage: 'rejected', reason: 'FILING_NOT_FOUND' };
    if (data.action === 'cancel') {
      this.setFlag(target, 'cancelled', true);
      return { stage: 'cancelled' };
    }
    if (data.endDate !== undefined) this.setFlag(target, 'validUntil', data.endDate);
    const validUntil = target.flags['validUntil'];
    return typeof validUntil === 'string' ? { stage: 'changed', validUntil } : { stage: 'changed' };
  }

  protected next(c: SimCase<MedicalFilingData>): SimStep | undefined {
    if (c.stage !== 'filed') return undefined;
    const data = c.data;
    if (data.filingType !== 'temporary') return { stage: 'effective' };
    const validUntil = data.endDate ?? addMonths(data.startDate, 6);
    this.setFlag(c, 'validUntil', validUntil);
    return { stage: 'effective', validUntil };
  }

  protected resume(): SimStep {
    return { stage: 'filed' };
  }

  /** This person's filings in force: effective, not cancelled, and (if temporary) not past their end. */
  private effectiveFilings(idNumber: string, now: number): SimCase<MedicalFilingData>[] {
    const today = this.beijingDay(now);
    return this.cases().filter((o) => {
      const until = o.flags['validUntil'];
      return (
        o.idNumber === idNumber &&
        o.data.action === 'file' &&
        o.stage === 'effective' &&
        o.flags['cancelled'] !== true &&
        !(typeof until === 'string' && until < today)
      );
    });
  }
}
