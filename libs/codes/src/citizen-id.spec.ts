import { checkIdNumber, idCheckCharacter, maskIdNumber } from './citizen-id.js';

const today = new Date('2026-11-23T02:00:00+08:00');

/** A valid number with the given first 17 characters, for tests that vary one field. */
const withCheck = (first17: string): string => `${first17}${idCheckCharacter(first17)}`;

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

  it('computes the check character with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 mod 11', () => {
    expect(idCheckCharacter('44052418800101001')).toBe('4');
    expect(idCheckCharacter('11010519491231002')).toBe('X');
    expect(idCheckCharacter('51010419850101000')).toBe('2');
  });

  it('accepts X as a check character and reads an even sequence digit as female', () => {
    expect(checkIdNumber('11010519491231002X', { today })).toEqual({
      ok: true,
      normalized: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'F',
      registrationRegion: '110105',
    });
  });

  it('normalises a lower-case x and surrounding blanks', () => {
    const result = checkIdNumber(' 11010519491231002x ', { today });
    expect(result).toMatchObject({ ok: true, normalized: '11010519491231002X' });
  });

  it('refuses a wrong check character with CHECK_DIGIT', () => {
    expect(checkIdNumber('440524188001010015', { today })).toEqual({ ok: false, reason: 'CHECK_DIGIT' });
    expect(checkIdNumber('110105194912310021', { today })).toEqual({ ok: false, reason: 'CHECK_DIGIT' });
    // two digits swapped: the weights catch transpositions
    expect(checkIdNumber('440524188001010104', { today })).toEqual({ ok: false, reason: 'CHECK_DIGIT' });
  });

  it('refuses impossible birth dates with BIRTH_DATE', () => {
    expect(checkIdNumber(withCheck('51010419850230123'), { today })).toEqual({ ok: false, reason: 'BIRTH_DATE' }); // 30 Feb
    expect(checkIdNumber(withCheck('51010419851301123'), { today })).toEqual({ ok: false, reason: 'BIRTH_DATE' }); // month 13
    expect(checkIdNumber(withCheck('51010419850001123'), { today })).toEqual({ ok: false, reason: 'BIRTH_DATE' }); // month 0
    expect(checkIdNumber(withCheck('51010419850100123'), { today })).toEqual({ ok: false, reason: 'BIRTH_DATE' }); // day 0
    expect(checkIdNumber(withCheck('51010419000229123'), { today })).toEqual({ ok: false, reason: 'BIRTH_DATE' }); // 1900 is no leap year
    expect(checkIdNumber(withCheck('51010407850101123'), { today })).toEqual({ ok: false, reason: 'BIRTH_DATE' }); // year 0785
  });

  it('accepts 29 February of a leap year', () => {
    expect(checkIdNumber(withCheck('51010420000229123'), { today })).toMatchObject({ ok: true, birthDate: '2000-02-29' });
  });

  it('refuses a birth date after today, judged in China Standard Time', () => {
    expect(checkIdNumber(withCheck('51010420261124123'), { today })).toEqual({ ok: false, reason: 'BIRTH_DATE' });
    expect(checkIdNumber(withCheck('51010420261123123'), { today })).toMatchObject({ ok: true });
    // 2026-11-22T17:00Z is already 23 November in Beijing: a baby born that day is valid
    expect(checkIdNumber(withCheck('51010420261123123'), { today: new Date('2026-11-22T17:00:00Z') })).toMatchObject({ ok: true });
  });

  it('refuses 15-digit first-generation numbers and other lengths with LENGTH', () => {
    expect(checkIdNumber('440524800101001', { today })).toEqual({ ok: false, reason: 'LENGTH' });
    expect(checkIdNumber('4405241880010100144', { today })).toEqual({ ok: false, reason: 'LENGTH' });
    expect(checkIdNumber('', { today })).toEqual({ ok: false, reason: 'LENGTH' });
  });

  it('refuses letters other than a final X with CHARSET', () => {
    expect(checkIdNumber('44052418800101001A', { today })).toEqual({ ok: false, reason: 'CHARSET' });
    expect(checkIdNumber('X40524188001010014', { today })).toEqual({ ok: false, reason: 'CHARSET' });
    expect(checkIdNumber('４４0524188001010014', { today })).toEqual({ ok: false, reason: 'CHARSET' }); // full-width digits
  });

  it('refuses to compute a check character from anything but 17 digits, without echoing the input', () => {
    expect(() => idCheckCharacter('4405241880010100')).toThrow(
      expect.objectContaining({ code: 'ID_NUMBER_INVALID', detail: 'idCheckCharacter needs exactly 17 digits' }),
    );
  });

  it('masks all but the last four characters', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('**************002X');
    expect(maskIdNumber('002X')).toBe('002X');
  });
});
