import { IsDefined, IsString, MaxLength, MinLength } from 'class-validator';
import { IsFreeText } from '#contracts';

/** Body of POST /api/v1/operator/keys/rotate: why the operator rotates (kept in the audit trail). */
export class RotateRequestDto {
  @IsDefined()
  @IsString()
  @MinLength(3)
  @MaxLength(400)
  @IsFreeText()
  reason!: string;
}
