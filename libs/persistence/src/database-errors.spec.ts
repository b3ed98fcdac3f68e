import { GatewayError } from '#core';
import { asDatabaseError, isDatabaseUnavailable } from './database-errors.js';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('database errors at the persistence boundary', () => {
  it.each([
    ['a refused connection', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', coded('ECONNRESET')],
    ['PostgreSQL shut down by an administrator (57P01)', coded('57P01', 'terminating connection due to administrator command')],
    ['PostgreSQL starting up (57P03)', coded('57P03')],
    ['too many connections (53300)', coded('53300')],
    ['a database not accepting connections (55000)', coded('55000', 'database "x" is not currently accepting connections')],
    ['a connection that broke mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    ['SQLite locked past busy_timeout', coded('SQLITE_BUSY')],
    ['a SQLite disk failure', coded('SQLITE_IOERR_WRITE')],
    ['a driver error wrapped by typeorm', Object.assign(new Error('query failed'), { driverError: coded('57P01') })],
    ['a connect tried on every address', Object.assign(new AggregateError([coded('ECONNREFUSED')]), { code: undefined })],
  ])('maps %s to DATABASE_UNAVAILABLE with Retry-After', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    const mapped = asDatabaseError(error);
    expect(mapped).toBeInstanceOf(GatewayError);
    expect(mapped).toMatchObject({ code: 'DATABASE_UNAVAILABLE', status: 503, retryAfterSeconds: 5 });
  });

  it.each([
    ['a unique violation', coded('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', coded('42601')],
    ['another 55000 (a lock not available)', coded('55000', 'lock not available')],
    ['a SQLite constraint', coded('SQLITE_CONSTRAINT_PRIMARYKEY')],
    ['an error of the work itself', new TypeError('cannot read x')],
  ])('leaves %s as it is', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(asDatabaseError(error)).toBe(error);
  });

  it("never rewrites a GatewayError the work threw, even one caused by the driver's error", () => {
    const own = new GatewayError('CASE_NOT_FOUND', { cause: coded('ECONNREFUSED') });
    expect(asDatabaseError(own)).toBe(own);
  });
});
