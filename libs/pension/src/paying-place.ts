/**
 * Which province pays the pension later (国办发〔2009〕66号 第六条), four rules in order:
 * 1. the insurance relation is at the hukou place → the hukou place;
 * 2. it is elsewhere, and the person has ≥ 10 years of contributions there → that place;
 * 3. it is elsewhere with < 10 years there → the last earlier place with ≥ 10 years;
 * 4. no place has ≥ 10 years → the hukou place (relation and funds gathered there).
 */
export interface InsuredPlace {
  /** Region code of the place (its pension insurance agency's area). */
  readonly region: string;
  /** Cumulative contribution months at this place. */
  readonly months: number;
}

export interface PayingPlaceInput {
  readonly hukouRegion: string;
  /** Every place the person was insured, oldest first; the last one holds the relation now. */
  readonly places: readonly InsuredPlace[];
}

export interface PayingPlace {
  readonly region: string;
  readonly rule: 1 | 2 | 3 | 4;
  /** Chinese explanation a window can read out. */
  readonly explanation: string;
}

const TEN_YEARS = 120;

/**
 * @example
 *   decidePayingPlace({ hukouRegion: '510104', places: [{ region: '500103', months: 130 }] })
 *   // { region: '500103', rule: 2, ... }
 */
export function decidePayingPlace(input: PayingPlaceInput): PayingPlace {
  const current = input.places.at(-1);
  if (!current || current.region === input.hukouRegion) {
    return { region: input.hukouRegion, rule: 1, explanation: '基本养老保险关系在户籍所在地，由户籍所在地负责办理待遇领取手续' };
  }
  if (current.months >= TEN_YEARS) {
    return { region: current.region, rule: 2, explanation: '关系不在户籍地，但在现参保地累计缴费满10年，由现参保地办理' };
  }
  const earlier = input.places.slice(0, -1).filter((p) => p.months >= TEN_YEARS).at(-1);
  if (earlier) {
    return { region: earlier.region, rule: 3, explanation: '现参保地缴费不满10年，转回上一个缴费满10年的原参保地办理' };
  }
  return { region: input.hukouRegion, rule: 4, explanation: '各参保地缴费均不满10年，关系及资金归集到户籍所在地办理' };
}
