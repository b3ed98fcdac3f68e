import { checkCreditCode, creditCodeCheckCharacter } from './credit-code.js';

describe('GB 32100 unified social credit codes', () => {
  it('accepts the standard’s own example 91350100M000100Y43', () => {
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(checkCreditCode('91350100M000100Y43')).toBe(true);
  });

  it('refuses a changed check character or a changed body character', () => {
    expect(checkCreditCode('91350100M000100Y44')).toBe(false);
    expect(checkCreditCode('91350100M000101Y43')).toBe(false);
  });

  it('writes a check value of 31 as 0', () => {
    // an all-zero body sums to 0: 31 − 0 = 31, which the standard writes as 0
    const body = '00000000000000000';
    expect(creditCodeCheckCharacter(body)).toBe('0');
    expect(checkCreditCode(`${body}0`)).toBe(true);
  });

  it('refuses characters outside the 31-character set, lower case and wrong lengths', () => {
    expect(checkCreditCode('91350100M000100I43')).toBe(false); // I is not in the set
    expect(checkCreditCode('91350100m000100y43')).toBe(false);
    expect(checkCreditCode('91350100M000100Y4')).toBe(false);
    expect(creditCodeCheckCharacter('91350100M00010OY4')).toBeUndefined(); // letter O
  });
});
