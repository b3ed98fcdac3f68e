/**
 * Which province pays the pension later (国办发〔2009〕66号, 《城镇企业职工基本养老保险关系转移接续暂行办法》
 * 第六条; restated by 人社部规〔2016〕5号 第一条), four rules in order:
 * 1. the insurance relation is at the hukou place → the hukou place;
 * 2. it is elsewhere, and the person has ≥ 10 years of contributions there → that place;
 * 3. it is elsewhere with < 10 years there → the last earlier place with ≥ 10 years;
 * 4. no place has ≥ 10 years → the hukou place (relation and funds gathered there).
 *
 * A "place" is a province (the 办法 第五条（一）: 户籍所在地 "指省、自治区、直辖市"): two regions of
 * one province are the same place and their months add up ("累计缴费年限"). Moves inside one
 * province follow that province's own rules and are not decided here.
 */
export interface InsuredPlace {
  /** Region code of the place (its pension insurance agency's area), GB/T 2260. */
  readonly region: string;
  /** Cumulative contribution months at this place. */
  readonly months: number;
}

export interface PayingPlaceInput {
  readonly hukouRegion: string;
  /**
   * Every place that held the person's basic pension insurance relation, oldest first; the last
   * one holds the relation now. (Temporary contribution accounts are not such places: see
   * temporary-account.ts.)
   */
  readonly places: readonly InsuredPlace[];
}

export type PayingRule = 1 | 2 | 3 | 4;

export interface PayingPlace {
  readonly region: string;
  readonly rule: PayingRule;
  /** Chinese explanation a window can read out. */
  readonly explanation: string;
  /** The same in English, for logs and non-Chinese readers. */
  readonly explanationEn: string;
}

/** Ten years of contributions, in months (第六条 "累计缴费年限满10年"). */
export const TEN_YEARS_MONTHS = 120;

/**
 * The province part of a GB/T 2260 region code (its first two digits).
 *
 * @example provinceOf('500103') // '50'
 */
export function provinceOf(region: string): string {
  return region.slice(0, 2);
}

/**
 * @example
 *   decidePayingPlace({ hukouRegion: '510104', places: [{ region: '500103', months: 130 }] })
 *   // { region: '500103', rule: 2, ... }
 */
export function decidePayingPlace(input: PayingPlaceInput): PayingPlace {
  const current = input.places.at(-1);
  const hukouProvince = provinceOf(input.hukouRegion);
  if (!current || provinceOf(current.region) === hukouProvince) {
    return {
      region: current?.region ?? input.hukouRegion,
      rule: 1,
      explanation: '基本养老保险关系在户籍所在地，由户籍所在地负责办理待遇领取手续',
      explanationEn: 'The pension insurance relation is at the hukou place, which pays the pension.',
    };
  }
  // 累计: every stay in one province counts, not only the last one.
  const monthsIn = (province: string): number =>
    input.places.filter((p) => provinceOf(p.region) === province).reduce((sum, p) => sum + p.months, 0);
  const currentProvince = provinceOf(current.region);
  if (monthsIn(currentProvince) >= TEN_YEARS_MONTHS) {
    return {
      region: current.region,
      rule: 2,
      explanation: '关系不在户籍地，但在现参保地累计缴费满10年，由现参保地办理',
      explanationEn: 'The relation is away from the hukou place, with 10 or more years of contributions where it is now: that place pays.',
    };
  }
  const earlier = input.places
    .slice(0, -1)
    .filter((p) => provinceOf(p.region) !== currentProvince && monthsIn(provinceOf(p.region)) >= TEN_YEARS_MONTHS)
    .at(-1);
  if (earlier) {
    return {
      region: earlier.region,
      rule: 3,
      explanation: '现参保地缴费不满10年，转回上一个缴费满10年的原参保地办理',
      explanationEn: 'Less than 10 years where the relation is now: it goes back to the last earlier place with 10 or more years, which pays.',
    };
  }
  return {
    region: input.hukouRegion,
    rule: 4,
    explanation: '各参保地缴费均不满10年，关系及资金归集到户籍所在地办理',
    explanationEn: 'No place has 10 years of contributions: the relation and funds are gathered at the hukou place, which pays.',
  };
}
