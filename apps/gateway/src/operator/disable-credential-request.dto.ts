import { IsDefined, IsString, MaxLength, MinLength } from 'class-validator';

/** Body of POST /api/v1/operator/credentials/{credentialId}/disable: why (kept with the credential and in the audit trail). */
export class DisableCredentialRequestDto {
  @IsDefined()
  @IsString()
  @MinLength(3)
  @MaxLength(400)
  reason!: string;
}
