import { IsDefined, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsFreeText } from '#contracts';

/** Where the reload is served (OperatorController); the HTTP layer gives this route FEDERATION_RELOAD_BODY_LIMIT_BYTES. */
export const FEDERATION_RELOAD_PATH = '/api/v1/operator/federation/reload';

/** The longest signed federation the reload takes (a federation of many nodes grows with nodes × agencies). */
export const MAX_SIGNED_FEDERATION_CHARS = 512 * 1024;

/** The reload route's own body limit: the document and a reason, above the intake's INTAKE_BODY_LIMIT_BYTES. */
export const FEDERATION_RELOAD_BODY_LIMIT_BYTES = MAX_SIGNED_FEDERATION_CHARS + 16 * 1024;

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
  @IsFreeText()
  reason!: string;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_SIGNED_FEDERATION_CHARS)
  @Matches(/^\s*[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\s*$/, { message: 'signedFederation must be a compact JWS (three base64url parts)' })
  signedFederation?: string;
}
