import { ageOn, classifyInsuredPlaces, decidePensionPlace, planTransfer, type InsuredPerson, type InsuredPlaceRecord } from './temporary-account.js';

const place = (region: string, from: string, to: string, extra: Partial<InsuredPlaceRecord> = {}): InsuredPlaceRecord => ({
  region,
  periods: [{ from, to }],
  ...extra,
});

// Hukou in Chengdu (Sichuan). Born 1965-03-01: 50 on 2015-03-01.
const man: InsuredPerson = { hukouRegion: '510104', birthDate: '1965-03-01', sex: 'M' };
// Born 1978-07-15: 40 on 2018-07-15.
const woman: InsuredPerson = { hukouRegion: '500103', birthDate: '1978-07-15', sex: 'F' };

describe('age in full years (周岁)', () => {
  it('is reached on the birthday, not the day before', () => {
    expect(ageOn('1970-06-20', '2020-06-19')).toBe(49);
    expect(ageOn('1970-06-20', '2020-06-20')).toBe(50);
  });
  it('reaches a 29 February birthday on 1 March in a common year', () => {
    expect(ageOn('1972-02-29', '2022-02-28')).toBe(49);
    expect(ageOn('1972-02-29', '2022-03-01')).toBe(50);
  });
});

describe('temporary contribution account (国办发〔2009〕66号 第五条)', () => {
  it('opens one for a man first insured in another province on his 50th birthday', () => {
    const [home, away] = classifyInsuredPlaces(man, [place('510104', '1990-01-01', '2014-12-31'), place('500103', '2015-03-01', '2020-12-31')]);
    expect(home).toMatchObject({ temporary: false, reason: 'HUKOU_PROVINCE' });
    expect(away).toMatchObject({ temporary: true, reason: 'AGE_LIMIT_AWAY_FROM_HUKOU', ageAtFirstEnrolment: 50, months: 70 });
  });
  it('does not open one the day before the 50th birthday', () => {
    const [, away] = classifyInsuredPlaces(man, [place('510104', '1990-01-01', '2014-12-31'), place('500103', '2015-02-28', '2020-12-31')]);
    expect(away).toMatchObject({ temporary: false, reason: 'BELOW_AGE_LIMIT', ageAtFirstEnrolment: 49 });
  });
  it('uses 40 for a woman', () => {
    const accounts = classifyInsuredPlaces(woman, [place('500103', '2000-01-01', '2018-06-30'), place('510104', '2018-07-15', '2023-12-31')]);
    expect(accounts.map((a) => [a.region, a.temporary, a.reason])).toEqual([
      ['500103', false, 'HUKOU_PROVINCE'],
      ['510104', true, 'AGE_LIMIT_AWAY_FROM_HUKOU'],
    ]);
  });
  it('never opens one back in the hukou province, whatever the age (第五条（一）)', () => {
    const [, , back] = classifyInsuredPlaces(man, [place('510104', '1990-01-01', '2009-12-31'), place('500103', '2010-01-01', '2016-12-31'), place('510703', '2017-01-01', '2024-12-31')]);
    expect(back).toMatchObject({ region: '510703', temporary: false, reason: 'HUKOU_PROVINCE' });
  });
  it('does not apply to an approved transfer (第五条（三）)', () => {
    const [, away] = classifyInsuredPlaces(man, [place('510104', '1990-01-01', '2016-12-31'), place('500103', '2017-01-01', '2020-12-31', { approvedTransfer: true })]);
    expect(away).toMatchObject({ temporary: false, reason: 'APPROVED_TRANSFER' });
  });
  it('opens one when the first enrolment anywhere is away from the hukou place at that age (人社部发〔2010〕70号)', () => {
    expect(classifyInsuredPlaces(man, [place('500103', '2016-01-01', '2020-12-31')])[0]).toMatchObject({ temporary: true });
  });
  it('does not turn a relation begun before 2010 into a temporary account', () => {
    const older: InsuredPerson = { hukouRegion: '510104', birthDate: '1955-01-01', sex: 'M' };
    expect(classifyInsuredPlaces(older, [place('500103', '2008-01-01', '2014-12-31')])[0]).toMatchObject({ temporary: false, reason: 'BEFORE_2010' });
  });
  it('continues the account of the place before it inside one province', () => {
    const accounts = classifyInsuredPlaces(man, [place('510104', '1990-01-01', '2014-12-31'), place('500103', '2015-06-01', '2017-12-31'), place('500111', '2018-01-01', '2020-12-31')]);
    expect(accounts.map((a) => [a.temporary, a.reason])).toEqual([
      [false, 'HUKOU_PROVINCE'],
      [true, 'AGE_LIMIT_AWAY_FROM_HUKOU'],
      [true, 'SAME_PROVINCE_AS_PREVIOUS'],
    ]);
  });
  it('orders places by first enrolment whatever the input order, and counts overlapping months once', () => {
    const accounts = classifyInsuredPlaces(man, [
      { region: '500103', periods: [{ from: '2016-01-01', to: '2016-06-30' }, { from: '2016-06-15', to: '2016-12-31' }] },
      place('510104', '1990-01-01', '2015-12-31'),
    ]);
    expect(accounts.map((a) => [a.region, a.months])).toEqual([
      ['510104', 312],
      ['500103', 12],
    ]);
  });
});

