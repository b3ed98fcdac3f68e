import { ERROR_CODES, isErrorCode, type ErrorCode } from '#core';

/**
 * Why one delivery attempt failed, as an error code of the one table (libs/core error-codes.ts).
 * Whether it is `permanent` (to the dead letters at once) or retried with backoff comes from the
 * table's `retryable`, never from the transport that saw it: the same code means the same
 * thing whichever hop it came from. `reason` is what an operator filters dead letters on.
 */
export class DeliveryFailure extends Error {
  readonly permanent: boolean;

  constructor(
    readonly reason: ErrorCode,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${detail}`, options);
    this.name = 'DeliveryFailure';
    this.permanent = !ERROR_CODES[reason].retryable;
  }

  /** @example throw DeliveryFailure.of('PEER_UNREACHABLE', 'connection failed', error) */
  static of(reason: ErrorCode, detail: string, cause?: unknown): DeliveryFailure {
    return new DeliveryFailure(reason, detail, { cause });
  }

  /**
   * A code the other side answered (a peer's problem, an adapter's link error): ours as it is; an
   * unknown one as `unknownAs`, its text kept in the detail for the operator.
   */
  static answered(code: string | undefined, detail: string, unknownAs: ErrorCode): DeliveryFailure {
    if (code !== undefined && isErrorCode(code)) return new DeliveryFailure(code, detail);
    return new DeliveryFailure(unknownAs, code === undefined ? detail : `${detail}; code ${code.slice(0, 64)}`);
  }
}
