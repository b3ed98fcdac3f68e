import { decidePayingPlace, provinceOf, type PayingPlace } from './paying-place.js';

/**
 * Temporary pension contribution accounts (临时基本养老保险缴费账户) and what they change for a
 * transfer (养老保险关系转移接续).
 *
 * The rule, 国办发〔2009〕66号 《城镇企业职工基本养老保险关系转移接续暂行办法》 第五条（二）: a person who
 * moves to another province and does not return to the hukou province (户籍所在地, 第五条（一）: a
 * province) keeps the basic pension insurance relation at the original place when, at the new
 * place, he is 50 or over (men) or she is 40 or over (women); the new place opens a temporary
 * contribution account recording all employer and personal contributions. When the person moves
 * on again or reaches pension conditions there, everything in the temporary account (with its
 * interest) is gathered to the original place or the paying place.
 * - 第五条（一）: back in the hukou province there is never a temporary account.
 * - 第五条（三）: a move approved by a Party organisation department or a human resources and
 *   social security department at county level or above (调动) is not bound by the age limit.
 * - 人社部发〔2010〕70号 (《城镇企业职工基本养老保险关系转移接续若干具体问题意见》): someone whose *first*
 *   enrolment anywhere is away from the hukou place at that age also gets a temporary account.
 * - The 办法 applies from 2010-01-01: a relation begun before then is not turned into a temporary
 *   account later.
 * - 人社部规〔2016〕5号: when pension conditions are reached during a temporary account, the place
 *   that kept the relation gathers the temporary accounts.
 *
 * What it changes: a temporary-account place never holds the relation, so it is never the
 * transfer-in side and never counts as a place for the paying-place rules (第六条, which look
 * at where the relation is); its months still count once gathered. The contact letter (联系函)
 * is issued by the place that keeps the relation (or, at retirement, the paying place), and each
 * temporary-account place answers with an information sheet (信息表) and the funds.
 *
 * Age is in full years (周岁) on the date of first enrolment at the place: the birthday must have
 * been reached (a 29 February birthday is reached on 1 March in other years). Moves inside one
 * province follow that province's own rules: a place in the same province as the one before it
 * continues that place's account.
 */

export type Sex = 'M' | 'F';

/** A stretch of contributions at one place; dates YYYY-MM-DD, both inclusive, `from` ≤ `to`. */
export interface InsuredPeriod {
  readonly from: string;
  readonly to: string;
}

export interface InsuredPlaceRecord {
  /** GB/T 2260 region of the pension insurance agency. */
  readonly region: string;
  readonly periods: readonly InsuredPeriod[];
  /** 第五条（三）: the move here was an approved transfer (调动), free of the age limit. */
  readonly approvedTransfer?: boolean;
}

export interface InsuredPerson {
  readonly hukouRegion: string;
  /** YYYY-MM-DD. */
  readonly birthDate: string;
  readonly sex: Sex;
}

export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

/** Why a place's account is, or is not, a temporary one. Stable codes a window can match on. */
export type AccountReason =
  | 'HUKOU_PROVINCE'
  | 'APPROVED_TRANSFER'
  | 'BEFORE_2010'
  | 'SAME_PROVINCE_AS_PREVIOUS'
  | 'BELOW_AGE_LIMIT'
  | 'AGE_LIMIT_AWAY_FROM_HUKOU';

export interface PlaceAccount {
  readonly region: string;
  /** Earliest period start at this place. */
  readonly firstEnrolled: string;
  /** Contribution months: calendar months touched by the periods, each counted once. */
  readonly months: number;
  /** Full years of age on `firstEnrolled`. */
  readonly ageAtFirstEnrolment: number;
  readonly temporary: boolean;
  readonly reason: AccountReason;
  readonly explanation: Bilingual;
}

/** 第五条（二）: 男性年满50周岁, 女性年满40周岁. */
export const TEMPORARY_ACCOUNT_AGE: Readonly<Record<Sex, number>> = { M: 50, F: 40 };
/** The 办法 applies from this date (国办发〔2009〕66号, 施行日期). */
export const MEASURES_EFFECTIVE = '2010-01-01';

