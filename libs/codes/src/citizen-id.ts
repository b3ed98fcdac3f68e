import { GatewayError, shanghaiDate } from '#core';

/**
 * GB 11643-1999 citizen identification numbers (公民身份号码): a 6-digit address code of first
 * registration, an 8-digit birth date, a 3-digit sequence (odd for men, even for women) and one
 * check character. The social-security number equals this number (社会保险法 第五十八条).
 */

/** Why a number was refused, in the order the checks run. */
export type IdNumberProblem = 'LENGTH' | 'CHARSET' | 'BIRTH_DATE' | 'CHECK_DIGIT';

export type IdNumberResult =
  | {
      readonly ok: true;
      /** The number with an upper-case X check character. */
      readonly normalized: string;
      /** YYYY-MM-DD. */
      readonly birthDate: string;
      readonly sex: 'M' | 'F';
      /**
       * Address code of FIRST registration. It never changes when the person moves, so it says
       * nothing about where they are insured: never route by it.
       */
      readonly registrationRegion: string;
    }
  | { readonly ok: false; readonly reason: IdNumberProblem };

export interface CheckIdNumberOptions {
  /** The day against which "born in the future" is judged; pass `clock.now()`. */
  readonly today?: Date;
}

/** GB 11643-1999 §6.2: weights Wi = 2^(i-1) mod 11 for positions 18..2 (ISO 7064 MOD 11-2). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** The check character indexed by the weighted sum mod 11. */
const CHECK_CHARACTERS = '10X98765432';
/**
 * No living person was born before this year. A floor below it only turns a typo (0985 for
 * 1985) into a false accept; 1900 would be too high: the standard's own example is born in 1880.
 */
const EARLIEST_BIRTH_YEAR = 1800;

/**
 * The check character of the first 17 digits of an ID number.
 *
 * @example idCheckCharacter('44052418800101001') // '4'
 * @example idCheckCharacter('11010519491231002') // 'X'
 */
export function idCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    // A programming error of the caller; the value itself stays out of the error (personal data).
    throw new GatewayError('ID_NUMBER_INVALID', { detail: 'idCheckCharacter needs exactly 17 digits' });
  }
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/**
 * Checks an 18-character ID number: length, characters, birth date, check character.
 * A lower-case x is accepted and normalised to X; surrounding blanks are ignored.
 *
 * 15-digit numbers (the pre-1999 form, on first-generation cards) are refused with LENGTH: they
 * have no check character and only a 2-digit year, first-generation cards stopped being valid on
 * 1 January 2013, and every current card carries the 18-character form, so the window asks the
 * applicant for that one instead of the gateway guessing the century.
 *
 * `today` defaults to the moment of the call; services pass their injected clock's `now()` so
 * tests can freeze it.
 *
 * @example checkIdNumber('440524188001010014', { today: clock.now() })
 *   // { ok: true, normalized: '440524188001010014', birthDate: '1880-01-01', sex: 'M', registrationRegion: '440524' }
 * @example checkIdNumber('440524188001010015') // { ok: false, reason: 'CHECK_DIGIT' }
 */
export function checkIdNumber(raw: string, { today = new Date() }: CheckIdNumberOptions = {}): IdNumberResult {
  const id = raw.trim().toUpperCase();
  if (id.length !== 18) return { ok: false, reason: 'LENGTH' };
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, reason: 'CHARSET' };
  const birthDate = birthDateOf(id);
  if (birthDate === undefined || birthDate > shanghaiDate(today.getTime())) return { ok: false, reason: 'BIRTH_DATE' };
  if (idCheckCharacter(id.slice(0, 17)) !== id[17]) return { ok: false, reason: 'CHECK_DIGIT' };
  return {
    ok: true,
    normalized: id,
    birthDate,
    sex: Number(id[16]) % 2 === 1 ? 'M' : 'F',
    registrationRegion: id.slice(0, 6),
  };
}

/**
 * Masks all but the last four characters, for screens, receipts and logs.
 *
 * @example maskIdNumber('11010519491231002X') // '**************002X'
 */
export function maskIdNumber(id: string): string {
  return id.length <= 4 ? id : `${'*'.repeat(id.length - 4)}${id.slice(-4)}`;
}

/** The birth date (YYYY-MM-DD) in positions 7–14, or undefined when no such day exists. */
function birthDateOf(id: string): string | undefined {
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  if (year < EARLIEST_BIRTH_YEAR) return undefined;
  // Date.UTC rolls 30 February over to March: a real day survives the round trip unchanged.
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}` : undefined;
}
