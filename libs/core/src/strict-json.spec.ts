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
      duplicate: { name: 'alg', path: ['alg'], field: 'alg', depth: 1 },
    });
  });

  it('refuses a repetition at any depth, naming the top-level member it sits under', () => {
    expect(findDuplicateMember('{"aud":"SC","body":{"x":{"y":1,"y":2}}}')).toEqual({ name: 'y', path: ['body', 'x', 'y'], field: 'body', depth: 3 });
    expect(findDuplicateMember('{"body":{"items":[1,{"a":[],"a":{}}]}}')).toEqual({ name: 'a', path: ['body', 'items', 1, 'a'], field: 'body', depth: 4 });
    expect(findDuplicateMember('[{"a":1,"a":2}]')).toEqual({ name: 'a', path: [0, 'a'], field: undefined, depth: 2 });
    expect(findDuplicateMember('{"items":[{},[1,2],{"r":{"c":1,"c":2}}]}')).toEqual({ name: 'c', path: ['items', 2, 'r', 'c'], field: 'items', depth: 4 });
  });

  it('compares names decoded: an escaped spelling is the same name', () => {
    expect(findDuplicateMember('{"a":1,"\\u0061":2}')).toEqual({ name: 'a', path: ['a'], field: 'a', depth: 1 });
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
    expect(findDuplicateMember('{"a":{"x":1},"b":2,"a":3}')).toEqual({ name: 'a', path: ['a'], field: 'a', depth: 1 });
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

  it('finds no repetition in anything JSON.stringify writes, and finds the one spliced into any object (seeded random documents)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const names = ['a', 'b', 'é', '"q"', 'k\\', 'x y', '\u2028'];
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? random(3) : random(5);
      if (kind === 0) return random(100) - 50;
      if (kind === 1) return names[random(names.length)];
      if (kind === 2) return random(2) === 0 ? null : true;
      if (kind === 3) return Array.from({ length: random(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: random(4) }, () => [names[random(names.length)], value(depth + 1)]));
    };
    for (let round = 0; round < 300; round++) {
      const text = JSON.stringify({ top: value(0) });
      expect(findDuplicateMember(text)).toBeUndefined();
      // Splice a copy of an object's first member in front of it, in the n-th object of the text.
      const objects = [...text.matchAll(/\{"/g)].map((m) => m.index);
      const at = objects[random(objects.length)];
      const spliced = parseStrictJson(`${text.slice(0, at + 1)}${firstMember(text, at)},${text.slice(at + 1)}`);
      expect(spliced).toMatchObject({ ok: false, reason: 'duplicate' });
    }
  });
});

/** The text of the first member of the object that opens at `at` (`"name":value`), using JSON.parse to find where it ends. */
function firstMember(text: string, at: number): string {
  for (let end = at + 2; end <= text.length; end++) {
    const candidate = text.slice(at + 1, end);
    try {
      JSON.parse(`{${candidate}}`);
      if (text[end] === ',' || text[end] === '}') return candidate;
    } catch {
      // not a whole member yet
    }
  }
  throw new Error('no member');
}
