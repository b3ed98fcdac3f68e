import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isGatewayError } from '#core';
import { toProblem, type Problem } from './problem.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Every HTTP error leaves as application/problem+json (RFC 9457). */
@Catch()
export class ProblemJsonFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const route = routeOf(request);
    const problem = toProblem(error, route);
    if (problem.status >= 500) {
      // Name and code only: messages of foreign errors may carry submitted values.
      const e = error as { name?: string; code?: string };
      this.logger.error({ msg: 'unhandled error', route, error: e?.name, errorCode: e?.code });
    }
    // A lock-out knows when it ends (AUTH_LOCKED_OUT carries it); others ask for a short pause.
    replyWithProblem(reply, problem, isGatewayError(error) ? error.retryAfterSeconds : undefined);
  }
}

/**
 * Sends `problem` as the answer, with Retry-After where the problem says to come back later.
 *
 * @example replyWithProblem(reply, toProblem(error, '/api/v1/applications'))
 */
export function replyWithProblem(reply: FastifyReply, problem: Problem, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
  else if (problem.code === 'OVERLOADED' || problem.code === 'RATE_LIMITED') void reply.header('retry-after', '5');
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/**
 * The problem's `instance`: the route that answered, as declared (`/api/v1/applications/:caseId`),
 * never the URL as sent, which is the caller's input (and may hold anything, personal data
 * included). None for a request no route matched.
 */
function routeOf(request: FastifyRequest): string | undefined {
  return request.is404 ? undefined : request.routeOptions.url;
}
