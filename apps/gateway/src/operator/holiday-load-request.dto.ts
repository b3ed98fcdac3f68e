import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

/** One day of the arrangement: a calendar date and the holiday it belongs to (春节, 国庆节调休, …). */
export class ArrangementDayDto {
  @IsDefined()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date is YYYY-MM-DD' })
  date!: string;

  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  name!: string;
}

/**
 * Body of POST /api/v1/operator/holidays: one year of the State Council's arrangement
 * (国务院办公厅关于部分节假日安排的通知) as the notice lists it, and why it is loaded (audited).
 * The node checks that it is a whole year (HOLIDAYS_INVALID names what is wrong).
 */
export class HolidayLoadRequestDto {
  @IsDefined()
  @IsString()
  @MinLength(3)
  @MaxLength(400)
  reason!: string;

  @IsDefined()
  @IsInt()
  @Min(2000)
  @Max(2099)
  year!: number;

  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  source!: string;

  @IsDefined()
  @IsArray()
  @ArrayMaxSize(60)
  @ValidateNested({ each: true })
  @Type(() => ArrangementDayDto)
  holidays!: ArrangementDayDto[];

  @IsDefined()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ArrangementDayDto)
  workingWeekends!: ArrangementDayDto[];
}

/** Body of POST /api/v1/operator/holidays/reload: HOLIDAYS_FILE is read again (audited). */
export class HolidayReloadRequestDto {
  @IsDefined()
  @IsString()
  @MinLength(3)
  @MaxLength(400)
  reason!: string;
}
