import 'reflect-metadata';
import { IsDefined, IsString } from 'class-validator';
import { isGatewayError, type FieldProblem } from '#core';
import { cardRequest } from './canonical.fixtures.js';
import { IsFreeText, IsPlainText } from './code-validators.js';
import { SscApplyRequestDto } from './ssc-apply.dto.js';
import { validateContract } from './validate.js';

/** The card application with an ID number that passes GB 11643, as JSON text to splice keys into. */
const VALID = { ...cardRequest, applicant: { ...cardRequest.applicant, idNumber: '11010519491231002X' } };
const validText = (): string => JSON.stringify(VALID);

/** Names every Object.prototype member (and __proto__) a JSON key can collide with. */
const PROTOTYPE_NAMES = [
  'constructor',
  'toString',
  'toLocaleString',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'valueOf',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  '__proto__',
];

/** The refusal's code and fields, or 'valid'. */
function verdict(plain: unknown, forbidUnknown = true): { code: string; fields: FieldProblem[] } | 'valid' {
  try {
    validateContract(SscApplyRequestDto, plain, 'VALIDATION_FAILED', { forbidUnknown });
    return 'valid';
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    return { code: error.code, fields: [...error.fields] };
  }
}

/** Parses text the way the body parser does: a `__proto__` key becomes an own property. */
const parse = (text: string): unknown => JSON.parse(text) as unknown;

