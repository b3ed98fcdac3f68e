import { buildDivisionTable, levelOfCode } from './division-table.js';

const current = [
  { code: '500000', name: '重庆市' },
  { code: '500106', name: '沙坪坝区' },
  { code: '510117', name: '郫都区' },
];

describe('buildDivisionTable', () => {
  it('reads the level from the shape of the code', () => {
    expect(levelOfCode('500000')).toBe('province');
    expect(levelOfCode('441900')).toBe('prefecture');
    expect(levelOfCode('500106')).toBe('county');
  });

  it('gives a historic code the province of its successor', () => {
    const table = buildDivisionTable(current, [{ code: '510212', name: '沙坪坝区', abolished: 1997, successor: '500106' }]);
    expect(table.get('510212')).toEqual({
      code: '510212',
      name: '沙坪坝区',
      level: 'county',
      provinceCode: '50',
      historic: true,
      successor: '500106',
      abolished: 1997,
    });
  });

  it('follows a successor through another historic code to the current one', () => {
    const table = buildDivisionTable(current, [
      { code: '510124', name: '郫县', abolished: 2016, successor: '510117' },
      { code: '512122', name: 'older code', abolished: null, successor: '510124' },
    ]);
    expect(table.get('512122')).toMatchObject({ successor: '510117', provinceCode: '51', historic: true });
    expect(table.get('512122')).not.toHaveProperty('abolished');
  });

  it('refuses a historic code whose successors lead to no current code', () => {
    expect(() => buildDivisionTable(current, [{ code: '510124', name: '郫县', abolished: 2016, successor: '510199' }])).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() =>
      buildDivisionTable(current, [
        { code: '519991', name: 'a', abolished: null, successor: '519992' },
        { code: '519992', name: 'b', abolished: null, successor: '519991' },
      ]),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('refuses a historic code that is also current', () => {
    expect(() => buildDivisionTable(current, [{ code: '500106', name: '沙坪坝区', abolished: 1997, successor: '500106' }])).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
