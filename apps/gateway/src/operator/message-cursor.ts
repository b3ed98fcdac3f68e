import { GatewayError, MESSAGE_ID_PATTERN } from '#core';
import type { OutboxPosition } from '#persistence';

/** Page sizes of the message list: 1 to MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT when not given. */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 500;

/**
 * The opaque cursor of the message list: where the next page starts (the last message's
 * creation time and id), base64url JSON. Opaque so that callers do not build positions by hand
 * and the order can change without breaking them.
 *
 * @example encodeCursor({ createdAt: 1764000000000, messageId: '0190…' }) // 'eyJ0Ijo…'
 */
export function encodeCursor(position: OutboxPosition): string {
  return Buffer.from(JSON.stringify({ t: position.createdAt, id: position.messageId }), 'utf8').toString('base64url');
}

/**
 * The position a cursor names, or VALIDATION_FAILED on `cursor` for anything this node did not
 * hand out (never echoing it).
 *
 * @example decodeCursor(encodeCursor(position)) // position
 */
export function decodeCursor(cursor: string): OutboxPosition {
  const refuse = () => GatewayError.field('VALIDATION_FAILED', 'cursor', 'cursor is not one this list handed out; start again without it');
  if (cursor.length === 0 || cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  const { t, id } = (parsed ?? {}) as { t?: unknown; id?: unknown };
  if (!Number.isSafeInteger(t) || (t as number) < 0 || typeof id !== 'string' || !MESSAGE_ID_PATTERN.test(id)) throw refuse();
  return { createdAt: t as number, messageId: id };
}

/**
 * The page size asked for, or VALIDATION_FAILED on `limit`.
 *
 * @example pageLimit(undefined) // 100
 * @example pageLimit('500') // 500
 */
export function pageLimit(limit: string | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  const n = Number(limit);
  if (!/^\d+$/.test(limit) || !Number.isInteger(n) || n < 1 || n > MAX_PAGE_LIMIT) {
    throw GatewayError.field('VALIDATION_FAILED', 'limit', `limit is a whole number from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return n;
}