describe('validateContract refuses unknown fields named like Object.prototype members', () => {
  it('accepts the valid card application it splices keys into', () => {
    expect(verdict(parse(validText()))).toBe('valid');
  });

  it.each(PROTOTYPE_NAMES)('refuses %s at the top level, naming it', (name) => {
    const body = parse(validText().replace(/^\{/, `{"${name}":{"polluted":true},`));
    expect(verdict(body)).toEqual({ code: 'VALIDATION_FAILED', fields: [expect.objectContaining({ field: name, code: 'UNKNOWN_FIELD' })] });
  });

  it.each(PROTOTYPE_NAMES)('refuses %s inside a nested object, naming its path', (name) => {
    const body = parse(validText().replace('"applicant":{', `"applicant":{"${name}":"x",`));
    expect(verdict(body)).toEqual({
      code: 'VALIDATION_FAILED',
      fields: [expect.objectContaining({ field: `applicant.${name}`, code: 'UNKNOWN_FIELD' })],
    });
  });

  it.each(PROTOTYPE_NAMES)('refuses %s inside an array element, naming its path', (name) => {
    const withMaterial = JSON.stringify({ ...VALID, materials: [{ type: 'id-card-copy', sha256: 'a'.repeat(64) }] });
    const body = parse(withMaterial.replace('"materials":[{', `"materials":[{"${name}":1,`));
    expect(verdict(body)).toEqual({
      code: 'VALIDATION_FAILED',
      fields: [expect.objectContaining({ field: `materials[0].${name}`, code: 'UNKNOWN_FIELD' })],
    });
  });

  it('names a prototype-named field alongside every other field at fault', () => {
    const body = parse(validText().replace(/^\{/, '{"valueOf":1,"extra":2,').replace('"PHOTO-0001"', '"!"'));
    const result = verdict(body);
    expect(result).not.toBe('valid');
    if (result === 'valid') return;
    expect(result.fields.map((f) => `${f.field}:${f.code}`).sort()).toEqual(['extra:UNKNOWN_FIELD', 'photoRef:BAD_FORMAT', 'valueOf:UNKNOWN_FIELD']);
  });

  it('never lets a __proto__ key reach a prototype, refused or tolerated', () => {
    const text = validText().replace(/^\{/, '{"__proto__":{"polluted":true},').replace('"applicant":{', '"applicant":{"__proto__":{"isAdmin":true},');
    expect(verdict(parse(text))).not.toBe('valid');
    const tolerated = validateContract(SscApplyRequestDto, parse(text), 'CONTRACT_INVALID', { forbidUnknown: false });
    expect(Object.getPrototypeOf(tolerated)).toBe(SscApplyRequestDto.prototype);
    expect(Object.hasOwn(tolerated, '__proto__')).toBe(false);
    expect((tolerated as unknown as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((tolerated.applicant as unknown as Record<string, unknown>)['isAdmin']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });

  it('drops prototype-named fields where unknown fields are tolerated (peer and agency messages)', () => {
    const body = parse(validText().replace(/^\{/, '{"constructor":{"prototype":{}},"toString":"x",'));
    expect(verdict(body, false)).toBe('valid');
  });
});

describe('text fields refuse characters no name or address contains (TEXT_CHARACTERS_INVALID)', () => {
  const withName = (name: string) => ({ ...VALID, applicant: { ...VALID.applicant, name } });
  const withLine = (line: string) => ({ ...VALID, deliveryAddress: { ...VALID.deliveryAddress, line } });

  it.each([
    ['NUL', '王\u0000五'],
    ['a C0 control', '王\u0001五'],
    ['a line feed', '王\n五'],
    ['a tab', '王\t五'],
    ['DEL', '王\u007f五'],
    ['a C1 control', '王\u0085五'],
    ['U+FFFD (an invalid UTF-8 byte, decoded)', '王\ufffd五'],
    ['a right-to-left override', '王\u202e五'],
    ['a left-to-right embedding', '\u202a王五'],
    ['a pop directional isolate', '王五\u2069'],
    ['a first strong isolate', '\u2068王五'],
    ['a lone high surrogate', '王\ud800五'],
    ['a lone low surrogate', '王\udc00五'],
  ])('refuses %s in a name, naming the field', (_what, name) => {
    expect(verdict(withName(name))).toEqual({
      code: 'TEXT_CHARACTERS_INVALID',
      fields: [expect.objectContaining({ field: 'applicant.name', code: 'TEXT_CHARACTERS_INVALID' })],
    });
  });

  it('refuses a control character in an address line, naming the field', () => {
    expect(verdict(withLine('春熙路\u0001 1 号'))).toEqual({
      code: 'TEXT_CHARACTERS_INVALID',
      fields: [expect.objectContaining({ field: 'deliveryAddress.line', code: 'TEXT_CHARACTERS_INVALID' })],
    });
  });

  it('accepts a name written outside the Basic Multilingual Plane (a surrogate pair is one character)', () => {
    // 𠀾 (U+2003E, CJK Extension B) is a rare character found in real names.
    expect(verdict(withName('王\u{2003e}'))).toBe('valid');
  });

  it('reports the text rule with the other fields at fault under VALIDATION_FAILED', () => {
    const result = verdict({ ...withName('王\u0000五'), photoRef: '!' });
    expect(result).toEqual({
      code: 'VALIDATION_FAILED',
      fields: expect.arrayContaining([expect.objectContaining({ field: 'applicant.name', code: 'TEXT_CHARACTERS_INVALID' })]),
    });
  });

  it('answers a peer or an agency adapter CONTRACT_INVALID, naming the field with the text code', () => {
    expect(() => validateContract(SscApplyRequestDto, withName('王\u0000五'), 'CONTRACT_INVALID', { forbidUnknown: false })).toThrow(
      expect.objectContaining({ code: 'CONTRACT_INVALID', fields: [expect.objectContaining({ field: 'applicant.name', code: 'TEXT_CHARACTERS_INVALID' })] }),
    );
  });

  class Note {
    @IsDefined() @IsString() @IsPlainText() title!: string;
    @IsDefined() @IsString() @IsFreeText() body!: string;
  }
  const note = (title: string, body: string) => () => validateContract(Note, { title, body });

  it('allows line breaks and tabs in free text only', () => {
    expect(note('撤回', '第一行\r\n第二行\n\t第三行')()).toEqual({ title: '撤回', body: '第一行\r\n第二行\n\t第三行' });
    expect(note('撤\n回', 'x')).toThrow(expect.objectContaining({ code: 'TEXT_CHARACTERS_INVALID', fields: [expect.objectContaining({ field: 'title' })] }));
  });

  it.each([['NUL', '\u0000'], ['vertical tab', '\u000b'], ['form feed', '\u000c'], ['escape', '\u001b'], ['C1', '\u009b'], ['U+FFFD', '\ufffd'], ['bidi override', '\u202d'], ['lone surrogate', '\udfff']])(
    'refuses %s in free text',
    (_what, ch) => {
      expect(note('撤回', `原因${ch}`)).toThrow(expect.objectContaining({ code: 'TEXT_CHARACTERS_INVALID', fields: [expect.objectContaining({ field: 'body' })] }));
    },
  );
});

describe('ID numbers are taken as sent: the contract forbids blanks', () => {
  const withId = (idNumber: string) => ({ ...VALID, applicant: { ...VALID.applicant, idNumber } });

  it.each([
    ['a leading blank', ' 11010519491231002X'],
    ['a trailing blank', '11010519491231002X '],
    ['a trailing line feed', '11010519491231002X\n'],
    ['a blank inside', '110105 19491231002X'],
    ['a full-width blank', '\u300011010519491231002X'],
  ])('refuses %s with ID_NUMBER_INVALID naming the field', (_what, id) => {
    expect(verdict(withId(id))).toEqual({
      code: 'ID_NUMBER_INVALID',
      fields: [expect.objectContaining({ field: 'applicant.idNumber', code: 'ID_NUMBER_INVALID' })],
    });
  });

  it('accepts a lower-case check character, as the schema does, and keeps it upper-case', () => {
    expect(validateContract(SscApplyRequestDto, withId('11010519491231002x')).applicant.idNumber).toBe('11010519491231002X');
  });
});
