import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import type { AgencyLinkError } from '#contracts';
import { toProblem } from './problem.js';

/**
 * Anything thrown while handling an agency-link message, as the AgencyLinkError the adapter gets:
 * the stable code, the problem's detail (or title), `permanent` for 4xx-class problems (the same
 * message will fail again; the rest may be retried), and the names of the fields at fault (never
 * their values). The same mapping serves a message sent alone (RpcProblemFilter) and each message
 * of a batch (AgencyStatusIntake).
 *
 * @example toLinkError(new GatewayError('CONTRACT_INVALID', { detail: '1 field(s) at fault', fields: [{ field: 'stage', code: 'NOT_ALLOWED_VALUE', message: '...' }] }))
 *   // { code: 'CONTRACT_INVALID', message: '1 field(s) at fault', permanent: true, fields: ['stage'] }
 */
export function toLinkError(error: unknown): AgencyLinkError {
  const problem = toProblem(error);
  const fields = [...new Set((problem.errors ?? []).map((e) => e.field).filter((field) => field !== ''))];
  return {
    code: problem.code,
    message: problem.detail ?? problem.title,
    permanent: problem.status < 500,
    ...(fields.length > 0 ? { fields } : {}),
  };
}

/** Errors on the agency link travel as AgencyLinkError objects (toLinkError), never as stack traces. */
@Catch()
export class RpcProblemFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('AgencyLink');

  catch(error: unknown): Observable<AgencyLinkError> {
    const linkError = toLinkError(error);
    if (!linkError.permanent) this.logger.error({ msg: 'agency link handler failed', code: linkError.code });
    return throwError(() => linkError);
  }
}
