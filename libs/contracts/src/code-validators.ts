import { registerDecorator, type ValidationOptions } from 'class-validator';
import { checkCreditCode, checkIdNumber, lookupDivision } from '#codes';

/** The published form of an ID number: 17 digits and a check character, nothing around them. */
const ID_NUMBER_FORM = /^\d{17}[\dXx]$/;

/**
 * A GB 11643 citizen ID number (check digit, birth date), exactly as the schema publishes it: a
 * blank anywhere is refused, not trimmed, so what is sealed is what the window sent. Reported as
 * ID_NUMBER_INVALID.
 */
export function IsIdNumber(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'ID_NUMBER_INVALID',
      target: target.constructor,
      propertyName: propertyName as string,
      ...(options ? { options } : {}),
      validator: {
        // checkIdNumber forgives blanks around the number (it also reads typed-in queries): test the form first.
        validate: (value: unknown) => typeof value === 'string' && ID_NUMBER_FORM.test(value) && checkIdNumber(value).ok,
        defaultMessage: () => '身份证号码不符合 GB 11643 (citizen ID number fails the GB 11643 check)',
      },
    });
}

/** A GB/T 2260 division code, current or historic. Reported as REGION_UNKNOWN. */
export function IsDivisionCode(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'REGION_UNKNOWN',
      target: target.constructor,
      propertyName: propertyName as string,
      ...(options ? { options } : {}),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && /^\d{6}$/.test(value) && lookupDivision(value) !== undefined,
        defaultMessage: () => '行政区划代码未知 (not a known GB/T 2260 division code)',
      },
    });
}

/** A GB 32100 unified social credit code (check character). Reported as CREDIT_CODE_INVALID. */
export function IsCreditCode(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'CREDIT_CODE_INVALID',
      target: target.constructor,
      propertyName: propertyName as string,
      ...(options ? { options } : {}),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && checkCreditCode(value),
        defaultMessage: () => '统一社会信用代码不符合 GB 32100 (unified social credit code fails the GB 32100 check)',
      },
    });
}

/**
 * Characters no name, address or agency name holds: C0 controls (U+0000–U+001F), DEL and C1
 * controls (U+007F–U+009F), the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069: they make text read differently from how it is stored, a known spoofing trick),
 * U+FFFD (what the body parser makes of bytes that are not UTF-8) and lone surrogates (the `u`
 * flag reads a well-formed pair as one astral character, which names may hold, e.g. 𠀾).
 * Published as the `pattern` of these fields in contracts/schemas.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's purpose
export const PLAIN_TEXT_REFUSED = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd\ud800-\udfff]/u;

/**
 * The same for free text (reasons, notes, messages), which may break lines: tab, line feed and
 * carriage return are allowed, as in XML 1.0's Char production; every other character above is not.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's purpose
export const FREE_TEXT_REFUSED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd\ud800-\udfff]/u;

function textDecorator(refused: RegExp, options: ValidationOptions | undefined): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'TEXT_CHARACTERS_INVALID',
      target: target.constructor,
      propertyName: propertyName as string,
      ...(options ? { options } : {}),
      validator: {
        // One regex test per field (class-validator's cost per request is measurable, docs/development.md).
        // A non-string is IsString's to report.
        validate: (value: unknown) => typeof value !== 'string' || !refused.test(value),
        defaultMessage: () => '含有控制字符、替换字符或双向控制字符 (holds a control, replacement or bidirectional-override character)',
      },
    });
}

/**
 * A one-line text (a name, an address line, an agency or bank name): refuses every character of
 * PLAIN_TEXT_REFUSED. Reported as TEXT_CHARACTERS_INVALID.
 *
 * @example class PersonDto { @IsString() @IsPlainText() name!: string }
 */
export function IsPlainText(options?: ValidationOptions): PropertyDecorator {
  return textDecorator(PLAIN_TEXT_REFUSED, options);
}

/**
 * A free text that may span lines (a reason, a note): refuses every character of
 * FREE_TEXT_REFUSED. Reported as TEXT_CHARACTERS_INVALID.
 *
 * @example class WithdrawalRequestDto { @IsString() @IsFreeText() reason!: string }
 */
export function IsFreeText(options?: ValidationOptions): PropertyDecorator {
  return textDecorator(FREE_TEXT_REFUSED, options);
}