const REASONS: Readonly<Record<AccountReason, Bilingual>> = {
  HUKOU_PROVINCE: { zh: '在户籍所在省参保，不建立临时缴费账户（第五条第一项）', en: 'Insured in the hukou province: never a temporary account (art. 5(1)).' },
  APPROVED_TRANSFER: { zh: '经批准调动，不受年龄限制，转入基本养老保险关系（第五条第三项）', en: 'Approved transfer: no age limit, the relation moves here (art. 5(3)).' },
  BEFORE_2010: { zh: '2010年1月1日前已在该地参保，不调整为临时缴费账户', en: 'Insured here before 2010-01-01: not turned into a temporary account.' },
  SAME_PROVINCE_AS_PREVIOUS: { zh: '与上一参保地同省，延续原账户（省内流动按本省规定）', en: 'Same province as the place before: that account continues (moves inside a province follow its own rules).' },
  BELOW_AGE_LIMIT: { zh: '在该地参保时男未满50周岁、女未满40周岁，建立基本养老保险关系', en: 'Under 50 (men) or 40 (women) when insured here: the relation is set up here.' },
  AGE_LIMIT_AWAY_FROM_HUKOU: {
    zh: '非户籍地参保时男年满50周岁或女年满40周岁，建立临时基本养老保险缴费账户，关系保留在原参保地（第五条第二项）',
    en: 'Insured away from the hukou province at 50+ (men) or 40+ (women): a temporary contribution account; the relation stays where it was (art. 5(2)).',
  },
};

/**
 * Full years of age on a date (周岁): the birthday must have been reached.
 *
 * @example ageOn('1970-06-20', '2020-06-19') // 49
 * @example ageOn('1970-06-20', '2020-06-20') // 50
 */
export function ageOn(birthDate: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  // MM-DD strings compare in calendar order; 02-29 is reached on 03-01 in other years.
  return date.slice(5) >= birthDate.slice(5) ? years : years - 1;
}

/**
 * Classifies every insured place as a regular account (it held the relation) or a temporary
 * contribution account, oldest first enrolment first (the input order does not matter).
 *
 * @example
 *   classifyInsuredPlaces(
 *     { hukouRegion: '510104', birthDate: '1965-03-01', sex: 'M' },
 *     [
 *       { region: '510104', periods: [{ from: '1995-01-01', to: '2015-12-31' }] },
 *       { region: '500103', periods: [{ from: '2016-01-01', to: '2024-12-31' }] },
 *     ],
 *   ).map((a) => [a.region, a.temporary]) // [['510104', false], ['500103', true]]
 */
export function classifyInsuredPlaces(person: InsuredPerson, places: readonly InsuredPlaceRecord[]): PlaceAccount[] {
  const ordered = places
    .map((place, index) => ({ place, index, firstEnrolled: firstStart(place) }))
    .sort((a, b) => (a.firstEnrolled === b.firstEnrolled ? a.index - b.index : a.firstEnrolled < b.firstEnrolled ? -1 : 1));
  const hukouProvince = provinceOf(person.hukouRegion);
  const out: PlaceAccount[] = [];
  for (const { place, firstEnrolled } of ordered) {
    const age = ageOn(person.birthDate, firstEnrolled);
    const previous = out.at(-1);
    const [temporary, reason] = ((): [boolean, AccountReason] => {
      // The order of these checks is the order of the 办法: 第五条（一）, （三）, then （二）; the
      // reason reported is the first that applies.
      if (provinceOf(place.region) === hukouProvince) return [false, 'HUKOU_PROVINCE'];
      if (place.approvedTransfer === true) return [false, 'APPROVED_TRANSFER'];
      if (previous && provinceOf(previous.region) === provinceOf(place.region)) return [previous.temporary, 'SAME_PROVINCE_AS_PREVIOUS'];
      if (age < TEMPORARY_ACCOUNT_AGE[person.sex]) return [false, 'BELOW_AGE_LIMIT'];
      if (firstEnrolled < MEASURES_EFFECTIVE) return [false, 'BEFORE_2010'];
      return [true, 'AGE_LIMIT_AWAY_FROM_HUKOU'];
    })();
    out.push({ region: place.region, firstEnrolled, months: contributionMonths(place.periods), ageAtFirstEnrolment: age, temporary, reason, explanation: REASONS[reason] });
  }
  return out;
}

/** Where the pension will be paid, decided over the places that held the relation. */
export interface PensionPlaceDecision {
  readonly payingPlace: PayingPlace;
  /** Every insured place, oldest first, each marked temporary or not. */
  readonly accounts: readonly PlaceAccount[];
}

