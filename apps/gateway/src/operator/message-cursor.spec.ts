import { GatewayError } from '#core';
import { decodeCursor, encodeCursor, pageLimit } from './message-cursor.js';

const field = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('VALIDATION_FAILED');
    return (error as GatewayError).fields[0]?.field;
  }
  return undefined;
};

describe('the message list cursor', () => {
  const position = { createdAt: 1_764_000_000_123, messageId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' };

  it('gives back the position it was made from, as an opaque URL-safe token', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('{oops').toString('base64url')],
    ['no id', Buffer.from(JSON.stringify({ t: 1 })).toString('base64url')],
    ['an id that is not a message id', Buffer.from(JSON.stringify({ t: 1, id: "x' OR 1=1" })).toString('base64url')],
    ['a negative time', Buffer.from(JSON.stringify({ t: -1, id: position.messageId })).toString('base64url')],
    ['empty', ''],
    ['too long', 'a'.repeat(201)],
  ])('refuses a cursor that is %s, naming the field cursor', (_name, cursor) => {
    expect(field(() => decodeCursor(cursor))).toBe('cursor');
  });

  it('takes a page size of 1 to 500, 100 when not given, and refuses anything else on limit', () => {
    expect(pageLimit(undefined)).toBe(100);
    expect(pageLimit('1')).toBe(1);
    expect(pageLimit('500')).toBe(500);
    for (const bad of ['0', '501', '-1', '1.5', '1e2', 'ten', '']) expect(field(() => pageLimit(bad))).toBe('limit');
  });
});
