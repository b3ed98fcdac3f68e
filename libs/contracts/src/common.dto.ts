import { Transform } from 'class-transformer';
import { IsDefined, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsDivisionCode, IsIdNumber, IsPlainText } from './code-validators.js';

/** Field-level DTOs every service request shares. */

export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/**
 * Upper-cases without trimming: the schema allows a lower-case x as the check character, and
 * refuses blanks, which IsIdNumber therefore refuses too (ID_NUMBER_INVALID) rather than trims.
 */
export const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

/** A calendar date, YYYY-MM-DD (Asia/Shanghai). */
export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** A mobile or landline number in China. */
export const PHONE_PATTERN = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;

/** A person by GB 11643 ID number and name (a deceased person in a death benefit claim). */
export class PersonDto {
  @IsDefined()
  @IsString()
  @Transform(upper)
  @IsIdNumber()
  idNumber!: string;

  @IsDefined()
  @IsString()
  @Transform(trim)
  @MinLength(1)
  @MaxLength(50)
  @IsPlainText()
  name!: string;
}

/** A person who can be reached: an applicant or a claimant. */
export class ApplicantDto extends PersonDto {
  @IsDefined()
  @IsString()
  @Matches(PHONE_PATTERN, { message: '联系电话格式不正确 (mobile or landline number expected)' })
  phone!: string;
}

export class DeliveryAddressDto {
  @IsDefined()
  @IsString()
  @IsDivisionCode()
  region!: string;

  @IsDefined()
  @IsString()
  @Transform(trim)
  @MinLength(4)
  @MaxLength(200)
  @IsPlainText()
  line!: string;

  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: '邮政编码应为 6 位数字 (postcode is 6 digits)' })
  postcode?: string;
}

export class MaterialRefDto {
  @IsDefined()
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{1,39}$/, { message: 'material type is a lower-case slug' })
  type!: string;

  @IsDefined()
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 is 64 lower-case hex characters' })
  sha256!: string;
}

