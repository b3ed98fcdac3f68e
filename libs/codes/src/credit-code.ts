/**
 * GB 32100-2015 unified social credit codes (统一社会信用代码) of organisations, such as the
 * agencies a case is handed to: 18 characters from a 31-character set (digits and upper-case
 * letters without I, O, S, V, Z), the last a check character.
 */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** GB 32100-2015 §5.2: Wi = 3^(i-1) mod 31. */
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/**
 * The check character of the first 17 characters, or undefined when one is outside the set.
 *
 * @example creditCodeCheckCharacter('91350100M000100Y4') // '3'
 */
export function creditCodeCheckCharacter(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const value = CHARSET.indexOf(first17[i]);
    if (value < 0) return undefined;
    sum += value * WEIGHTS[i];
  }
  // C18 = 31 − (Σ mod 31); a result of 31 is written as 0.
  return CHARSET[(31 - (sum % 31)) % 31];
}

/**
 * Whether a string is a unified social credit code with a correct check character. Upper case
 * only, as the standard writes it.
 *
 * @example checkCreditCode('91350100M000100Y43') // true: the standard's own example
 * @example checkCreditCode('91350100M000100Y44') // false
 */
export function checkCreditCode(code: string): boolean {
  return SHAPE.test(code) && creditCodeCheckCharacter(code.slice(0, 17)) === code[17];
}
