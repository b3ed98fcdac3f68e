import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { GatewayError, type ErrorCode } from '#core';
import { PROBLEM_CONTENT_TYPE, replyWithProblem } from './problem-json.filter.js';
import { toProblem } from './problem.js';

/**
 * The answers Fastify and Node's HTTP parser give on their own, before any hook, route or Nest
 * filter runs, made problems like every other error: application/problem+json with a stable code,
 * and without the URL or any other input (Fastify's own answers quote the URL).
 *
 * - `frameworkErrors`: the router's refusals, a malformed percent-encoding (FST_ERR_BAD_URL,
 *   URL_MALFORMED) and a path parameter over `maxParamLength` (FST_ERR_MAX_PARAM_LENGTH, 414
 *   URL_TOO_LONG). It replaces the one Nest's adapter installs, which only adds the headers of
 *   Nest's own security features (`enableCors`, `useSecurityHeaders`), none of which the gateway
 *   enables.
 * - `clientErrorHandler`: what Node's parser refuses (on the raw socket, before Fastify has a
 *   request): headers over the size limit (431 HEADERS_TOO_LARGE), a request that did not arrive
 *   in time (408 REQUEST_TIMEOUT), anything else that is not HTTP, a bad Content-Length included
 *   (400 REQUEST_MALFORMED).
 *
 * Unknown routes (404) and body-parser failures go through Fastify's not-found and error handlers,
 * which Nest points at the ProblemJsonFilter.
 *
 * @example new FastifyAdapter({ bodyLimit, ...frameworkErrorOptions() })
 */
export function frameworkErrorOptions(): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> {
  return {
    frameworkErrors: (error, _request, reply) => replyWithProblem(reply, toProblem(error)),
    clientErrorHandler: answerClientError,
  };
}

function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = toProblem(new GatewayError(clientErrorCode(error.code)));
  if (socket.writable) {
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}\r\n` +
        `content-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  // The parser cannot go on after an error on this connection: close it (as Fastify's default does).
  socket.destroy(error);
}

function clientErrorCode(code: string | undefined): ErrorCode {
  if (code === 'HPE_HEADER_OVERFLOW') return 'HEADERS_TOO_LARGE';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'REQUEST_TIMEOUT';
  return 'REQUEST_MALFORMED';
}
