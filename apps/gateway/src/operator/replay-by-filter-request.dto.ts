import { Equals, IsBoolean, IsDefined, IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsFreeText } from '#contracts';

const TOKEN = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Body of POST /api/v1/operator/messages/replay-by-filter: which dead letters (every field given
 * must match) and why. At least one filter field, or `all: true` to say on purpose "every dead
 * letter of this node" (checked by the service: a body with neither is refused).
 */
export class ReplayByFilterRequestDto {
  @IsOptional()
  @IsString()
  @Matches(TOKEN)
  destination?: string;

  /** The dead reason, e.g. RETRIES_EXHAUSTED. */
  @IsOptional()
  @IsString()
  @Matches(TOKEN)
  deadReason?: string;

  @IsOptional()
  @IsString()
  @Matches(TOKEN)
  messageType?: string;

  /** Only dead letters of messages created before this instant (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  createdBefore?: string;

  @IsOptional()
  @IsBoolean()
  @Equals(true)
  all?: boolean;

  @IsDefined()
  @IsString()
  @MinLength(3)
  @MaxLength(400)
  @IsFreeText()
  reason!: string;
}
