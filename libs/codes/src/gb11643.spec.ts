import { checkIdNumber, idCheckCharacter, maskIdNumber } from './gb11643.js';

const today = new Date('2026-11-23T00:00:00Z');

describe('GB 11643 citizen ID numbers', () => {
  it('accepts the standard’s own example, born in 1880', () => {
    expect(checkIdNumber('440524188001010014', { today })).toEqual({
      ok: true,
      normalized: '440524188001010014',
      birthDate: '1880-01-01',
      sex: 'M',
      registrationRegion: '440524',
    });
  });

  it('computes check characters including X', () => {
    expect(idCheckCharacter('11010519491231002')).toBe('X');
    expect(checkIdNumber('11010519491231002X', { today }).ok).toBe(true);
  });

  it('normalises a lower-case x', () => {
    const result = checkIdNumber('11010519491231002x', { today });
    expect(result.ok && result.normalized).toBe('11010519491231002X');
  });

  it('refuses a wrong check character', () => {
    expect(checkIdNumber('440524188001010015', { today })).toEqual({ ok: false, reason: 'CHECK_DIGIT' });
  });

  it('refuses impossible and future birth dates', () => {
    const withDate = (date: string) => {
      const first17 = `510104${date}123`;
      return checkIdNumber(`${first17}${idCheckCharacter(first17)}`, { today });
    };
    expect(withDate('19850230')).toEqual({ ok: false, reason: 'BIRTH_DATE' });
    expect(withDate('19851301')).toEqual({ ok: false, reason: 'BIRTH_DATE' });
    expect(withDate('20270101')).toEqual({ ok: false, reason: 'BIRTH_DATE' });
    expect(withDate('20000229').ok).toBe(true);
  });

  it('refuses 15-digit and malformed numbers', () => {
    expect(checkIdNumber('440524800101001', { today })).toEqual({ ok: false, reason: 'LENGTH' });
    expect(checkIdNumber('44052418800101001A', { today })).toEqual({ ok: false, reason: 'CHARSET' });
  });

  it('masks all but the last four characters', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('**************002X');
  });
});
