import { idCheckCharacter } from '#codes';
import type { DeathBenefitRequest, MedicalFilingRequest, PensionQualificationRequest, SscLossRequest } from './canonical.js';
import { addMonths, checkServiceRules, claimWindowCloses, isCalendarDate } from './service-rules.js';

const withCheck = (first17: string): string => `${first17}${idCheckCharacter(first17)}`;
const person = { idNumber: withCheck('51010419850101123'), name: '张三', phone: '13800138000' };
const context = { today: '2026-11-23', deathClaimWindowDays: 30 };

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    const e = error as { code: string; fields: { field: string; code: string }[] };
    return { code: e.code, fields: e.fields.map((f) => `${f.field}:${f.code}`) };
  }
  return 'accepted';
};

const filing = (over: Partial<MedicalFilingRequest>): MedicalFilingRequest => ({
  service: 'medical.filing',
  action: 'file',
  filingType: 'temporary',
  applicant: person,
  insuredRegion: '510104',
  careRegion: '500103',
  startDate: '2026-12-01',
  materials: [],
  ...over,
});

const deathClaim = (over: Partial<DeathBenefitRequest>): DeathBenefitRequest => ({
  service: 'pension.death-benefit',
  deceased: { idNumber: withCheck('51010419400101123'), name: '李四' },
  dateOfDeath: '2026-11-01',
  deathProof: { type: 'death-certificate', ref: 'SWZM-0001' },
  claimant: { ...person, role: 'legal-heir', relation: 'child' },
  insuredRegion: '510104',
  payeeAccount: { bankName: '中国工商银行', accountNumber: '6222020200112233445' },
  materials: [],
  ...over,
});

describe('service rules that span fields (形式审查)', () => {
  describe('death benefit claim window', () => {
    it('accepts a claim on the last day of the 30-day window and refuses the next day with CLAIM_WINDOW_EXPIRED', () => {
      expect(claimWindowCloses('2026-10-24', 30)).toBe('2026-11-23');
      expect(refusal(() => checkServiceRules(deathClaim({ dateOfDeath: '2026-10-24' }), context))).toBe('accepted');
      expect(refusal(() => checkServiceRules(deathClaim({ dateOfDeath: '2026-10-23' }), context))).toEqual({
        code: 'CLAIM_WINDOW_EXPIRED',
        fields: ['dateOfDeath:CLAIM_WINDOW_EXPIRED'],
      });
    });

    it('follows a configured window: 60 days accepts what 30 days refuses', () => {
      expect(refusal(() => checkServiceRules(deathClaim({ dateOfDeath: '2026-10-01' }), { ...context, deathClaimWindowDays: 60 }))).toBe('accepted');
    });

    it('refuses a death in the future, an impossible date, and a claimant who is the deceased', () => {
      expect(refusal(() => checkServiceRules(deathClaim({ dateOfDeath: '2026-11-24' }), context))).toEqual({ code: 'DATE_INVALID', fields: ['dateOfDeath:DATE_INVALID'] });
      expect(refusal(() => checkServiceRules(deathClaim({ dateOfDeath: '2026-02-30' }), context))).toEqual({ code: 'DATE_INVALID', fields: ['dateOfDeath:DATE_INVALID'] });
      const self = deathClaim({ deceased: { idNumber: person.idNumber, name: '张三' } });
      expect(refusal(() => checkServiceRules(self, context))).toEqual({ code: 'VALIDATION_FAILED', fields: ['claimant.idNumber:NOT_ALLOWED'] });
    });
  });

  describe('medical filing dates', () => {
    it('accepts a temporary filing of exactly six months and refuses a shorter one with FILING_PERIOD_TOO_SHORT', () => {
      expect(refusal(() => checkServiceRules(filing({ endDate: '2027-06-01' }), context))).toBe('accepted');
      expect(refusal(() => checkServiceRules(filing({ endDate: '2027-05-31' }), context))).toEqual({
        code: 'FILING_PERIOD_TOO_SHORT',
        fields: ['endDate:FILING_PERIOD_TOO_SHORT'],
      });
    });

    it('refuses an end date for long-term and emergency filings, and an end before the start', () => {
      for (const filingType of ['long-term-resident', 'emergency'] as const) {
        expect(refusal(() => checkServiceRules(filing({ filingType, endDate: '2027-12-31' }), context))).toEqual({
          code: 'VALIDATION_FAILED',
          fields: ['endDate:NOT_ALLOWED'],
        });
      }
      expect(refusal(() => checkServiceRules(filing({ filingType: 'long-term-resident' }), context))).toBe('accepted');
      expect(refusal(() => checkServiceRules(filing({ endDate: '2026-11-01' }), context))).toEqual({ code: 'DATE_INVALID', fields: ['endDate:DATE_INVALID'] });
    });

    it('refuses a filing reference on a new filing', () => {
      expect(refusal(() => checkServiceRules(filing({ filingType: 'emergency', filingRef: 'SC-20261101-0000000001' }), context))).toEqual({
        code: 'VALIDATION_FAILED',
        fields: ['filingRef:NOT_ALLOWED'],
      });
    });
  });

  it('refuses a loss type on an unblock', () => {
    const unblock: SscLossRequest = { service: 'ssc.loss', action: 'unblock', lossType: 'temporary', functions: ['social'], applicant: person, issuingRegion: '510104', materials: [] };
    expect(refusal(() => checkServiceRules(unblock, context))).toEqual({ code: 'VALIDATION_FAILED', fields: ['lossType:NOT_ALLOWED'] });
    const { lossType: _dropped, ...plain } = unblock;
    expect(refusal(() => checkServiceRules(plain, context))).toBe('accepted');
  });

  it('takes a qualification check for this year or last, not another', () => {
    const check = (cycleYear: number): PensionQualificationRequest => ({
      service: 'pension.qualification',
      applicant: person,
      pensionType: 'employee',
      payingRegion: '510104',
      residenceRegion: '500103',
      method: 'in-person',
      cycleYear,
      materials: [],
    });
    expect(refusal(() => checkServiceRules(check(2026), context))).toBe('accepted');
    expect(refusal(() => checkServiceRules(check(2025), context))).toBe('accepted');
    expect(refusal(() => checkServiceRules(check(2024), context))).toEqual({ code: 'VALIDATION_FAILED', fields: ['cycleYear:NOT_ALLOWED_VALUE'] });
    expect(refusal(() => checkServiceRules(check(2027), context))).toEqual({ code: 'VALIDATION_FAILED', fields: ['cycleYear:NOT_ALLOWED_VALUE'] });
  });

  it('counts months to the same day, or the last day of a shorter month', () => {
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2027-08-31', 6)).toBe('2028-02-29');
    expect(addMonths('2026-12-01', 6)).toBe('2027-06-01');
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2028-02-29')).toBe(true);
  });
});
