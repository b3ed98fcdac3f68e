import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsObject, IsString, Matches, ValidateNested } from 'class-validator';
import { SSC_APPLY_KINDS, type SscApplyKind, type SscApplyRequest } from './canonical.js';
import { IsDivisionCode } from './code-validators.js';
import { ApplicantDto, DeliveryAddressDto, MaterialRefDto } from './common.dto.js';

export { ApplicantDto, DeliveryAddressDto, MaterialRefDto } from './common.dto.js';

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
