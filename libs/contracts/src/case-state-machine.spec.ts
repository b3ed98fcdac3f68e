import { CASE_STAGES } from './canonical.js';
import { assertTransition, canMove } from './case-state-machine.js';

describe('case state machine', () => {
  it('walks the card path from receipt to collection', () => {
    const path = ['received', 'agency-received', 'eligibility-check', 'in-production', 'produced', 'mailed', 'collected'] as const;
    for (let i = 1; i < path.length; i += 1) expect(canMove(path[i - 1], path[i])).toBe(true);
  });

  it('refuses to move a finished case or to skip production with CASE_TRANSITION_INVALID', () => {
    expect(() => assertTransition('collected', 'in-production')).toThrow(expect.objectContaining({ code: 'CASE_TRANSITION_INVALID' }));
    expect(() => assertTransition('rejected', 'produced')).toThrow(expect.objectContaining({ code: 'CASE_TRANSITION_INVALID' }));
    expect(() => assertTransition('eligibility-check', 'mailed')).toThrow(expect.objectContaining({ code: 'CASE_TRANSITION_INVALID' }));
    expect(() => assertTransition('produced', 'rejected')).toThrow(expect.objectContaining({ code: 'CASE_TRANSITION_INVALID' }));
  });

  it('lets nothing out of a terminal stage', () => {
    for (const to of CASE_STAGES) {
      expect(canMove('collected', to)).toBe(false);
      expect(canMove('rejected', to)).toBe(false);
    }
  });
});
