import { parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';

describe('parseIdempotencyKey (draft-ietf-httpapi-idempotency-key-header §2)', () => {
  it('reads the quoted String form the draft defines', () => {
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
  });

  it('undoes the two escapes an RFC 8941 String allows', () => {
    expect(parseIdempotencyKey('"a\\"b\\\\c"')).toBe('a"b\\c');
  });

  it('accepts a bare token leniently (a UUID sent without quotes)', () => {
    expect(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey('  key:abc/1=  ')).toBe('key:abc/1=');
  });

  it('answers null when the header is absent (the key is optional)', () => {
    expect(parseIdempotencyKey(undefined)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['an empty String', '""'],
    ['an unterminated String', '"abc'],
    ['two values', '"a", "b"'],
    ['text after the String', '"a" b'],
    ['an escape the String grammar lacks', '"a\\nb"'],
    ['a control character', '"a\tb"'],
    ['a non-ASCII character', '"受理"'],
    ['a bare value with a space', 'a b'],
    ['a key longer than 255 characters', `"${'k'.repeat(256)}"`],
  ])('refuses %s with IDEMPOTENCY_KEY_INVALID on the header', (_, raw) => {
    expect(() => parseIdempotencyKey(raw)).toThrow(expect.objectContaining({ code: 'IDEMPOTENCY_KEY_INVALID', fields: [expect.objectContaining({ field: 'Idempotency-Key' })] }));
  });

  it('keeps a key of exactly 255 characters', () => {
    expect(parseIdempotencyKey(`"${'k'.repeat(255)}"`)).toHaveLength(255);
  });

  it('refuses the header sent twice', () => {
    expect(() => parseIdempotencyKey(['"a"', '"b"'])).toThrow(expect.objectContaining({ code: 'IDEMPOTENCY_KEY_INVALID' }));
  });
});

describe('requestFingerprint', () => {
  it('is the same for the same body whatever its key order', () => {
    const a = requestFingerprint('POST', '/api/v1/applications', { service: 'ssc.apply', applicant: { name: '张三', idNumber: 'X' } });
    const b = requestFingerprint('POST', '/api/v1/applications', { applicant: { idNumber: 'X', name: '张三' }, service: 'ssc.apply' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs when a value, the order of an array, the path or the method differs', () => {
    const base = requestFingerprint('POST', '/api/v1/applications', { materials: ['a', 'b'], n: 1 });
    expect(requestFingerprint('POST', '/api/v1/applications', { materials: ['a', 'b'], n: 2 })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/v1/applications', { materials: ['b', 'a'], n: 1 })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/v1/applications/X/withdrawal', { materials: ['a', 'b'], n: 1 })).not.toBe(base);
    expect(requestFingerprint('PUT', '/api/v1/applications', { materials: ['a', 'b'], n: 1 })).not.toBe(base);
  });

  it('tells a string from a number and null from a missing body', () => {
    expect(requestFingerprint('POST', '/p', { n: '1' })).not.toBe(requestFingerprint('POST', '/p', { n: 1 }));
    expect(requestFingerprint('POST', '/p', null)).not.toBe(requestFingerprint('POST', '/p', undefined));
  });
});
