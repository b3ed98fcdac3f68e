import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import type { AgencyLinkError } from '#contracts';
import { toProblem } from './problem.js';

/**
 * Errors on the agency link travel as AgencyLinkError objects, never as stack traces. 4xx-class
 * problems are permanent (the same report will fail again); the rest may be retried.
 */
@Catch()
export class RpcProblemFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('AgencyLink');

  catch(error: unknown): Observable<AgencyLinkError> {
    const problem = toProblem(error);
    if (problem.status >= 500) this.logger.error({ msg: 'agency link handler failed', code: problem.code });
    return throwError(() => ({
      code: problem.code,
      message: problem.detail ?? problem.title,
      permanent: problem.status < 500,
    }));
  }
}
