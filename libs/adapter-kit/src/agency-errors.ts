import { ERROR_CODES } from '#core';

/**
 * Errors on the agency side of an adapter. `permanent` (from the error table's `retryable`) says
 * whether sending the same request again could succeed; it travels back to the gateway, which
 * dead-letters or retries by the same table.
 *
 * - AGENCY_REFUSED: the agency refused the request as malformed (4xx); permanent.
 * - AGENCY_UNAVAILABLE: the agency did not answer, or answered 5xx; transient.
 * - AGENCY_CASE_UNKNOWN: a follow-up names a case the agency does not have yet (the new case
 *   may still be on its way); transient, the gateway retries.
 */
export class AgencyCallError extends Error {
  readonly permanent: boolean;

  constructor(
    readonly code: 'AGENCY_REFUSED' | 'AGENCY_UNAVAILABLE' | 'AGENCY_CASE_UNKNOWN',
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = 'AgencyCallError';
    this.permanent = !ERROR_CODES[code].retryable;
  }
}

/**
 * The gateway answered a batch of status reports with something that is not one outcome per
 * report: nothing of the batch counts as acknowledged, and the pump tries again later.
 */
export class GatewayAnswerInvalid extends Error {
  readonly code = 'GATEWAY_BAD_ACK';

  constructor() {
    super('the gateway answered a batch acknowledgement that does not match the batch');
    this.name = 'GatewayAnswerInvalid';
  }
}

/**
 * The agency reported a status word or reason code the adapter has no mapping for (or the
 * adapter has no agency vocabulary for a canonical value). The adapter stops at that event (it
 * is never turned into an empty field) and says so loudly until the mapping is fixed.
 */
export class UnmappedAgencyValue extends Error {
  readonly code = 'AGENCY_VALUE_UNMAPPED';

  constructor(
    readonly field: string,
    readonly value: string,
    readonly position: number,
  ) {
    super(`no mapping for ${field}=${value} at feed position ${position}`);
    this.name = 'UnmappedAgencyValue';
  }
}

/**
 * Looks a value up in a total mapping table; a value with no entry throws UnmappedAgencyValue
 * (never an empty field).
 *
 * @example mapValue({ 已挂失: 'loss-reported' }, 'zt', '已挂失', 12) // 'loss-reported'
 * @example mapValue({ 已挂失: 'loss-reported' }, 'zt', '挂起', 12) // throws AGENCY_VALUE_UNMAPPED
 */
export function mapValue<T>(table: Readonly<Record<string, T>>, field: string, value: string | undefined, position: number): T {
  if (value !== undefined && Object.prototype.hasOwnProperty.call(table, value)) return table[value];
  throw new UnmappedAgencyValue(field, value ?? '(none)', position);
}

/**
 * Inverts a total table (canonical → agency) into agency → canonical, refusing a table that maps
 * two canonical values to one agency value (the reverse would be ambiguous).
 *
 * @example invert({ photo: 'ZP' }) // { ZP: 'photo' }
 */
export function invert<K extends string, V extends string>(table: Readonly<Record<K, V>>): Readonly<Record<V, K>> {
  const out = {} as Record<V, K>;
  for (const [k, v] of Object.entries(table) as [K, V][]) {
    if (Object.prototype.hasOwnProperty.call(out, v)) throw new UnmappedAgencyValue('mapping', v, 0);
    out[v] = k;
  }
  return out;
}

/**
 * Converts an amount in fen (分, an integer) to an exact decimal string of yuan.
 *
 * @example fenToYuan(123456) // '1234.56'
 * @example fenToYuan(5) // '0.05'
 */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new UnmappedAgencyValue('amountFen', String(fen), 0);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Converts an exact decimal string of yuan (at most two places) to fen (分, an integer), without
 * floating point; anything else is an UnmappedAgencyValue.
 *
 * @example yuanToFen('1234.56') // 123456
 * @example yuanToFen('7') // 700
 */
export function yuanToFen(yuan: string, field = 'amount'): number {
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(yuan);
  if (!match) throw new UnmappedAgencyValue(field, yuan, 0);
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw new UnmappedAgencyValue(field, yuan, 0);
  return fen;
}
