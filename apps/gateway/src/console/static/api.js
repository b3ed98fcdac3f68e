// The gateway's HTTP API as the console uses it: bearer credential from the sign-in, JSON in and
// out, problems (application/problem+json) turned into ApiError with the problem attached.

const TOKEN_KEY = 'cytb.token';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function hasToken() {
  return Boolean(sessionStorage.getItem(TOKEN_KEY));
}

function headers(extra = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return { accept: 'application/json, application/problem+json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

/**
 * One API call. `okStatuses` lets a caller read a body that comes with an error status (the
 * health check answers 503 with its details).
 */
export async function api(path, { method = 'GET', body, okStatuses = [] } = {}) {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { title: text.slice(0, 200) };
  }
  if (!response.ok && !okStatuses.includes(response.status)) throw new ApiError(response.status, data);
  return data;
}

/** A text resource (the receipt's QR code SVG). */
export async function apiText(path) {
  const response = await fetch(path, { headers: headers({ accept: 'image/svg+xml' }) });
  if (!response.ok) throw new ApiError(response.status, null);
  return response.text();
}
