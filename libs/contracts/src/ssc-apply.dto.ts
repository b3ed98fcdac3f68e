import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { SSC_APPLY_KINDS, type SscApplyKind, type SscApplyRequest } from './canonical.js';
import { IsDivisionCode, IsIdNumber } from './code-validators.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

export class ApplicantDto {
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
  name!: string;

  @IsDefined()
  @IsString()
  @Matches(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, { message: '联系电话格式不正确 (mobile or landline number expected)' })
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

/** Window intake body for 社保卡 申领/补领/换领 (`ssc.apply`), contract version 1. */
export class SscApplyRequestDto implements SscApplyRequest {
  @IsDefined()
  @IsIn(['ssc.apply'])
  service!: 'ssc.apply';

  @IsDefined()
  @IsIn(SSC_APPLY_KINDS, { message: `kind must be one of ${SSC_APPLY_KINDS.join(', ')}` })
  kind!: SscApplyKind;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ApplicantDto)
  applicant!: ApplicantDto;

  @IsDefined()
  @IsString()
  @IsDivisionCode()
  issuingRegion!: string;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DeliveryAddressDto)
  deliveryAddress!: DeliveryAddressDto;

  @IsDefined()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{4,64}$/, { message: 'photoRef is 4–64 letters, digits, - or _' })
  photoRef!: string;

  @IsDefined()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MaterialRefDto)
  materials!: MaterialRefDto[];
}