/**
 * Decides the paying place (第六条, rules 1–4) with temporary accounts taken out: they never
 * held the relation, so only regular accounts are places for the four rules. When every account
 * is temporary, no place ever held the relation and everything is gathered at the hukou place
 * (rule 4).
 *
 * @example
 *   decidePensionPlace(
 *     { hukouRegion: '510104', birthDate: '1965-03-01', sex: 'M' },
 *     [
 *       { region: '500103', periods: [{ from: '2000-01-01', to: '2011-12-31' }] }, // 12 years, regular
 *       { region: '440305', periods: [{ from: '2016-01-01', to: '2024-12-31' }] }, // 9 years, temporary
 *     ],
 *   ).payingPlace // { region: '500103', rule: 2, ... }
 */
export function decidePensionPlace(person: InsuredPerson, places: readonly InsuredPlaceRecord[]): PensionPlaceDecision {
  const accounts = classifyInsuredPlaces(person, places);
  const relationPlaces = accounts.filter((a) => !a.temporary).map((a) => ({ region: a.region, months: a.months }));
  if (relationPlaces.length === 0 && accounts.length > 0) {
    return {
      accounts,
      payingPlace: {
        region: person.hukouRegion,
        rule: 4,
        explanation: '各参保地均为临时缴费账户，未在任何地方建立基本养老保险关系，归集到户籍所在地办理',
        explanationEn: 'Every place is a temporary account and none held the relation: everything is gathered at the hukou place, which pays.',
      },
    };
  }
  return { accounts, payingPlace: decidePayingPlace({ hukouRegion: person.hukouRegion, places: relationPlaces }) };
}

/**
 * Why a transfer happens now: the person has enrolled at a new place (`move`), or has reached
 * pension conditions and everything is gathered at the paying place (`retirement`).
 */
export type TransferOccasion = 'move' | 'retirement';

export type SenderRole = 'relation' | 'temporary-account';

export interface TransferLetter {
  /** 1-based order in which the letters go. */
  readonly seq: number;
  /** 联系函 from the transfer-in side; 信息表 (with the funds) back from a sender. */
  readonly kind: 'contact-letter' | 'information-sheet';
  readonly from: string;
  readonly to: string;
}

export interface TransferPlan {
  readonly occasion: TransferOccasion;
  /** The transfer-in side (转入地): it reviews, issues the contact letters and receives the funds. */
  readonly transferIn: string;
  /** Why that place is the transfer-in side. */
  readonly transferInBasis: 'NEW_RELATION_PLACE' | 'KEEPS_RELATION' | 'PAYING_PLACE';
  /** The places that send an information sheet and funds, in the order they are asked. */
  readonly senders: readonly { readonly region: string; readonly role: SenderRole }[];
  readonly letters: readonly TransferLetter[];
  /** Present for `retirement`: the paying-place decision the plan follows. */
  readonly payingPlace?: PayingPlace;
  readonly accounts: readonly PlaceAccount[];
  readonly explanation: Bilingual;
}

/**
 * Plans a transfer for a conversation engine: which place is the transfer-in side, which places
 * send information sheets, and in what order the letters go.
 *
 * - `move`, newest place regular: the newest place takes the relation (第五条（一）（二）), asks the
 *   place that held it, then any temporary-account places, oldest first.
 * - `move`, newest place temporary: the relation stays where it is (第五条（二）); that place is the
 *   transfer-in side and gathers earlier temporary accounts (再次跨省流动就业); the newest temporary
 *   account stays open. With no earlier temporary account, nothing moves now.
 * - `retirement`: the paying place (第六条, see decidePensionPlace) asks every other province
 *   holding an account, oldest first.
 *
 * @example
 *   planTransfer(
 *     { hukouRegion: '510104', birthDate: '1965-03-01', sex: 'M' },
 *     [
 *       { region: '510104', periods: [{ from: '1990-01-01', to: '2014-12-31' }] },
 *       { region: '500103', periods: [{ from: '2015-06-01', to: '2018-12-31' }] }, // temporary (age 50)
 *       { region: '440305', periods: [{ from: '2019-01-01', to: '2024-12-31' }] }, // temporary
 *     ],
 *     'move',
 *   ).letters
 *   // [{ seq: 1, kind: 'contact-letter', from: '510104', to: '500103' },
 *   //  { seq: 2, kind: 'information-sheet', from: '500103', to: '510104' }]
 */
