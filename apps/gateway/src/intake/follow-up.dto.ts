import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { IsFreeText, MaterialRefDto, trim } from '#contracts';

/** Body of `POST /api/v1/applications/{caseId}/withdrawal`. */
export class WithdrawalRequestDto {
  @IsDefined()
  @IsString()
  @Transform(trim)
  @MinLength(1, { message: '请填写撤回原因 (give the reason for the withdrawal)' })
  @MaxLength(400)
  @IsFreeText()
  reason!: string;
}

/** Body of `POST /api/v1/applications/{caseId}/supplements`: the material the handling side asked for. */
export class SupplementRequestDto {
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1, { message: '至少提交一份补正材料 (supply at least one document)' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MaterialRefDto)
  materials!: MaterialRefDto[];

  @IsOptional()
  @IsString()
  @MaxLength(400)
  @IsFreeText()
  note?: string;
}
