import { registerDecorator, type ValidationOptions } from 'class-validator';
import { checkCreditCode, checkIdNumber, lookupDivision } from '#codes';

/** A GB 11643 citizen ID number (check digit, birth date). Reported as ID_NUMBER_INVALID. */
export function IsIdNumber(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'ID_NUMBER_INVALID',
      target: target.constructor,
      propertyName: propertyName as string,
      ...(options ? { options } : {}),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && checkIdNumber(value).ok,
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
