import { CASE_STAGES, type CaseStage } from './canonical.js';
import { assertTransition, canMove, canWithdraw, isNoteStage } from './case-state-machine.js';
import { SERVICE_CATALOGUE, statusAt } from './service-catalogue.js';

const walks = (service: string, path: readonly CaseStage[]) => {
  for (let i = 1; i < path.length; i += 1) {
    expect({ from: path[i - 1], to: path[i], ok: canMove(service, path[i - 1], path[i]) }).toEqual({ from: path[i - 1], to: path[i], ok: true });
  }
};
const refused = (service: string, from: CaseStage, to: CaseStage) =>
  expect(() => assertTransition(service, from, to)).toThrow(expect.objectContaining({ code: 'CASE_TRANSITION_INVALID' }));

describe('case state machine', () => {
  it('walks the card path from receipt to collection', () => {
    walks('ssc.apply', ['submitted', 'forwarded', 'received', 'agency-received', 'eligibility-check', 'in-production', 'produced', 'mailed', 'collected']);
    expect(statusAt('ssc.apply', 'collected')).toBe('completed');
  });

  it('refuses to move a finished card case or to skip production with CASE_TRANSITION_INVALID', () => {
    refused('ssc.apply', 'collected', 'in-production');
    refused('ssc.apply', 'rejected', 'produced');
    refused('ssc.apply', 'eligibility-check', 'mailed');
    refused('ssc.apply', 'produced', 'rejected');
  });

  it('walks each other service to its end', () => {
    walks('ssc.loss', ['received', 'agency-received', 'loss-reported', 'loss-expired']);
    walks('ssc.loss', ['received', 'agency-received', 'unblocked']);
    walks('medical.filing', ['received', 'agency-received', 'filed', 'effective']);
    walks('medical.filing', ['received', 'agency-received', 'effective']); // an emergency counts as filed
    walks('medical.filing', ['received', 'agency-received', 'cancelled']);
    walks('pension.qualification', ['received', 'agency-received', 'authentication-failed', 'payment-suspended']);
    walks('pension.qualification', ['received', 'agency-received', 'authenticated', 'payment-resumed']);
    walks('pension.death-benefit', ['received', 'agency-received', 'accepted', 'in-review', 'approved', 'relation-ended', 'benefit-paid']);
    expect(statusAt('pension.death-benefit', 'benefit-paid')).toBe('completed');
    expect(statusAt('pension.death-benefit', 'not-accepted')).toBe('rejected');
    expect(statusAt('pension.qualification', 'authentication-failed')).toBe('in-progress');
  });

  it("refuses another service's stages: a card is not filed, a filing is not mailed", () => {
    refused('ssc.apply', 'agency-received', 'filed');
    refused('medical.filing', 'filed', 'mailed');
    refused('pension.death-benefit', 'accepted', 'relation-ended');
    refused('ssc.loss', 'unblocked', 'loss-expired');
  });

  it('pauses for a supplement and resumes the review only through supplement-supplied', () => {
    walks('pension.death-benefit', ['accepted', 'supplement-requested', 'supplement-supplied', 'in-review', 'approved']);
    walks('ssc.apply', ['eligibility-check', 'supplement-requested', 'supplement-supplied', 'in-production']);
    refused('pension.death-benefit', 'supplement-requested', 'approved');
    refused('ssc.apply', 'in-production', 'supplement-requested');
  });

  it('lets a window withdraw only while the handling side has not decided', () => {
    expect(canWithdraw('pension.death-benefit', 'in-review')).toBe(true);
    expect(canWithdraw('pension.death-benefit', 'approved')).toBe(false);
    expect(canWithdraw('ssc.apply', 'eligibility-check')).toBe(true);
    expect(canWithdraw('ssc.apply', 'in-production')).toBe(false);
    walks('ssc.apply', ['eligibility-check', 'withdrawn']);
    refused('ssc.apply', 'in-production', 'withdrawn');
    expect(statusAt('ssc.apply', 'withdrawn')).toBe('withdrawn');
  });

  it('records withdrawal requests and refusals as notes that leave the stage as it was', () => {
    expect(isNoteStage('withdrawal-requested')).toBe(true);
    expect(isNoteStage('withdrawal-refused')).toBe(true);
    expect(isNoteStage('withdrawn')).toBe(false);
    expect(canMove('ssc.apply', 'in-production', 'withdrawal-refused')).toBe(true);
    expect(canMove('ssc.apply', 'collected', 'withdrawal-requested')).toBe(false);
  });

  it('lets nothing but a refused-withdrawal note out of a terminal stage', () => {
    for (const service of Object.keys(SERVICE_CATALOGUE)) {
      for (const terminal of ['rejected', 'withdrawn'] as const) {
        for (const to of CASE_STAGES) {
          expect({ service, terminal, to, ok: canMove(service, terminal, to) }).toEqual({ service, terminal, to, ok: to === 'withdrawal-refused' });
        }
      }
    }
  });

  it('knows no transitions for a service it does not carry', () => {
    expect(canMove('no.such-service', 'submitted', 'received')).toBe(false);
  });
});
