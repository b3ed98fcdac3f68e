import { plainToInstance, Type, type ClassConstructor } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsBoolean,
  IsRFC3339,
  ArrayMinSize,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  registerDecorator,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { CASE_NUMBER_PATTERN, NODE_CODES, type NodeCode } from '#core';
import {
  AGENCY_STAGES,
  CASE_STAGES,
  REJECTION_REASONS,
  type AgencyCode,
  type AgencyStage,
  type CaseRoute,
  type CaseStage,
  type CaseSupplement,
  type CaseWithdrawal,
  type ForwardedRequest,
  type RejectionReason,
  type ServiceCode,
  type ServiceRequest,
  type StageDetail,
  type StatusUpdate,
} from './canonical.js';
import type { AgencyStatusReport } from './agency-link.js';
import { IsFreeText, IsPlainText } from './code-validators.js';
import { DATE_PATTERN, MaterialRefDto } from './common.dto.js';
import { PERSONAL_PATHS, splitPersonal } from './personal-data.js';
import { COMPACT_JWE_PATTERN, ContactLetterDto, InformationSheetDto } from './pension-transfer.dto.js';

const AGENCY_PATTERN = /^(SC|CQ)\.[a-z-]+$/;
const DECIMAL_PATTERN = /^-?\d{1,13}(\.\d{1,2})?$/;

export class AcceptingWindowDto {
  @IsDefined() @IsString() @MaxLength(64) @IsPlainText() id!: string;
  @IsDefined() @IsString() @MaxLength(200) @IsPlainText() name!: string;
  @IsDefined() @Matches(/^\d{6}$/) region!: string;
}

export class CaseRouteDto implements CaseRoute {
  @IsDefined() @IsIn(NODE_CODES) node!: NodeCode;
  @IsDefined() @Matches(AGENCY_PATTERN) agency!: AgencyCode;
  @IsDefined() @Matches(/^\d{6}$/) region!: string;
  @IsDefined() @IsBoolean() regionHistoric!: boolean;
}

/** What every forwarded request carries besides the service's own request. */
export abstract class ForwardedRequestBaseDto {
  @IsDefined() @Matches(CASE_NUMBER_PATTERN) caseId!: string;
  service!: ServiceCode;
  @IsDefined() @IsRFC3339() acceptedAt!: string;
  @IsDefined() @IsIn(NODE_CODES) acceptingNode!: NodeCode;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => AcceptingWindowDto) acceptingWindow!: AcceptingWindowDto;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => CaseRouteDto) route!: CaseRouteDto;
}

/**
 * The contract class of `<service>.request` v1: the forwarded request with that service's
 * request inside. One class per service, made from the service's request class.
 *
 * @example const SscApplyForwardedDto = forwardedRequestDto('ssc.apply', SscApplyRequestDto);
 */
export function forwardedRequestDto<R extends ServiceRequest>(code: ServiceCode, requestDto: ClassConstructor<R>): ClassConstructor<ForwardedRequest> {
  class ForwardedRequestDto extends ForwardedRequestBaseDto implements ForwardedRequest {
    // A `<code>.request` carries that service and no other.
    @IsDefined() @IsIn([code]) declare service: ServiceCode;
    @IsDefined() @IsObject() @ValidateNested() @Type(() => requestDto) request!: R;
  }
  Object.defineProperty(ForwardedRequestDto, 'name', { value: `${requestDto.name.replace(/RequestDto$/, '')}ForwardedDto` });
  return ForwardedRequestDto;
}

/**
 * `request` of a version 2 forwarded request: the open part of the service's request. Every field
 * present must be valid; the personal ones are absent (they are sealed) and are checked by the
 * agency's adapter once it has opened them. Reported as CONTRACT_INVALID.
 */
function IsOpenPartOf(code: ServiceCode, requestDto: ClassConstructor<object>): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'OPEN_PART_INVALID',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          // Personal fields travel sealed only: one in clear here is refused, never passed on.
          if (Object.keys(splitPersonal({ ...(value), service: code } as ServiceRequest).personal).length > 0) return false;
          const instance = plainToInstance(requestDto, value, { enableImplicitConversion: false });
          const errors = validateSync(instance, { forbidUnknownValues: true });
          return errors.every((e) => onlyMissingPersonal(e, '', PERSONAL_PATHS[code]));
        },
        defaultMessage: () => 'the open part of the request does not match its contract',
      },
    });
}

/** Whether a validation error only says that a personal field (sealed, so absent here) is missing. */
function onlyMissingPersonal(error: ValidationError, prefix: string, personal: readonly string[]): boolean {
  const path = prefix === '' ? error.property : `${prefix}.${/^\d+$/.test(error.property) ? '*' : error.property}`;
  const constraints = Object.keys(error.constraints ?? {});
  if (constraints.length > 0 && !(personal.includes(path) && error.value === undefined)) return false;
  return (error.children ?? []).every((child) => onlyMissingPersonal(child, path, personal));
}

/** `sealed`: agency code → compact JWE, at least one. */
function IsSealedMap(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'SEALED_MAP_INVALID',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.keys(value).length > 0 &&
          Object.entries(value).every(([agency, jwe]) => AGENCY_PATTERN.test(agency) && typeof jwe === 'string' && jwe.length < 65_536 && COMPACT_JWE_PATTERN.test(jwe)),
        defaultMessage: () => 'sealed maps agency codes to compact JWEs',
      },
    });
}

