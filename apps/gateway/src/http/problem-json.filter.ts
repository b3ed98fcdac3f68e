import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isGatewayError } from '#core';
import { toProblem } from './problem.js';

/** Every HTTP error leaves as application/problem+json (RFC 9457). */
@Catch()
export class ProblemJsonFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const path = (request.url ?? '').split('?')[0];
    const problem = toProblem(error, path);
    if (problem.status >= 500) {
      // Name and code only: messages of foreign errors may carry submitted values.
      const e = error as { name?: string; code?: string };
      this.logger.error({ msg: 'unhandled error', path, error: e?.name, errorCode: e?.code });
    }
    // A lock-out knows when it ends; the token bucket and the overload guard ask for a short pause.
    const retryAfter = isGatewayError(error) ? error.retryAfterSeconds : undefined;
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    else if (problem.code === 'OVERLOADED' || problem.code === 'RATE_LIMITED') void reply.header('retry-after', '5');
    void reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(JSON.stringify(problem));
  }
}
