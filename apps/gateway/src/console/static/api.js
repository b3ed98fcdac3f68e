// The gateway's HTTP API as the console uses it: bearer credential from the sign-in, JSON in and
// out, problems (application/problem+json) turned into ApiError with the problem attached.
// @ts-check

/**
 * An RFC 9457 problem as the gateway writes it; `errors` are the field problems of a refusal.
 * @typedef {{ code?: string, title?: string, detail?: string, message?: string, field?: string, errors?: Problem[] }} Problem
 */

const TOKEN_KEY = 'cytb.token';

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {Problem | null} problem
   */
  constructor(status, problem) {
    super(problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }
}

/** @param {string | null} token */
export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function hasToken() {
  return Boolean(sessionStorage.getItem(TOKEN_KEY));
}

/**
 * @param {Record<string, string>} [extra]
 * @returns {Record<string, string>}
 */
function headers(extra = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return { accept: 'application/json, application/problem+json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

/**
 * One API call. `okStatuses` lets a caller read a body that comes with an error status (the
 * health check answers 503 with its details). The answer is the gateway's JSON as parsed:
 * its shapes are the API's contract (OpenAPI), not restated here, so it is typed `any`.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, okStatuses?: number[], extraHeaders?: Record<string, string> }} [options]
 * @returns {Promise<any>}
 */
export async function api(path, { method = 'GET', body, okStatuses = [], extraHeaders = {} } = {}) {
  const response = await fetch(path, {
    method,
    headers: headers({ ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  /** @type {any} */
  let data;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { title: text.slice(0, 200) };
  }
  if (!response.ok && !okStatuses.includes(response.status)) throw new ApiError(response.status, data);
  return data;
}

/**
 * A text resource (the receipt's QR code SVG).
 * @param {string} path
 */
export async function apiText(path) {
  const response = await fetch(path, { headers: headers({ accept: 'image/svg+xml' }) });
  if (!response.ok) throw new ApiError(response.status, null);
  return response.text();
}

/** The request never got an answer (the connection failed or was reset): it may or may not have been processed. */
export class NoAnswerError extends Error {
  /** @param {unknown} cause */
  constructor(cause) {
    super('no answer from the gateway', { cause });
  }
}

/**
 * A new Idempotency-Key: one per form submission. crypto.randomUUID exists only in a secure
 * context (https, localhost); a console served over plain http on a LAN gets a UUID v4 from
 * getRandomValues instead.
 */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const RETRY_DELAYS_MS = [500, 1000, 2000, 4000];
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A state-changing request sent with its Idempotency-Key, and sent again with the same key
 * while no answer comes back (the connection failed, say the node was restarted) or while the
 * gateway still processes the first (409 IDEMPOTENCY_KEY_IN_FLIGHT). The gateway answers a
 * repeat with the first answer, so a retry never makes a second case. Throws NoAnswerError
 * when every attempt went unanswered: the caller keeps the key for the clerk's next try.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, key: string }} options
 * @returns {Promise<any>}
 */
export async function apiIdempotent(path, { method = 'POST', body, key }) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await api(path, { method, body, extraHeaders: { 'idempotency-key': `"${key}"` } });
    } catch (error) {
      const unanswered = !(error instanceof ApiError);
      const inFlight = error instanceof ApiError && error.problem.code === 'IDEMPOTENCY_KEY_IN_FLIGHT';
      if ((!unanswered && !inFlight) || attempt >= RETRY_DELAYS_MS.length) throw unanswered ? new NoAnswerError(error) : error;
      await sleep(RETRY_DELAYS_MS[attempt]);
    }
  }
}
