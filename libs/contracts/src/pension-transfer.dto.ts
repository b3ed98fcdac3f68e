import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsRFC3339,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CASE_NUMBER_PATTERN, NODE_CODES, type NodeCode } from '#core';
import {
  REJECTION_REASONS,
  TRANSFER_INSURANCE_TYPES,
  type AgencyCode,
  type ContactLetter,
  type PensionTransferRequest,
  type RejectionReason,
  type SheetPeriod,
  type TransferContactLetterMessage,
  type TransferInformationSheet,
  type TransferInsuranceType,
  type TransferOutPlace,
  type TransferReplyMessage,
} from './canonical.js';
import { IsCreditCode, IsDivisionCode, IsFreeText, IsPlainText } from './code-validators.js';
import { ApplicantDto, DATE_PATTERN, MaterialRefDto, trim } from './common.dto.js';

const AGENCY_PATTERN = /^(SC|CQ)\.[a-z-]+$/;
/** An exact amount of yuan: digits with at most two decimals (never a binary float). */
const AMOUNT_PATTERN = /^\d{1,12}(\.\d{1,2})?$/;
const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
/** A compact JWE: five base64url parts (RFC 7516 §7.1). */
export const COMPACT_JWE_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class TransferOutPlaceDto implements TransferOutPlace {
  @IsDefined()
  @IsString()
  @IsDivisionCode()
  region!: string;

  @IsDefined()
  @IsString()
  @Transform(trim)
  @MinLength(2)
  @MaxLength(100)
  @IsPlainText()
  agencyName!: string;

  @IsOptional()
  @IsString()
  @IsCreditCode()
  agencyCreditCode?: string;

  @IsDefined()
  @IsString()
  @Matches(/^[A-Za-z0-9]{4,30}$/, { message: '个人编号为 4–30 位字母或数字 (personNumber is 4–30 letters or digits)' })
  personNumber!: string;

  @IsOptional()
  @IsBoolean()
  temporaryAccount?: boolean;
}

/**
 * Window intake body for 养老保险关系转移接续 (`pension.transfer`), contract version 1: accepted
 * in the transfer-in province; each transfer-out place becomes its own conversation.
 */
export class PensionTransferRequestDto implements PensionTransferRequest {
  @IsDefined()
  @IsIn(['pension.transfer'])
  service!: 'pension.transfer';

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ApplicantDto)
  applicant!: ApplicantDto;

  @IsDefined()
  @IsIn(TRANSFER_INSURANCE_TYPES, { message: `insuranceType must be one of ${TRANSFER_INSURANCE_TYPES.join(', ')}` })
  insuranceType!: TransferInsuranceType;

  @IsDefined()
  @IsString()
  @IsDivisionCode()
  transferInRegion!: string;

  @IsDefined()
  @IsArray()
  @ArrayMinSize(1, { message: '至少填写一个转出地 (name at least one transfer-out place)' })
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => TransferOutPlaceDto)
  transferOut!: TransferOutPlaceDto[];

  @IsDefined()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{4,64}$/, { message: '参保缴费凭证编号为 4–64 位字母、数字、- 或 _ (contributionCertificateRef)' })
  contributionCertificateRef!: string;

  @IsDefined()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MaterialRefDto)
  materials!: MaterialRefDto[];
}

export class FundAccountDto {
  @IsDefined() @IsString() @MinLength(2) @MaxLength(60) @IsPlainText() bankName!: string;
  @IsDefined() @IsString() @MinLength(2) @MaxLength(100) @IsPlainText() accountName!: string;
  @IsDefined() @Matches(/^\d{12,30}$/) accountNumber!: string;
}

export class ContactLetterDto implements ContactLetter {
  @IsDefined() @Matches(/^[A-Za-z0-9-]{4,40}$/) letterNo!: string;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => FundAccountDto) fundAccount!: FundAccountDto;
  @IsDefined() @Matches(DATE_PATTERN) issuedOn!: string;
}

export class SheetPeriodDto implements SheetPeriod {
  @IsDefined() @Matches(MONTH_PATTERN) from!: string;
  @IsDefined() @Matches(MONTH_PATTERN) to!: string;
  @IsDefined() @Matches(AMOUNT_PATTERN) monthlyBase!: string;
  @IsDefined() @IsInt() @Min(1) months!: number;
}

