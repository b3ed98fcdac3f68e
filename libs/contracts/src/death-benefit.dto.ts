import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  CLAIMANT_RELATIONS,
  CLAIMANT_ROLES,
  DEATH_PROOF_TYPES,
  type ClaimantRelation,
  type ClaimantRole,
  type DeathBenefitRequest,
  type DeathProofType,
} from './canonical.js';
import { IsDivisionCode, IsPlainText } from './code-validators.js';
import { ApplicantDto, DATE_PATTERN, MaterialRefDto, PersonDto, trim } from './common.dto.js';

/** The deceased: ID number and name, no contact. */
export class DeceasedDto extends PersonDto {}

export class DeathProofDto {
  @IsDefined()
  @IsIn(DEATH_PROOF_TYPES, { message: `deathProof.type must be one of ${DEATH_PROOF_TYPES.join(', ')}` })
  type!: DeathProofType;

  @IsDefined()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{4,64}$/, { message: '证明编号为 4–64 位字母、数字、- 或 _ (ref is 4–64 letters, digits, - or _)' })
  ref!: string;
}

export class ClaimantDto extends ApplicantDto {
  @IsDefined()
  @IsIn(CLAIMANT_ROLES, { message: `claimant.role must be one of ${CLAIMANT_ROLES.join(', ')}` })
  role!: ClaimantRole;

  @IsDefined()
  @IsIn(CLAIMANT_RELATIONS, { message: `claimant.relation must be one of ${CLAIMANT_RELATIONS.join(', ')}` })
  relation!: ClaimantRelation;
}

export class PayeeAccountDto {
  @IsDefined()
  @IsString()
  @Transform(trim)
  @MinLength(2)
  @MaxLength(60)
  @IsPlainText()
  bankName!: string;

  @IsDefined()
  @IsString()
  @Matches(/^\d{12,30}$/, { message: '银行账号为 12–30 位数字 (the account number is 12–30 digits)' })
  accountNumber!: string;
}

/**
 * Window intake body for 城乡居保 死亡待遇申领 (`pension.death-benefit`), contract version 1. The
 * claim window (30 days from death unless configured otherwise) is in service-rules.ts.
 */
export class DeathBenefitRequestDto implements DeathBenefitRequest {
  @IsDefined()
  @IsIn(['pension.death-benefit'])
  service!: 'pension.death-benefit';

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DeceasedDto)
  deceased!: DeceasedDto;

  @IsDefined()
  @IsString()
  @Matches(DATE_PATTERN, { message: '死亡日期格式为 YYYY-MM-DD (dateOfDeath is YYYY-MM-DD)' })
  dateOfDeath!: string;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DeathProofDto)
  deathProof!: DeathProofDto;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ClaimantDto)
  claimant!: ClaimantDto;

  @IsDefined()
  @IsString()
  @IsDivisionCode()
  insuredRegion!: string;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PayeeAccountDto)
  payeeAccount!: PayeeAccountDto;

  @IsDefined()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MaterialRefDto)
  materials!: MaterialRefDto[];
}
