/**
 * Identifiers printed on or stored in a social-security card (社会保障卡).
 *
 * The card identification code (卡识别码) is 32 hexadecimal characters: the 6-digit code of the
 * issuing area, `D156` (156 = China in ISO 3166-1), then 22 more hex characters. The issuing area
 * is a social-insurance area code, which is not always an administrative division code, so it is
 * checked for shape only, never looked up in GB/T 2260.
 */
const CARD_IDENTIFICATION_CODE = /^\d{6}D156[0-9A-F]{22}$/i;
const CARD_NUMBER = /^[0-9A-Z]{9}$/;

/**
 * @example isCardIdentificationCode('510100D156000005004330C31FE2A8A4') // true
 * @example isCardIdentificationCode('510100D157000005004330C31FE2A8A4') // false
 */
export function isCardIdentificationCode(value: string): boolean {
  return CARD_IDENTIFICATION_CODE.test(value);
}

/**
 * A social-security card number (社会保障卡卡号): 9 characters, digits and upper-case letters.
 *
 * @example isCardNumber('A12345678') // true
 */
export function isCardNumber(value: string): boolean {
  return CARD_NUMBER.test(value);
}