describe('paying place with temporary accounts (第六条)', () => {
  it('does not let a temporary-account place pay even after ten years there', () => {
    // Chongqing relation 1998–2009 (144 months), then Shenzhen from age 50 for ten years.
    const decision = decidePensionPlace(man, [place('500103', '1998-01-01', '2009-12-31'), place('440305', '2015-03-01', '2025-02-28')]);
    expect(decision.accounts.map((a) => a.temporary)).toEqual([false, true]);
    expect(decision.payingPlace).toMatchObject({ region: '500103', rule: 2 });
  });
  it('gathers at the hukou place when every account is temporary (rule 4)', () => {
    const decision = decidePensionPlace(man, [place('500103', '2016-01-01', '2019-12-31'), place('440305', '2020-01-01', '2025-02-28')]);
    expect(decision.payingPlace).toMatchObject({ region: '510104', rule: 4 });
  });
  it('counts two regions of one province as one place (rule 1)', () => {
    expect(decidePensionPlace(man, [place('500103', '2000-01-01', '2009-12-31'), place('510703', '2010-01-01', '2014-12-31')]).payingPlace).toMatchObject({ region: '510703', rule: 1 });
  });
});

describe('which side issues the letters, in what order', () => {
  it('without a temporary account the new place is the transfer-in side and asks the old one', () => {
    const plan = planTransfer(man, [place('500103', '2000-01-01', '2009-12-31'), place('510104', '2010-01-01', '2024-12-31')], 'move');
    expect(plan).toMatchObject({ transferIn: '510104', transferInBasis: 'NEW_RELATION_PLACE', senders: [{ region: '500103', role: 'relation' }] });
    expect(plan.letters).toEqual([
      { seq: 1, kind: 'contact-letter', from: '510104', to: '500103' },
      { seq: 2, kind: 'information-sheet', from: '500103', to: '510104' },
    ]);
  });
  it('with a new temporary account the relation stays and nothing moves', () => {
    const plan = planTransfer(man, [place('510104', '1990-01-01', '2014-12-31'), place('500103', '2015-06-01', '2024-12-31')], 'move');
    expect(plan).toMatchObject({ transferIn: '510104', transferInBasis: 'KEEPS_RELATION', senders: [], letters: [] });
  });
  it('moving on from a temporary account: the place that keeps the relation asks for it (再次跨省流动就业)', () => {
    const plan = planTransfer(man, [place('510104', '1990-01-01', '2014-12-31'), place('500103', '2015-06-01', '2018-12-31'), place('440305', '2019-01-01', '2024-12-31')], 'move');
    expect(plan.transferIn).toBe('510104');
    expect(plan.letters).toEqual([
      { seq: 1, kind: 'contact-letter', from: '510104', to: '500103' },
      { seq: 2, kind: 'information-sheet', from: '500103', to: '510104' },
    ]);
  });
  it('returning to the hukou province takes the relation and gathers the temporary accounts after it', () => {
    const plan = planTransfer(woman, [place('510104', '2000-01-01', '2018-06-30'), place('440305', '2019-01-01', '2021-12-31'), place('500111', '2022-01-01', '2024-12-31')], 'move');
    expect(plan).toMatchObject({
      transferIn: '500111',
      senders: [
        { region: '510104', role: 'relation' },
        { region: '440305', role: 'temporary-account' },
      ],
    });
    expect(plan.letters.map((l) => `${l.seq} ${l.kind} ${l.from}→${l.to}`)).toEqual([
      '1 contact-letter 500111→510104',
      '2 information-sheet 510104→500111',
      '3 contact-letter 500111→440305',
      '4 information-sheet 440305→500111',
    ]);
  });
  it('at retirement the paying place asks every other province, temporary accounts included', () => {
    const plan = planTransfer(man, [place('500103', '1998-01-01', '2009-12-31'), place('510104', '2010-01-01', '2013-12-31'), place('440305', '2015-03-01', '2025-02-28')], 'retirement');
    expect(plan.payingPlace).toMatchObject({ region: '510104', rule: 1 });
    expect(plan.senders).toEqual([
      { region: '500103', role: 'relation' },
      { region: '440305', role: 'temporary-account' },
    ]);
    expect(plan.letters[0]).toEqual({ seq: 1, kind: 'contact-letter', from: '510104', to: '500103' });
  });
});
