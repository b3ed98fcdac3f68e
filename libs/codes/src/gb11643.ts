/**
 * GB 11643-1999 citizen identification numbers (公民身份号码): 6-digit address code of first
 * registration, 8-digit birth date, 3-digit sequence (odd for men), 1 check character.
 * The social-security number equals this number (社会保险法 第五十八条).
 */
export type IdNumberResult =
  | {
      readonly ok: true;
      /** Upper-case X. */
      readonly normalized: string;
      readonly birthDate: string;
      readonly sex: 'M' | 'F';
      /** Address code of first registration: NOT where the person is insured now. */
      readonly registrationRegion: string;
    }
  | { readonly ok: false; readonly reason: 'LENGTH' | 'CHARSET' | 'BIRTH_DATE' | 'CHECK_DIGIT' };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK = '10X98765432';

/**
 * The check character of the first 17 characters (ISO 7064 MOD 11-2).
 *
 * @example idCheckCharacter('44052418800101001') // '4'
 */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/**
 * Checks an 18-character ID number. 15-digit numbers (issued before 1999) are refused with
 * LENGTH: they carry no check character, and social-security records use the 18-digit form.
 * Birth dates before 1900 are valid (the standard's own example is born in 1880).
 *
 * @example checkIdNumber('440524188001010014') // { ok: true, birthDate: '1880-01-01', sex: 'M', ... }
 */
export function checkIdNumber(raw: string, options: { today?: Date } = {}): IdNumberResult {
  const id = raw.trim().toUpperCase();
  if (id.length !== 18) return { ok: false, reason: 'LENGTH' };
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, reason: 'CHARSET' };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  const real = birth.getUTCFullYear() === y && birth.getUTCMonth() === m - 1 && birth.getUTCDate() === d;
  const today = options.today ?? new Date();
  if (!real || y < 1800 || birth.getTime() > today.getTime()) return { ok: false, reason: 'BIRTH_DATE' };
  if (idCheckCharacter(id) !== id[17]) return { ok: false, reason: 'CHECK_DIGIT' };
  return {
    ok: true,
    normalized: id,
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    sex: Number(id[16]) % 2 === 1 ? 'M' : 'F',
    registrationRegion: id.slice(0, 6),
  };
}

/**
 * Masks all but the last four characters, for screens and receipts.
 *
 * @example maskIdNumber('44052418800101001X') // '**************001X'
 */
export function maskIdNumber(id: string): string {
  return id.length <= 4 ? id : `${'*'.repeat(id.length - 4)}${id.slice(-4)}`;
}
