import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CASE_NUMBER_PATTERN, NODE_CODES, type NodeCode } from '#core';
import {
  AGENCY_STAGES,
  CASE_STAGES,
  REJECTION_REASONS,
  SERVICE_CODES,
  type AgencyStage,
  type CaseRoute,
  type CaseStage,
  type ForwardedRequest,
  type RejectionReason,
  type ServiceCode,
  type StatusUpdate,
  type AgencyCode,
} from './canonical.js';
import type { AgencyStatusReport } from './agency-link.js';
import { SscApplyRequestDto } from './ssc-apply.dto.js';

export class AcceptingWindowDto {
  @IsDefined() @IsString() @MaxLength(64) id!: string;
  @IsDefined() @IsString() @MaxLength(200) name!: string;
  @IsDefined() @Matches(/^\d{6}$/) region!: string;
}

export class CaseRouteDto implements CaseRoute {
  @IsDefined() @IsIn(NODE_CODES) node!: NodeCode;
  @IsDefined() @Matches(/^(SC|CQ)\.[a-z-]+$/) agency!: AgencyCode;
  @IsDefined() @Matches(/^\d{6}$/) region!: string;
  @IsDefined() regionHistoric!: boolean;
}

/** Body of `ssc.apply.request` v1, the forwarded request between nodes. */
export class ForwardedRequestDto implements ForwardedRequest {
  @IsDefined() @Matches(CASE_NUMBER_PATTERN) caseId!: string;
  @IsDefined() @IsIn(SERVICE_CODES) service!: ServiceCode;
  @IsDefined() @IsISO8601({ strict: true }) acceptedAt!: string;
  @IsDefined() @IsIn(NODE_CODES) acceptingNode!: NodeCode;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => AcceptingWindowDto) acceptingWindow!: AcceptingWindowDto;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => CaseRouteDto) route!: CaseRouteDto;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => SscApplyRequestDto) request!: SscApplyRequestDto;
}

export class ReasonDto {
  @IsDefined() @IsIn(REJECTION_REASONS) code!: RejectionReason;
  @IsDefined() @IsString() @MaxLength(400) message!: string;
}

export class StageDetailDto {
  @IsOptional() @IsString() @MaxLength(40) waybill?: string;
  @IsOptional() @IsString() @MaxLength(64) agencyRef?: string;
}

/** Body of `status-update` v1. */
export class StatusUpdateDto implements StatusUpdate {
  @IsDefined() @Matches(CASE_NUMBER_PATTERN) caseId!: string;
  @IsDefined() @IsInt() @Min(1) seq!: number;
  @IsDefined() @IsIn(CASE_STAGES) stage!: CaseStage;
  @IsDefined() @IsISO8601({ strict: true }) at!: string;
  @IsDefined() @IsIn(NODE_CODES) side!: NodeCode;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ReasonDto) reason?: ReasonDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => StageDetailDto) detail?: StageDetailDto;
}

/** What an agency adapter reports over the agency link (AGENCY_STATUS). */
export class AgencyStatusReportDto implements AgencyStatusReport {
  @IsDefined() @IsString() @MaxLength(100) eventId!: string;
  @IsDefined() @Matches(/^(SC|CQ)\.[a-z-]+$/) agency!: AgencyCode;
  @IsDefined() @Matches(CASE_NUMBER_PATTERN) caseId!: string;
  @IsDefined() @IsIn(AGENCY_STAGES) stage!: AgencyStage;
  @IsDefined() @IsISO8601({ strict: true }) at!: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ReasonDto) reason?: ReasonDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => StageDetailDto) detail?: StageDetailDto;
}
