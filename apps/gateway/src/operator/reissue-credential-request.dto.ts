import { IsDefined, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

/** Body of POST /api/v1/operator/credentials/{credentialId}/reissue. */
export class ReissueCredentialRequestDto {
  @IsDefined()
  @IsString()
  @MinLength(3)
  @MaxLength(400)
  reason!: string;

  /** Lifetime of the new secret; CREDENTIAL_TTL_DAYS when left out. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}
