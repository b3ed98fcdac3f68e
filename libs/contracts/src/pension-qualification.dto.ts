import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsInt, IsObject, IsString, Max, Min, ValidateNested } from 'class-validator';
import {
  PENSION_TYPES,
  QUALIFICATION_METHODS,
  type PensionQualificationRequest,
  type PensionType,
  type QualificationMethod,
} from './canonical.js';
import { IsDivisionCode } from './code-validators.js';
import { ApplicantDto, MaterialRefDto } from './common.dto.js';

/** Window intake body for 待遇资格认证 assisted by the residence region (`pension.qualification`), v1. */
export class PensionQualificationRequestDto implements PensionQualificationRequest {
  @IsDefined()
  @IsIn(['pension.qualification'])
  service!: 'pension.qualification';

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ApplicantDto)
  applicant!: ApplicantDto;

  @IsDefined()
  @IsIn(PENSION_TYPES, { message: `pensionType must be one of ${PENSION_TYPES.join(', ')}` })
  pensionType!: PensionType;

  @IsDefined()
  @IsString()
  @IsDivisionCode()
  payingRegion!: string;

  @IsDefined()
  @IsString()
  @IsDivisionCode()
  residenceRegion!: string;

  @IsDefined()
  @IsIn(QUALIFICATION_METHODS, { message: `method must be one of ${QUALIFICATION_METHODS.join(', ')}` })
  method!: QualificationMethod;

  @IsDefined()
  @IsInt()
  @Min(2000)
  @Max(2100)
  cycleYear!: number;

  @IsDefined()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MaterialRefDto)
  materials!: MaterialRefDto[];
}
