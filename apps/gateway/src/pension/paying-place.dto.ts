import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, IsObject, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { DATE_PATTERN, IsDivisionCode } from '#contracts';
import { GatewayError, type FieldProblem } from '#core';
import type { InsuredPerson, InsuredPlaceRecord, Sex } from '#pension';

const DATE_MESSAGE = '日期格式应为 YYYY-MM-DD (date expected as YYYY-MM-DD)';

/** One stretch of contributions at a place, both dates inclusive. */
export class InsuredPeriodDto {
  @IsDefined()
  @IsString()
  @Matches(DATE_PATTERN, { message: DATE_MESSAGE })
  from!: string;

  @IsDefined()
  @IsString()
  @Matches(DATE_PATTERN, { message: DATE_MESSAGE })
  to!: string;
}

/** A place the person was insured at (its agency's GB/T 2260 region) and the periods there. */
export class InsuredPlaceDto {
  @IsDefined()
  @IsString()
  @IsDivisionCode()
  region!: string;

  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @IsObject({ each: true })
  @Type(() => InsuredPeriodDto)
  periods!: InsuredPeriodDto[];

  /** 国办发〔2009〕66号 第五条（三）: an approved transfer (调动) is free of the age limit. */
  @IsOptional()
  @IsIn([true, false], { message: 'approvedTransfer is true or false' })
  approvedTransfer?: boolean;
}

/** Body of POST /api/v1/pension/paying-place. */
export class PayingPlaceRequestDto {
  @IsDefined()
  @IsString()
  @IsDivisionCode()
  hukouRegion!: string;

  @IsDefined()
  @IsString()
  @Matches(DATE_PATTERN, { message: DATE_MESSAGE })
  birthDate!: string;

  @IsDefined()
  @IsIn(['M', 'F'], { message: 'sex must be M or F' })
  sex!: Sex;

  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @IsObject({ each: true })
  @Type(() => InsuredPlaceDto)
  places!: InsuredPlaceDto[];
}

/**
 * What a schema cannot say: every date is a real calendar date, a period does not end before it
 * starts, and no one is insured before being born. Throws DATE_INVALID naming every field.
 */
export function toPensionInput(body: PayingPlaceRequestDto): { person: InsuredPerson; places: InsuredPlaceRecord[] } {
  const problems: FieldProblem[] = [];
  const real = (field: string, value: string): boolean => {
    const ms = Date.parse(`${value}T00:00:00Z`);
    // Date.parse may roll 02-30 over to March, or refuse it: compare the round trip.
    const ok = !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
    if (!ok) problems.push({ field, code: 'DATE_INVALID', message: '不是有效的日期 (not a real calendar date)' });
    return ok;
  };
  const birthOk = real('birthDate', body.birthDate);
  body.places.forEach((place, i) =>
    place.periods.forEach((period, j) => {
      const path = `places[${i}].periods[${j}]`;
      const fromOk = real(`${path}.from`, period.from);
      const toOk = real(`${path}.to`, period.to);
      if (fromOk && toOk && period.to < period.from) {
        problems.push({ field: `${path}.to`, code: 'DATE_INVALID', message: '结束日期早于开始日期 (to is before from)' });
      }
      if (birthOk && fromOk && period.from <= body.birthDate) {
        problems.push({ field: `${path}.from`, code: 'DATE_INVALID', message: '参保日期不晚于出生日期 (from is not after birthDate)' });
      }
    }),
  );
  if (problems.length > 0) throw new GatewayError('DATE_INVALID', { detail: `${problems.length} field(s) at fault`, fields: problems });
  return {
    person: { hukouRegion: body.hukouRegion, birthDate: body.birthDate, sex: body.sex },
    places: body.places.map((p) => ({
      region: p.region,
      periods: p.periods.map((q) => ({ from: q.from, to: q.to })),
      ...(p.approvedTransfer === undefined ? {} : { approvedTransfer: p.approvedTransfer }),
    })),
  };
}

/** Body of POST /api/v1/pension/transfer-plan: the same person and places, and the occasion. */
export class TransferPlanRequestDto extends PayingPlaceRequestDto {
  @IsDefined()
  @IsIn(['move', 'retirement'], { message: 'occasion is move (a new job elsewhere) or retirement' })
  occasion!: 'move' | 'retirement';
}