/**
 * The contract class of `<service>.request` v2: the forwarded request with the open part of the
 * service's request and its personal fields sealed for the agencies (ForwardedRequest.sealed).
 *
 * @example const SscApplySealedDto = sealedForwardedRequestDto('ssc.apply', SscApplyRequestDto);
 */
export function sealedForwardedRequestDto<R extends ServiceRequest>(code: ServiceCode, requestDto: ClassConstructor<R>): ClassConstructor<ForwardedRequest> {
  class SealedForwardedRequestDto extends ForwardedRequestBaseDto implements ForwardedRequest {
    @IsDefined() @IsIn([code]) declare service: ServiceCode;
    @IsDefined() @IsOpenPartOf(code, requestDto) request!: R;
    @IsDefined() @IsSealedMap() sealed!: Record<string, string>;
  }
  Object.defineProperty(SealedForwardedRequestDto, 'name', { value: `${requestDto.name.replace(/RequestDto$/, '')}SealedForwardedDto` });
  return SealedForwardedRequestDto;
}

export class ReasonDto {
  @IsDefined() @IsIn(REJECTION_REASONS) code!: RejectionReason;
  @IsDefined() @IsString() @MaxLength(400) @IsFreeText() message!: string;
}

export class SheetProblemDto {
  @IsDefined() @IsString() @MaxLength(64) @IsPlainText() code!: string;
  @IsDefined() @IsString() @MaxLength(100) @IsPlainText() field!: string;
  @IsOptional() @IsString() @MaxLength(40) @IsPlainText() expected?: string;
  @IsOptional() @IsString() @MaxLength(40) @IsPlainText() stated?: string;
}

export class StageDetailDto implements StageDetail {
  @IsOptional() @IsString() @MaxLength(40) @IsPlainText() waybill?: string;
  @IsOptional() @IsString() @MaxLength(64) @IsPlainText() agencyRef?: string;
  @IsOptional() @Matches(DATE_PATTERN) validUntil?: string;
  @IsOptional() @IsObject() @IsDecimalAmounts() amounts?: Record<string, string>;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(64, { each: true }) @IsPlainText({ each: true }) requestedMaterials?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(64, { each: true }) @IsPlainText({ each: true }) suppliedMaterials?: string[];
  @IsOptional() @IsInt() @Min(1) conversation?: number;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => SheetProblemDto) sheetProblems?: SheetProblemDto[];
}

/** `amounts` holds exact decimal strings of yuan only, never numbers. Reported as NOT_A_DECIMAL. */
function IsDecimalAmounts(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'NOT_A_DECIMAL',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value === 'object' && value !== null && amountsAreDecimal(value as Record<string, unknown>),
        defaultMessage: () => 'amounts are exact decimal strings of yuan, e.g. "1234.56"',
      },
    });
}

/** Whether every value of a detail's `amounts` is an exact decimal string of yuan ("1234.56"). */
export function amountsAreDecimal(amounts: Readonly<Record<string, unknown>> | undefined): boolean {
  return amounts === undefined || Object.values(amounts).every((v) => typeof v === 'string' && DECIMAL_PATTERN.test(v));
}

/** Body of `status-update` v1. */
export class StatusUpdateDto implements StatusUpdate {
  @IsDefined() @Matches(CASE_NUMBER_PATTERN) caseId!: string;
  @IsDefined() @IsInt() @Min(1) seq!: number;
  @IsDefined() @IsIn(CASE_STAGES) stage!: CaseStage;
  @IsDefined() @IsRFC3339() at!: string;
  @IsDefined() @IsIn(NODE_CODES) side!: NodeCode;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ReasonDto) reason?: ReasonDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => StageDetailDto) detail?: StageDetailDto;
}

/** Body of `case.withdrawal` v1: the accepting window withdraws a case not yet decided. */
export class CaseWithdrawalDto implements CaseWithdrawal {
  @IsDefined() @Matches(CASE_NUMBER_PATTERN) caseId!: string;
  @IsDefined() @IsRFC3339() requestedAt!: string;
  @IsDefined() @IsString() @MinLength(1) @MaxLength(400) @IsFreeText() reason!: string;
}

/** Body of `case.supplement` v1: the material the handling side asked for (补正). */
export class CaseSupplementDto implements CaseSupplement {
  @IsDefined() @Matches(CASE_NUMBER_PATTERN) caseId!: string;
  @IsDefined() @IsRFC3339() suppliedAt!: string;
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => MaterialRefDto) materials!: MaterialRefDto[];
  @IsOptional() @IsString() @MaxLength(400) @IsFreeText() note?: string;
}

/** What an agency adapter reports over the agency link (AGENCY_STATUS). */
export class TransferDocumentDto {
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ContactLetterDto) contactLetter?: ContactLetterDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => InformationSheetDto) informationSheet?: InformationSheetDto;
}

export class AgencyStatusReportDto implements AgencyStatusReport {
  @IsDefined() @IsString() @MaxLength(100) @IsPlainText() eventId!: string;
  @IsOptional() @IsInt() @Min(1) conversation?: number;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => TransferDocumentDto) document?: TransferDocumentDto;
  @IsDefined() @Matches(AGENCY_PATTERN) agency!: AgencyCode;
  @IsDefined() @Matches(CASE_NUMBER_PATTERN) caseId!: string;
  @IsDefined() @IsIn(AGENCY_STAGES) stage!: AgencyStage;
  @IsDefined() @IsRFC3339() at!: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ReasonDto) reason?: ReasonDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => StageDetailDto) detail?: StageDetailDto;
}
