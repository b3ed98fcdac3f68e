import { currentDivisionCode, lookupDivision } from './gb2260.js';

describe('GB/T 2260 divisions', () => {
  it('knows current county, prefecture and province codes', () => {
    expect(lookupDivision('510104')).toMatchObject({ name: '锦江区', level: 'county', provinceCode: '51', historic: false });
    expect(lookupDivision('510100')).toMatchObject({ level: 'prefecture', provinceCode: '51' });
    expect(lookupDivision('500000')).toMatchObject({ level: 'province', provinceCode: '50' });
  });

  it('marks a pre-1997 Chongqing code as historic, in Chongqing now', () => {
    expect(lookupDivision('510212')).toMatchObject({ historic: true, successor: '500106', provinceCode: '50' });
    expect(currentDivisionCode('510212')).toBe('500106');
  });

  it('keeps abolished county codes such as 郫县 and 梁平县', () => {
    expect(lookupDivision('510124')).toMatchObject({ name: '郫县', historic: true, successor: '510117' });
    expect(lookupDivision('500228')).toMatchObject({ name: '梁平县', historic: true, successor: '500155' });
  });

  it('does not know made-up or malformed codes', () => {
    expect(lookupDivision('519999')).toBeUndefined();
    expect(lookupDivision('5101')).toBeUndefined();
  });
});
