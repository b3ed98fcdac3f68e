import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CARD_FUNCTIONS,
  LOSS_TYPES,
  SSC_LOSS_ACTIONS,
  type CardFunction,
  type LossType,
  type SscLossAction,
  type SscLossRequest,
} from './canonical.js';
import { IsDivisionCode } from './code-validators.js';
import { ApplicantDto, MaterialRefDto } from './common.dto.js';

/** Window intake body for 社保卡 挂失/解挂 (`ssc.loss`), contract version 1. */
export class SscLossRequestDto implements SscLossRequest {
  @IsDefined()
  @IsIn(['ssc.loss'])
  service!: 'ssc.loss';

  @IsDefined()
  @IsIn(SSC_LOSS_ACTIONS, { message: `action must be one of ${SSC_LOSS_ACTIONS.join(', ')}` })
  action!: SscLossAction;

  /** 临时 or 正式挂失: required to report a loss; refused for an unblock (service-rules.ts). */
  @ValidateIf((o: SscLossRequestDto) => o.action === 'report' || o.lossType !== undefined)
  @IsDefined({ message: '挂失须注明临时挂失或正式挂失 (lossType is required to report a loss)' })
  @IsIn(LOSS_TYPES, { message: `lossType must be one of ${LOSS_TYPES.join(', ')}` })
  lossType?: LossType;

  @IsDefined()
  @IsArray()
  @ArrayMinSize(1, { message: '至少选择社保功能或金融账户之一 (name at least one card function)' })
  @ArrayMaxSize(2)
  @ArrayUnique()
  @IsIn(CARD_FUNCTIONS, { each: true, message: `functions are ${CARD_FUNCTIONS.join(', ')}` })
  functions!: CardFunction[];

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ApplicantDto)
  applicant!: ApplicantDto;

  @IsDefined()
  @IsString()
  @IsDivisionCode()
  issuingRegion!: string;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Z0-9]{9}$/, { message: '社保卡卡号为 9 位字母或数字 (the card number is 9 characters)' })
  cardNumber?: string;

  @IsDefined()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MaterialRefDto)
  materials!: MaterialRefDto[];
}
