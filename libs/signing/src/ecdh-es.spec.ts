import { aesKeyUnwrap, aesKeyWrap, concatKdf } from './ecdh-es.js';

describe('ECDH-ES+A256KW primitives', () => {
  it('derives the key of RFC 7518 Appendix C with the Concat KDF (apu "Alice", apv "Bob", A128GCM)', () => {
    const z = Uint8Array.from([
      158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49, 110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140,
      254, 144, 196,
    ]);
    const key = concatKdf(z, 'A128GCM', 128, Buffer.from('Alice'), Buffer.from('Bob'));
    expect(key.toString('base64url')).toBe('VqqN6vgjbSBcIijNcacQGg');
  });

  it('derives 32 bytes for ECDH-ES+A256KW, and another key when apu or apv differ', () => {
    const z = Buffer.alloc(32, 7);
    const plain = concatKdf(z, 'ECDH-ES+A256KW', 256);
    expect(plain).toHaveLength(32);
    expect(concatKdf(z, 'ECDH-ES+A256KW', 256, Buffer.from('a'))).not.toEqual(plain);
    expect(concatKdf(z, 'ECDH-ES+A256KW', 256, undefined, Buffer.from('a'))).not.toEqual(plain);
  });

  it('wraps and unwraps as RFC 3394 §4.6 (256-bit key data with a 256-bit KEK)', () => {
    const kek = Buffer.from('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F', 'hex');
    const keyData = Buffer.from('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F', 'hex');
    const wrapped = aesKeyWrap(kek, keyData);
    expect(wrapped.toString('hex').toUpperCase()).toBe('28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21');
    expect(aesKeyUnwrap(kek, wrapped)).toEqual(keyData);
  });

  it('throws when the wrapped key was altered or the KEK is another (the RFC 3394 integrity check)', () => {
    const kek = Buffer.alloc(32, 1);
    const wrapped = aesKeyWrap(kek, Buffer.alloc(32, 2));
    const altered = Buffer.from(wrapped);
    altered[5] ^= 1;
    expect(() => aesKeyUnwrap(kek, altered)).toThrow();
    expect(() => aesKeyUnwrap(Buffer.alloc(32, 3), wrapped)).toThrow();
  });
});
