import { createRequire } from 'node:module';
import { currentDivisionCode, historicDivisions, isSichuanOrChongqing, lookupDivision } from './divisions.js';

interface HistoricFile {
  readonly source: string;
  readonly divisions: readonly { code: string; name: string; abolished: number | null; successor: string; note?: string }[];
}
const file = createRequire(import.meta.url)('../data/historic-divisions.json') as HistoricFile;

describe('GB/T 2260 divisions', () => {
  it('knows current county, prefecture and province codes', () => {
    expect(lookupDivision('510104')).toEqual({ code: '510104', name: '锦江区', level: 'county', provinceCode: '51', historic: false });
    expect(lookupDivision('510100')).toMatchObject({ name: '成都市', level: 'prefecture', provinceCode: '51', historic: false });
    expect(lookupDivision('510000')).toMatchObject({ name: '四川省', level: 'province', provinceCode: '51' });
    expect(lookupDivision('500000')).toMatchObject({ name: '重庆市', level: 'province', provinceCode: '50' });
  });

  it('accepts the municipalities’ prefecture groupings 市辖区 and 县', () => {
    expect(lookupDivision('500100')).toMatchObject({ name: '市辖区', level: 'prefecture', provinceCode: '50' });
    expect(lookupDivision('500200')).toMatchObject({ name: '县', level: 'prefecture', provinceCode: '50' });
  });

  it('files a prefecture-level city without counties as a prefecture', () => {
    expect(lookupDivision('441900')).toMatchObject({ name: '东莞市', level: 'prefecture', historic: false });
  });

  it('marks a pre-1997 Chongqing code as historic and places it in Chongqing now', () => {
    expect(lookupDivision('510212')).toEqual({
      code: '510212',
      name: '沙坪坝区',
      level: 'county',
      provinceCode: '50',
      historic: true,
      successor: '500106',
      abolished: 1997,
    });
    expect(lookupDivision('510200')).toMatchObject({ level: 'prefecture', provinceCode: '50', successor: '500000' });
    expect(currentDivisionCode('510202')).toBe('500103');
  });

  it('places the codes of the former 万县, 涪陵 and 黔江 prefectures in Chongqing', () => {
    expect(lookupDivision('512222')).toMatchObject({ name: '开县', successor: '500154', provinceCode: '50' });
    expect(lookupDivision('511223')).toMatchObject({ name: '梁平县', successor: '500155', provinceCode: '50' });
    expect(lookupDivision('512326')).toMatchObject({ name: '武隆县', successor: '500156', provinceCode: '50' });
    expect(lookupDivision('513523')).toMatchObject({ name: '黔江土家族苗族自治县', successor: '500114', provinceCode: '50' });
  });

  it('keeps abolished county codes still on valid ID numbers', () => {
    const cases: [string, string, string][] = [
      ['510124', '郫县', '510117'],
      ['510122', '双流县', '510116'],
      ['510132', '新津县', '510118'],
      ['500228', '梁平县', '500155'],
      ['500232', '武隆县', '500156'],
      ['500234', '开县', '500154'],
      ['500222', '綦江县', '500110'],
      ['500225', '大足县', '500111'],
      ['500223', '潼南县', '500152'],
      ['500224', '铜梁县', '500151'],
      ['500226', '荣昌县', '500153'],
      ['500227', '璧山县', '500120'],
    ];
    for (const [code, name, successor] of cases) {
      expect(lookupDivision(code)).toMatchObject({ code, name, historic: true, successor, provinceCode: successor.slice(0, 2) });
    }
  });

  it('does not know made-up or malformed codes', () => {
    for (const code of ['519999', '5101', '5101040', '51010A', '', ' 510104', '000000']) {
      expect(lookupDivision(code)).toBeUndefined();
    }
  });

  it('tells whether a code lies in Sichuan or Chongqing today', () => {
    expect(isSichuanOrChongqing('510104')).toBe(true);
    expect(isSichuanOrChongqing('510202')).toBe(true);
    expect(isSichuanOrChongqing('110101')).toBe(false);
    expect(isSichuanOrChongqing('519999')).toBe(false);
  });

  describe('the historic data file', () => {
    it('names its source', () => {
      expect(file.source).toMatch(/Ministry of Civil Affairs/);
    });

    it('lists each code once, with a current successor, and never a code that is current', () => {
      const codes = file.divisions.map((d) => d.code);
      expect(new Set(codes).size).toBe(codes.length);
      for (const entry of file.divisions) {
        const successor = lookupDivision(entry.successor);
        expect({ code: entry.code, successorHistoric: successor?.historic }).toEqual({ code: entry.code, successorHistoric: false });
        expect(lookupDivision(entry.code)).toMatchObject({ code: entry.code, historic: true });
      }
      expect(historicDivisions()).toHaveLength(file.divisions.length);
    });

    it('records an abolition year no later than today’s data and a note for every entry', () => {
      for (const entry of file.divisions) {
        expect(entry.abolished === null || (entry.abolished >= 1980 && entry.abolished <= 2026)).toBe(true);
        expect(entry.note).toEqual(expect.any(String));
      }
    });
  });
});
