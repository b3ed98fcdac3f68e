import { IsDefined, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/**
 * Body of POST /api/v1/operator/federation/reload: why (kept in the audit trail) and, optionally,
 * the new federation as the authority signed it (a compact JWS); without it, the node reads the
 * document placed at its FEDERATION_FILE.
 */
export class FederationReloadRequestDto {
  @IsDefined()
  @IsString()
  @MinLength(3)
  @MaxLength(400)
  reason!: string;

  @IsOptional()
  @IsString()
  @MaxLength(512 * 1024)
  @Matches(/^\s*[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\s*$/, { message: 'signedFederation must be a compact JWS (three base64url parts)' })
  signedFederation?: string;
}
