import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsObject, IsString, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { CASE_NUMBER_PATTERN } from '#core';
import {
  MEDICAL_FILING_ACTIONS,
  MEDICAL_FILING_TYPES,
  type MedicalFilingAction,
  type MedicalFilingRequest,
  type MedicalFilingType,
} from './canonical.js';
import { IsDivisionCode } from './code-validators.js';
import { ApplicantDto, DATE_PATTERN, MaterialRefDto } from './common.dto.js';

/**
 * Window intake body for 异地就医备案 (`medical.filing`), contract version 1: file, change or
 * cancel. The date rules that span fields (no end for long-term, at least six months for a
 * temporary filing) are in service-rules.ts.
 */
export class MedicalFilingRequestDto implements MedicalFilingRequest {
  @IsDefined()
  @IsIn(['medical.filing'])
  service!: 'medical.filing';

  @IsDefined()
  @IsIn(MEDICAL_FILING_ACTIONS, { message: `action must be one of ${MEDICAL_FILING_ACTIONS.join(', ')}` })
  action!: MedicalFilingAction;

  @IsDefined()
  @IsIn(MEDICAL_FILING_TYPES, { message: `filingType must be one of ${MEDICAL_FILING_TYPES.join(', ')}` })
  filingType!: MedicalFilingType;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ApplicantDto)
  applicant!: ApplicantDto;

  @IsDefined()
  @IsString()
  @IsDivisionCode()
  insuredRegion!: string;

  @IsDefined()
  @IsString()
  @IsDivisionCode()
  careRegion!: string;

  @IsDefined()
  @IsString()
  @Matches(DATE_PATTERN, { message: '开始日期格式为 YYYY-MM-DD (startDate is YYYY-MM-DD)' })
  startDate!: string;

  @ValidateIf((o: MedicalFilingRequestDto) => o.endDate !== undefined)
  @IsString()
  @Matches(DATE_PATTERN, { message: '结束日期格式为 YYYY-MM-DD (endDate is YYYY-MM-DD)' })
  endDate?: string;

  @ValidateIf((o: MedicalFilingRequestDto) => o.action !== 'file' || o.filingRef !== undefined)
  @IsDefined({ message: '变更或取消备案须填写原备案的业务协同编号 (filingRef names the filing to change or cancel)' })
  @IsString()
  @Matches(CASE_NUMBER_PATTERN, { message: 'filingRef is a case number, e.g. SC-20261123-7K3F9ZQ2M8' })
  filingRef?: string;

  @IsDefined()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MaterialRefDto)
  materials!: MaterialRefDto[];
}
