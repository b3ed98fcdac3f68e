import { isCardIdentificationCode, isCardNumber } from './ssc-card.js';

describe('social-security card identifiers', () => {
  it('recognises a card identification code by its area code, D156 and 32 hex characters', () => {
    expect(isCardIdentificationCode('510100D156000005004330C31FE2A8A4')).toBe(true);
    expect(isCardIdentificationCode('500000d156000005004330c31fe2a8a4')).toBe(true);
  });

  it('refuses a wrong country part, a non-numeric area code, a wrong length or non-hex characters', () => {
    expect(isCardIdentificationCode('510100D157000005004330C31FE2A8A4')).toBe(false);
    expect(isCardIdentificationCode('51010AD156000005004330C31FE2A8A4')).toBe(false);
    expect(isCardIdentificationCode('510100D156000005004330C31FE2A8A')).toBe(false);
    expect(isCardIdentificationCode('510100D156000005004330C31FE2A8AG')).toBe(false);
  });

  it('recognises a 9-character card number', () => {
    expect(isCardNumber('A12345678')).toBe(true);
    expect(isCardNumber('A1234567')).toBe(false);
    expect(isCardNumber('a12345678')).toBe(false);
  });
});
