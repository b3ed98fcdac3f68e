import { GatewayError, isGatewayError } from '#core';

/** How long a caller refused with DATABASE_UNAVAILABLE is asked to wait (Retry-After, seconds). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Node network errors on the way to the database server: it is not there, or the connection
 * broke. (A pool that cannot connect in time says so in its own words: see below.)
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs that mean "the database is not available now" rather than "this statement
 * is wrong" (PostgreSQL manual, Appendix A): class 08 (connection exception), 53 (insufficient
 * resources: too many connections, disk full, out of memory), 57P01–57P03 (admin shutdown, crash
 * shutdown, cannot connect now), 57014 (statement cancelled on timeout), 3D000 (the database is
 * gone) and 55000 raised at connect (the database does not accept connections).
 */
function isPostgresUnavailable(code: string, message: string): boolean {
  if (code.startsWith('08') || code.startsWith('53')) return true;
  if (code === '57P01' || code === '57P02' || code === '57P03' || code === '57014' || code === '3D000') return true;
  return code === '55000' && message.includes('accepting connections');
}

/**
 * SQLite result codes for a database file that cannot be used now: locked past busy_timeout
 * (SQLITE_BUSY, SQLITE_LOCKED), a disk or I/O failure (SQLITE_IOERR_*), a full disk, a file that
 * cannot be opened. A constraint or syntax error is the statement's fault, never one of these.
 */
function isSqliteUnavailable(code: string): boolean {
  return /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/.test(code);
}

/**
 * node-postgres reports a broken or unreachable connection with a plain Error and no code; these
 * are its fixed messages (pg and pg-pool sources), matched because nothing else tells them apart.
 */
const PG_CONNECTION_MESSAGES = ['Connection terminated', 'timeout exceeded when trying to connect', 'Client has encountered a connection error', 'Cannot use a pool after calling end'];

/**
 * Whether `error` (as a driver or typeorm threw it) says the database cannot be reached or used
 * now, as opposed to a fault of the statement or of the caller's work.
 *
 * @example isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) // true
 * @example isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' })) // false
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 4; depth += 1) {
    const { code, message, driverError, cause, errors } = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || isSqliteUnavailable(code) || isPostgresUnavailable(code, text)) return true;
    }
    if (PG_CONNECTION_MESSAGES.some((m) => text.includes(m))) return true;
    // An AggregateError (a connect tried on IPv4 and IPv6) holds the network errors themselves.
    if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    // typeorm wraps the driver's error (QueryFailedError.driverError); others chain it as `cause`.
    e = driverError ?? cause;
  }
  return false;
}

/**
 * The error a caller of the database sees: DATABASE_UNAVAILABLE (503, Retry-After) when the
 * database cannot be reached or used now, so that a window is told to come back rather than
 * given a 500; any other error unchanged (a GatewayError thrown by the work itself included).
 * The driver's error is kept as `cause` for the logs, never shown to a caller.
 *
 * @example await work().catch((error: unknown) => { throw asDatabaseError(error); })
 */
export function asDatabaseError(error: unknown): unknown {
  if (isGatewayError(error) || !isDatabaseUnavailable(error)) return error;
  return new GatewayError('DATABASE_UNAVAILABLE', {
    detail: 'the database cannot be reached or did not answer in time; retry later',
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    cause: error,
  });
}
