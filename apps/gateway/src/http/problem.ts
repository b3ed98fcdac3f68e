import { ERROR_CODES, isGatewayError, type ErrorCode, type FieldProblem } from '#core';

/** An RFC 9457 problem document with our stable `code` and the fields at fault. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly instance?: string;
  readonly origin: string;
  readonly errors?: readonly FieldProblem[];
}

interface FrameworkError {
  readonly statusCode?: number;
  readonly status?: number;
  readonly code?: string;
  readonly name?: string;
  getStatus?: () => number;
}

/**
 * Maps anything thrown to a problem. Known errors keep their code; framework errors (body
 * parser, unknown route) get the matching code; anything else is INTERNAL with no detail, so no
 * stack trace or personal data ever reaches a caller.
 */
export function toProblem(error: unknown, instance?: string): Problem {
  if (isGatewayError(error)) {
    return build(error.code, error.detail, instance, error.fields);
  }
  // Nest wraps Fastify's own errors (body parser, limits) in an HttpException: look inside.
  const outer = (error ?? {}) as FrameworkError & { cause?: FrameworkError };
  const inner = outer.cause && typeof outer.cause.code === 'string' ? outer.cause : undefined;
  const e: FrameworkError = inner
    ? { code: inner.code, name: inner.name, statusCode: inner.statusCode ?? outer.getStatus?.() }
    : outer;
  const status = e.getStatus?.() ?? e.statusCode ?? e.status;
  const code = e.code ?? '';
  // The router's refusals (http/framework-errors.ts): their messages quote the URL, never used.
  if (code === 'FST_ERR_BAD_URL') return build('URL_MALFORMED', 'the URL has an invalid percent-encoding', instance);
  if (code === 'FST_ERR_MAX_PARAM_LENGTH' || status === 414) return build('URL_TOO_LONG', 'a path segment is longer than any this gateway serves', instance);
  if (code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return build('REQUEST_MALFORMED', 'the body does not have the length its Content-Length says', instance);
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) return build('UNSUPPORTED_MEDIA_TYPE', 'this content type is not accepted here', instance);
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return build('PAYLOAD_TOO_LARGE', 'the body is larger than this endpoint accepts', instance);
  if (e.name === 'SyntaxError' || code.startsWith('FST_ERR_CTP_') || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    // Fastify's parser also refuses, before any object is built, a `__proto__` key or a
    // `constructor` holding a `prototype` (gateway-app.ts): its error does not say which, so the detail names both.
    return build('MALFORMED_JSON', 'the body could not be parsed as JSON, or holds a __proto__ key or a constructor.prototype', instance);
  }
  if (status === 404) return build('NOT_FOUND', 'no such resource', instance);
  if (status === 429) return build('RATE_LIMITED', undefined, instance);
  if (typeof status === 'number' && status >= 400 && status < 500) return build('VALIDATION_FAILED', 'the request was refused', instance);
  return build('INTERNAL', undefined, instance);
}

function build(code: ErrorCode, detail: string | undefined, instance: string | undefined, fields: readonly FieldProblem[] = []): Problem {
  const info = ERROR_CODES[code];
  return {
    type: `urn:cytb:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: info.title,
    status: info.status,
    code,
    origin: info.origin,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    ...(fields.length > 0 ? { errors: fields } : {}),
  };
}
