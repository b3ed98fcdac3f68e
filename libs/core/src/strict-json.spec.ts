import { findDuplicateMember, parseStrictJson } from './strict-json.js';

describe('strict JSON (no member name twice in one object)', () => {
  it('parses what JSON.parse parses when every name is unique', () => {
    const text = '{"alg":"EdDSA","kid":"CQ-1","body":{"items":[{"a":1},{"a":2}],"n":null,"t":true,"s":"x\\"y"}}';
    expect(parseStrictJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
    for (const scalar of ['1', '"a"', 'null', '[]', '{}', '[{}, {}]', ' { "a" : [ ] } ']) {
      expect(parseStrictJson(scalar)).toEqual({ ok: true, value: JSON.parse(scalar) });
    }
  });

  it('refuses a top-level name given twice, naming it as the field', () => {
    expect(parseStrictJson('{"alg":"none","alg":"EdDSA"}')).toEqual({
      ok: false,
      reason: 'duplicate',
      duplicate: { name: 'alg', field: 'alg', depth: 1 },
    });
  });

  it('refuses a repetition at any depth, naming the top-level member it sits under', () => {
    expect(findDuplicateMember('{"aud":"SC","body":{"x":{"y":1,"y":2}}}')).toEqual({ name: 'y', field: 'body', depth: 3 });
    expect(findDuplicateMember('{"body":{"items":[1,{"a":[],"a":{}}]}}')).toEqual({ name: 'a', field: 'body', depth: 4 });
    expect(findDuplicateMember('[{"a":1,"a":2}]')).toEqual({ name: 'a', field: undefined, depth: 2 });
  });

  it('compares names decoded: an escaped spelling is the same name', () => {
    expect(findDuplicateMember('{"a":1,"\\u0061":2}')).toEqual({ name: 'a', field: 'a', depth: 1 });
    expect(findDuplicateMember('{"\\u0074yp":1,"typ":2}')).toMatchObject({ name: 'typ' });
    expect(findDuplicateMember('{"\\"":1,"\\u0022":2}')).toMatchObject({ name: '"' });
    expect(findDuplicateMember('{"😀":1,"\\ud83d\\ude00":2}')).toMatchObject({ name: '😀' });
  });

  it('is not fooled by strings that look like JSON, nor by names equal to values', () => {
    expect(findDuplicateMember('{"a":"{\\"b\\":1,\\"b\\":2}","b":"a"}')).toBeUndefined();
    expect(findDuplicateMember('{"a":"a","b":["a","a"],"c":{"a":"a"}}')).toBeUndefined();
    expect(findDuplicateMember('{"a\\\\":1,"a":2}')).toBeUndefined();
  });

  it('keeps the names of sibling objects apart, and counts names again after an object closes', () => {
    expect(findDuplicateMember('{"a":{"x":1},"b":{"x":2},"c":[{"x":3},{"x":4}]}')).toBeUndefined();
    expect(findDuplicateMember('{"a":{"x":1},"b":2,"a":3}')).toEqual({ name: 'a', field: 'a', depth: 1 });
  });

  it('treats __proto__ and other Object.prototype names as plain names', () => {
    expect(findDuplicateMember('{"__proto__":1,"__proto__":2}')).toMatchObject({ name: '__proto__' });
    expect(findDuplicateMember('{"constructor":1,"toString":2}')).toBeUndefined();
  });

  it('reports a syntax error as such, never throwing', () => {
    for (const bad of ['', '{', '{"a":1,}', "{'a':1}", '{"a":1}x', 'NaN']) {
      expect(parseStrictJson(bad)).toMatchObject({ ok: false, reason: 'syntax' });
    }
  });
});
