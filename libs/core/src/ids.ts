import { randomBytes } from 'node:crypto';
import { isNodeCode, type NodeCode } from './node-code.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A UUID version 7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then random bits. Message ids are
 * time-ordered so that logs, inboxes and indexes sort by creation.
 *
 * @example newMessageId(Date.UTC(2026, 0, 1)) // '019b7... -7...-8...'
 */
export function newMessageId(nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  const ts = BigInt(nowMs);
  for (let i = 0; i < 6; i += 1) {
    bytes[i] = Number((ts >> BigInt(8 * (5 - i))) & 0xffn);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const MESSAGE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A case number (业务协同编号), unique across both provinces: the accepting node's code, the
 * acceptance date in Asia/Shanghai, and 10 random Crockford base32 characters (50 bits), e.g.
 * `SC-20261122-7K3F9ZQ2M8`. The node prefix makes collisions between provinces impossible; the
 * random part makes them negligible within one.
 */
export function newCaseNumber(node: string, nowMs: number = Date.now()): string {
  const day = shanghaiDate(nowMs).replaceAll('-', '');
  const bytes = randomBytes(10);
  let suffix = '';
  for (const b of bytes) suffix += CROCKFORD[b & 31];
  return `${node}-${day}-${suffix}`;
}

export const CASE_NUMBER_PATTERN = /^(SC|CQ)-\d{8}-[0-9A-HJKMNP-TV-Z]{10}$/;

/**
 * The accepting node a case number names (its prefix), or null for a string that is not a case
 * number. Only that node may create the case or send its follow-ups.
 *
 * @example caseNumberNode('SC-20261122-7K3F9ZQ2M8') // 'SC'
 */
export function caseNumberNode(caseId: string): NodeCode | null {
  if (!CASE_NUMBER_PATTERN.test(caseId)) return null;
  const node = caseId.slice(0, caseId.indexOf('-'));
  return isNodeCode(node) ? node : null;
}

/** The calendar date (YYYY-MM-DD) in Asia/Shanghai (UTC+8, no daylight saving since 1991). */
export function shanghaiDate(nowMs: number): string {
  return new Date(nowMs + 8 * 3600_000).toISOString().slice(0, 10);
}
