import { checkInformationSheet, monthsBetween, pooledTransfer, type InformationSheet } from './fund-arithmetic.js';

describe('pension fund arithmetic (人社部发〔2009〕187号)', () => {
  it('counts months inclusively', () => {
    expect(monthsBetween('2020-01', '2020-12')).toBe(12);
    expect(monthsBetween('2019-11', '2020-02')).toBe(4);
  });

  it('takes 12 % of the bases after 1998-01-01 only, month by month', () => {
    // 1997-07..1998-06 at 1,000: only Jan–Jun 1998 count: 6 × 1,000 × 12 % = 720
    expect(pooledTransfer([{ from: '1997-07', to: '1998-06', monthlyBase: '1000', months: 12 }])).toBe('720.00');
    expect(pooledTransfer([{ from: '1990-01', to: '1997-12', monthlyBase: '800', months: 96 }])).toBe('0.00');
  });

  it('works a realistic sheet to the cent without binary floating point', () => {
    // 2015-03..2015-12 at 4,213.33 (10 months) and 2016-01..2016-12 at 4,587.10 (12 months)
    // 4,213.33 × 10 × 0.12 = 5,055.996; 4,587.10 × 12 × 0.12 = 6,605.424; sum 11,661.42
    const periods = [
      { from: '2015-03', to: '2015-12', monthlyBase: '4213.33', months: 10 },
      { from: '2016-01', to: '2016-12', monthlyBase: '4587.10', months: 12 },
    ];
    expect(pooledTransfer(periods)).toBe('11661.42');
    const sheet: InformationSheet = {
      periods,
      personalAccountBalance: '18234.56',
      personalTransfer: '18234.56',
      pooledTransfer: '11661.42',
      totalTransfer: '29895.98',
    };
    expect(checkInformationSheet(sheet)).toEqual([]);
  });

  it('names each figure that does not add up', () => {
    const sheet: InformationSheet = {
      periods: [{ from: '2020-01', to: '2020-12', monthlyBase: '5000', months: 11 }],
      personalAccountBalance: '1000.00',
      personalTransfer: '1000.00',
      pooledTransfer: '7000.00',
      totalTransfer: '8000.00',
    };
    expect(checkInformationSheet(sheet)).toEqual([
      { code: 'SHEET_MONTHS_MISMATCH', field: 'periods[0].months', expected: '12', stated: '11' },
    ]);
    const fixedMonths = { ...sheet, periods: [{ ...sheet.periods[0], months: 12 }], totalTransfer: '8000.01' };
    expect(checkInformationSheet(fixedMonths)).toEqual([
      { code: 'SHEET_POOLED_MISMATCH', field: 'pooledTransfer', expected: '7200.00', stated: '7000.00' },
      { code: 'SHEET_TOTAL_MISMATCH', field: 'totalTransfer', expected: '8000.00', stated: '8000.01' },
    ]);
  });

  it('refuses amounts that are not plain decimals', () => {
    const sheet: InformationSheet = {
      periods: [{ from: '2020-01', to: '2020-01', monthlyBase: '1e3', months: 1 }],
      personalAccountBalance: '0.1',
      personalTransfer: '0.10',
      pooledTransfer: '120.00',
      totalTransfer: '120.100',
    };
    expect(checkInformationSheet(sheet).map((p) => `${p.code}:${p.field}`)).toEqual([
      'SHEET_AMOUNT_FORMAT:totalTransfer',
      'SHEET_AMOUNT_FORMAT:periods[0].monthlyBase',
    ]);
  });
});
