import type { RejectionReason } from '#contracts';
import { AgencySystemSimulator, type SimCase, type SimStep, type SystemOptions } from './agency-system.simulator.js';

/**
 * SIMULATOR — a stand-in for a province's social-security card centre (demo and tests only).
 * Card applications go eligibility check → in production → produced → mailed (EMS waybill) →
 * collected, or are refused; a blurry photo makes the centre ask for a new one (补正). Loss
 * reports (临时/正式挂失, social function and bank account) take effect at once; a temporary
 * report lapses after `temporaryLossDays`; an unblock (解挂) is refused once a reissue started,
 * and a reissue (补领) is refused unless a formal loss report of that person's card is in force.
 */
export type CardApplicationKind = 'new' | 'reissue' | 'replace' | 'renew';

export interface CardApplicationData {
  readonly type: 'apply';
  readonly kind: CardApplicationKind;
  readonly photoRef: string;
}

export interface CardLossData {
  readonly type: 'loss';
  readonly action: 'report' | 'unblock';
  readonly lossType?: 'temporary' | 'formal';
  readonly functions: readonly ('social' | 'bank')[];
  readonly cardNumber?: string;
}

type CardData = CardApplicationData | CardLossData;

export interface CardCentreOptions extends SystemOptions {
  /** Share of applications refused at eligibility for a random realistic reason (0..1). */
  readonly rejectRate: number;
  /** Days a temporary loss report holds (临时挂失有效期): Sichuan 5, Chongqing 10 by default. */
  readonly temporaryLossDays: number;
}

const RANDOM_REFUSALS: readonly RejectionReason[] = ['IDENTITY_MISMATCH', 'BANK_PREACCOUNT_FAILED', 'PHOTO_INVALID'];

export class CardCentreSimulator extends AgencySystemSimulator<CardData> {
  protected readonly refLetter = 'K';

  constructor(private readonly card: CardCentreOptions) {
    super(card);
  }

  /** Takes a card application; idempotent on the business key (业务协同编号). */
  apply(businessKey: string, idNumber: string, data: Omit<CardApplicationData, 'type'>): { ref: string; duplicate: boolean } {
    return this.open(businessKey, 'ssc.apply', idNumber, { type: 'apply', ...data });
  }

  /** Takes a loss report or an unblock; idempotent on the business key. */
  reportLoss(businessKey: string, idNumber: string, data: Omit<CardLossData, 'type'>): { ref: string; duplicate: boolean } {
    return this.open(businessKey, 'ssc.loss', idNumber, { type: 'loss', ...data });
  }

  protected first(c: SimCase<CardData>, now: number): SimStep {
    const data = c.data;
    if (data.type === 'apply') return { stage: 'eligibility-check' };
    if (data.action === 'report') {
      if (data.lossType !== 'temporary') return { stage: 'loss-reported' };
      const validUntil = this.addDays(this.beijingDay(now), this.card.temporaryLossDays);
      this.setFlag(c, 'validUntil', validUntil);
      return { stage: 'loss-reported', validUntil };
    }
    // 解挂: impossible once a reissue started; needs a loss report still in force.
    const reissue = this.cases().some(
      (o) => o.idNumber === c.idNumber && o.data.type === 'apply' && o.data.kind === 'reissue' && !['rejected', 'withdrawn'].includes(o.stage),
    );
    if (reissue) return { stage: 'rejected', reason: 'UNBLOCK_AFTER_REISSUE' };
    const active = this.cases().filter(
      (o) =>
        o !== c &&
        o.idNumber === c.idNumber &&
        o.data.type === 'loss' &&
        o.data.action === 'report' &&
        o.stage === 'loss-reported' &&
        o.flags['lifted'] !== true &&
        o.data.functions.some((f) => data.functions.includes(f)),
    );
    if (active.length === 0) return { stage: 'rejected', reason: 'NO_ACTIVE_LOSS_REPORT' };
    for (const o of active) this.setFlag(o, 'lifted', true);
    return { stage: 'unblocked' };
  }

  protected next(c: SimCase<CardData>, now: number): SimStep | undefined {
    const data = c.data;
    if (data.type === 'loss') {
      const until = c.flags['validUntil'];
      const lapsed = typeof until === 'string' && this.beijingDay(now) > until;
      return c.stage === 'loss-reported' && lapsed && c.flags['lifted'] !== true ? { stage: 'loss-expired' } : undefined;
    }
    if (c.stage === 'eligibility-check') {
      // A blurry photo cannot be judged: ask for a new one once (补正), then judge.
      if (data.photoRef.startsWith('PHOTO-BLURRY') && c.supplied.length === 0) {
        return { stage: 'supplement-requested', reason: 'MATERIAL_ILLEGIBLE', requestedMaterials: ['photo'] };
      }
      const refusal = this.refusalFor(c, data);
      return refusal ? { stage: 'rejected', reason: refusal } : { stage: 'in-production' };
    }
    if (c.stage === 'in-production') {
      return this.random() < this.card.rejectRate / 5 ? { stage: 'rejected', reason: 'PRODUCTION_FAILED' } : { stage: 'produced' };
    }
    if (c.stage === 'produced') return { stage: 'mailed', waybill: this.waybill() };
    if (c.stage === 'mailed') return { stage: 'collected' };
    return undefined;
  }

  protected resume(): SimStep {
    return { stage: 'eligibility-check' };
  }

  private refusalFor(c: SimCase<CardData>, data: CardApplicationData): RejectionReason | undefined {
    if (this.notInsured(c.idNumber)) return 'NOT_INSURED_AT_REGION';
    // 补领 replaces a lost card: the centre issues it only while a formal (正式) loss report of
    // that person's card is in force, so that the old card can never be used again. A temporary
    // report, a lapsed one or one lifted by an unblock does not count.
    if (data.kind === 'reissue' && !this.formalLossInForce(c.idNumber)) return 'REISSUE_WITHOUT_LOSS_REPORT';
    if (data.photoRef.startsWith('PHOTO-INVALID')) return 'PHOTO_INVALID';
    const inProduction = this.cases().some(
      (o) => o !== c && o.idNumber === c.idNumber && o.data.type === 'apply' && (o.stage === 'in-production' || o.stage === 'produced'),
    );
    if (inProduction) return 'CARD_ALREADY_IN_PRODUCTION';
    if (this.random() < this.card.rejectRate) return RANDOM_REFUSALS[Math.floor(this.random() * RANDOM_REFUSALS.length)];
    return undefined;
  }

  /** Whether this person's card stands formally reported lost (正式挂失, in force, not lifted). */
  private formalLossInForce(idNumber: string): boolean {
    return this.cases().some(
      (o) =>
        o.idNumber === idNumber &&
        o.data.type === 'loss' &&
        o.data.action === 'report' &&
        o.data.lossType === 'formal' &&
        o.stage === 'loss-reported' &&
        o.flags['lifted'] !== true,
    );
  }

  private addDays(day: string, days: number): string {
    return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  }

  /** EMS-style 13-character waybill number. */
  private waybill(): string {
    return `1100${String(Math.floor(this.random() * 1e9)).padStart(9, '0')}`;
  }
}
