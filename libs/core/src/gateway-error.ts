import { ERROR_CODES, type ErrorCode, type ErrorOrigin } from './error-codes.js';

/** One field at fault in a refused request: a JSON pointer-like path and a stable code. */
export interface FieldProblem {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/**
 * The only error type libraries throw. The message is fixed per code; `detail` is a short,
 * personal-data-free explanation; `fields` names what is at fault.
 *
 * @example
 *   throw new GatewayError('ENVELOPE_EXPIRED', { detail: 'exp is in the past' });
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly origin: ErrorOrigin;
  readonly status: number;
  readonly detail: string | undefined;
  readonly fields: readonly FieldProblem[];
  /** When a refusal passes (RFC 9110 §10.2.3 Retry-After, in seconds); undefined = no fixed time. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: { detail?: string; fields?: readonly FieldProblem[]; cause?: unknown; retryAfterSeconds?: number } = {}) {
    const info = ERROR_CODES[code];
    super(info.title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.origin = info.origin;
    this.status = info.status;
    this.detail = options.detail;
    this.fields = options.fields ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** A refusal of one field, the commonest case at intake. */
  static field(code: ErrorCode, field: string, message: string): GatewayError {
    return new GatewayError(code, { detail: message, fields: [{ field, code, message }] });
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
