import { checkCreditCode, isCardIdentificationCode } from './gb32100.js';

describe('GB 32100 unified social credit codes', () => {
  it('accepts the standard’s example and refuses a changed character', () => {
    expect(checkCreditCode('91350100M000100Y43')).toBe(true);
    expect(checkCreditCode('91350100M000100Y44')).toBe(false);
    expect(checkCreditCode('91350100M000100Y4')).toBe(false);
    expect(checkCreditCode('91350100M000100I43')).toBe(false); // I is not in the character set
  });

  it('recognises a card identification code by its area code and D156', () => {
    expect(isCardIdentificationCode('510100D156000005004330C31FE2A8A4')).toBe(true);
    expect(isCardIdentificationCode('510100D157000005004330C31FE2A8A4')).toBe(false);
  });
});
