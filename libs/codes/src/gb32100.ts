/**
 * GB 32100-2015 unified social credit codes (统一社会信用代码) of organisations such as agencies:
 * 18 characters from a 31-character set (no I, O, S, V, Z); the last is a check character.
 */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * @example checkCreditCode('91350100M000100Y43') // true
 */
export function checkCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += CHARSET.indexOf(code[i]!) * WEIGHTS[i]!;
  const check = (31 - (sum % 31)) % 31; // a result of 31 becomes 0
  return CHARSET[check] === code[17];
}

/**
 * A social-security card identification code: 32 hex characters, the 6-digit issuing area
 * code, then `D156` (China), then the rest.
 *
 * @example isCardIdentificationCode('510100D156000005004330C31FE2A8A4') // true
 */
export function isCardIdentificationCode(value: string): boolean {
  return /^\d{6}D156[0-9A-F]{22}$/i.test(value);
}

/** A social-security card number: 9 characters (letters and digits). */
export function isCardNumber(value: string): boolean {
  return /^[A-Z0-9]{9}$/.test(value);
}
