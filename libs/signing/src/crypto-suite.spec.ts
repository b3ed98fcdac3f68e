import { GM_SUITE, INTL_SUITE, suiteHash, suiteHmac, suiteNamed } from './crypto-suite.js';

describe('crypto suites', () => {
  it('hashes SHA-256 under intl and SM3 under gm, with the published SM3 vector (GB/T 32905 A.1)', () => {
    expect(Buffer.from(suiteHash(GM_SUITE, 'abc'), 'base64url').toString('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(suiteHash(INTL_SUITE, 'abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('keys its HMAC with the suite hash', () => {
    const key = Buffer.alloc(32, 7);
    expect(suiteHmac(GM_SUITE, key, 'x')).not.toBe(suiteHmac(INTL_SUITE, key, 'x'));
    expect(Buffer.from(suiteHmac(GM_SUITE, key, 'x'), 'base64url')).toHaveLength(32);
  });

  it('knows the two suite names and nothing else', () => {
    expect(suiteNamed('intl')).toBe(INTL_SUITE);
    expect(suiteNamed('gm')).toBe(GM_SUITE);
    expect(suiteNamed('GM')).toBeUndefined();
    expect(suiteNamed(undefined)).toBeUndefined();
  });
});
