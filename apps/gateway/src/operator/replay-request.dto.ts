import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { IsFreeText } from '#contracts';

/** Body of POST /api/v1/operator/messages/replay. */
export class ReplayRequestDto {
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  messageIds!: string[];

  @IsDefined()
  @IsString()
  @MinLength(3)
  @MaxLength(400)
  @IsFreeText()
  reason!: string;
}