export function planTransfer(person: InsuredPerson, places: readonly InsuredPlaceRecord[], occasion: TransferOccasion): TransferPlan {
  if (occasion === 'retirement') {
    const { payingPlace, accounts } = decidePensionPlace(person, places);
    const senders = latestPerProvince(accounts.filter((a) => provinceOf(a.region) !== provinceOf(payingPlace.region)));
    return {
      occasion,
      transferIn: payingPlace.region,
      transferInBasis: 'PAYING_PLACE',
      senders,
      letters: letters(payingPlace.region, senders),
      payingPlace,
      accounts,
      explanation: {
        zh: `待遇领取地（规则${payingPlace.rule}）发出联系函，其他参保地按顺序转出信息表和资金（含临时缴费账户）`,
        en: `The paying place (rule ${payingPlace.rule}) sends the contact letters; every other place, temporary accounts included, returns an information sheet and the funds.`,
      },
    };
  }
  const accounts = classifyInsuredPlaces(person, places);
  const newest = accounts.at(-1);
  const regular = accounts.filter((a) => !a.temporary);
  if (!newest || !newest.temporary) {
    // The newest place takes the relation; the place that held it and all temporary accounts send.
    const transferIn = newest?.region ?? person.hukouRegion;
    const province = provinceOf(transferIn);
    const previousRelation = regular.slice(0, -1).filter((a) => provinceOf(a.region) !== province).at(-1);
    const temporary = accounts.filter((a) => a.temporary && provinceOf(a.region) !== province);
    const senders = [
      ...(previousRelation ? [{ region: previousRelation.region, role: 'relation' as const }] : []),
      ...latestPerProvince(temporary),
    ];
    return {
      occasion,
      transferIn,
      transferInBasis: 'NEW_RELATION_PLACE',
      senders,
      letters: letters(transferIn, senders),
      accounts,
      explanation: {
        zh: '新参保地接续基本养老保险关系，向原关系所在地及临时缴费账户所在地发出联系函',
        en: 'The new place takes the relation and sends contact letters to the place that held it and to any temporary-account places.',
      },
    };
  }
  // The newest place is a temporary account: the relation stays with the place that kept it.
  const keeper = regular.at(-1)?.region ?? person.hukouRegion;
  const earlierTemporary = accounts.slice(0, -1).filter((a) => a.temporary && provinceOf(a.region) !== provinceOf(keeper) && provinceOf(a.region) !== provinceOf(newest.region));
  const senders = latestPerProvince(earlierTemporary);
  return {
    occasion,
    transferIn: keeper,
    transferInBasis: 'KEEPS_RELATION',
    senders,
    letters: letters(keeper, senders),
    accounts,
    explanation:
      senders.length === 0
        ? {
            zh: '新参保地建立临时缴费账户，基本养老保险关系保留在原参保地，暂不转移',
            en: 'The new place opens a temporary account; the relation stays where it is and nothing moves now.',
          }
        : {
            zh: '基本养老保险关系保留在原参保地，由其发出联系函，归集此前的临时缴费账户',
            en: 'The relation stays where it is; that place sends the contact letters and gathers the earlier temporary accounts.',
          },
  };
}

function letters(transferIn: string, senders: readonly { readonly region: string }[]): TransferLetter[] {
  return senders.flatMap((sender, i): TransferLetter[] => [
    { seq: 2 * i + 1, kind: 'contact-letter', from: transferIn, to: sender.region },
    { seq: 2 * i + 2, kind: 'information-sheet', from: sender.region, to: transferIn },
  ]);
}

/** One sender per province, the latest region there, in order of first appearance. */
function latestPerProvince(accounts: readonly PlaceAccount[]): { region: string; role: SenderRole }[] {
  const byProvince = new Map<string, { region: string; role: SenderRole }>();
  for (const a of accounts) {
    const existing = byProvince.get(provinceOf(a.region));
    const role: SenderRole = a.temporary ? 'temporary-account' : 'relation';
    // Map keeps the first insertion's position; the value becomes the latest region there.
    byProvince.set(provinceOf(a.region), existing && existing.role === 'relation' ? { region: a.region, role: 'relation' } : { region: a.region, role });
  }
  return [...byProvince.values()];
}

function firstStart(place: InsuredPlaceRecord): string {
  return place.periods.reduce((min, p) => (p.from < min ? p.from : min), place.periods[0]?.from ?? '9999-12-31');
}

/** Calendar months touched by the periods, each month counted once even where periods overlap. */
function contributionMonths(periods: readonly InsuredPeriod[]): number {
  const months = new Set<number>();
  for (const p of periods) {
    const start = Number(p.from.slice(0, 4)) * 12 + Number(p.from.slice(5, 7)) - 1;
    const end = Number(p.to.slice(0, 4)) * 12 + Number(p.to.slice(5, 7)) - 1;
    for (let m = start; m <= end; m += 1) months.add(m);
  }
  return months.size;
}