export class RemittanceDto {
  @IsDefined() @Matches(/^[A-Za-z0-9-]{4,40}$/) ref!: string;
  @IsDefined() @Matches(DATE_PATTERN) remittedOn!: string;
}

/**
 * The information sheet as a contract: each field's form. Whether its sums add up is checked by
 * libs/pension (checkInformationSheet) before the transfer-out node sends it, and again on receipt.
 */
export class InformationSheetDto implements TransferInformationSheet {
  @IsDefined() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => SheetPeriodDto) periods!: SheetPeriodDto[];
  @IsDefined() @Matches(AMOUNT_PATTERN) personalAccountBalance!: string;
  @IsDefined() @Matches(AMOUNT_PATTERN) personalTransfer!: string;
  @IsDefined() @Matches(AMOUNT_PATTERN) pooledTransfer!: string;
  @IsDefined() @Matches(AMOUNT_PATTERN) totalTransfer!: string;
  @IsDefined() @Matches(DATE_PATTERN) relationEndedOn!: string;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => RemittanceDto) remittance!: RemittanceDto;
}

export class TransferInSideDto {
  @IsDefined() @IsIn(NODE_CODES) node!: NodeCode;
  @IsDefined() @Matches(AGENCY_PATTERN) agency!: AgencyCode;
  @IsDefined() @Matches(/^\d{6}$/) region!: string;
}

/** The transfer-out place inside a contact letter; its person number travels sealed in version 2 senders' letters. */
export class TransferOutSideDto {
  @IsDefined() @IsString() @IsDivisionCode() region!: string;
  @IsDefined() @IsString() @MinLength(2) @MaxLength(100) @IsPlainText() agencyName!: string;
  @IsOptional() @IsString() @IsCreditCode() agencyCreditCode?: string;
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9]{4,30}$/) personNumber?: string;
  @IsOptional() @IsBoolean() temporaryAccount?: boolean;
  @IsDefined() @Matches(AGENCY_PATTERN) agency!: AgencyCode;
}

export class TransferReasonDto {
  @IsDefined() @IsIn(REJECTION_REASONS) code!: RejectionReason;
  @IsDefined() @IsString() @MaxLength(400) @IsFreeText() message!: string;
}

/** Body of `pension.transfer.contact-letter` v1 (transfer-in node → transfer-out node). */
export class TransferContactLetterDto implements TransferContactLetterMessage {
  @IsDefined() @Matches(CASE_NUMBER_PATTERN) caseId!: string;
  @IsDefined() @IsInt() @Min(1) conversation!: number;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => TransferInSideDto) transferIn!: TransferInSideDto;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => TransferOutSideDto) transferOut!: TransferOutSideDto;
  @ValidateIf((o: TransferContactLetterDto) => o.sealed === undefined)
  @IsDefined({ message: 'the applicant comes in clear or sealed' })
  @IsObject()
  @ValidateNested()
  @Type(() => ApplicantDto)
  applicant?: ApplicantDto;
  @IsOptional() @Matches(COMPACT_JWE_PATTERN) sealed?: string;
  @IsDefined() @IsIn(TRANSFER_INSURANCE_TYPES) insuranceType!: TransferInsuranceType;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ContactLetterDto) letter!: ContactLetterDto;
}

/** Body of `pension.transfer.reply` v1 (transfer-out node → transfer-in node). */
export class TransferReplyDto implements TransferReplyMessage {
  @IsDefined() @Matches(CASE_NUMBER_PATTERN) caseId!: string;
  @IsDefined() @IsInt() @Min(1) conversation!: number;
  @IsDefined() @IsIn(['information-sheet', 'refused']) outcome!: 'information-sheet' | 'refused';
  @IsDefined() @IsRFC3339() at!: string;
  @ValidateIf((o: TransferReplyDto) => o.outcome === 'information-sheet' || o.sheet !== undefined)
  @IsDefined({ message: 'an information-sheet reply carries the sheet' })
  @IsObject()
  @ValidateNested()
  @Type(() => InformationSheetDto)
  sheet?: InformationSheetDto;
  @ValidateIf((o: TransferReplyDto) => o.outcome === 'refused' || o.reason !== undefined)
  @IsDefined({ message: 'a refusal carries its reason' })
  @IsObject()
  @ValidateNested()
  @Type(() => TransferReasonDto)
  reason?: TransferReasonDto;
}
