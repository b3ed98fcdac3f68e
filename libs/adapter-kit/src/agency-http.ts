import { AgencyCallError } from './agency-errors.js';

/**
 * A JSON call to an agency system with a timeout. 4xx answers are the agency refusing the
 * request (permanent); network failures, timeouts and 5xx are transient.
 */
export async function callAgency<T>(url: string, init: { method: 'GET' | 'POST'; body?: unknown; timeoutMs: number }): Promise<{ status: number; body: T }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (cause) {
    throw new AgencyCallError('AGENCY_UNAVAILABLE', 'the agency system did not answer', { cause });
  }
  let body: T;
  try {
    body = (await response.json()) as T;
  } catch (cause) {
    throw new AgencyCallError('AGENCY_UNAVAILABLE', `the agency answered ${response.status} without JSON`, { cause });
  }
  if (response.status >= 500) throw new AgencyCallError('AGENCY_UNAVAILABLE', `the agency answered ${response.status}`);
  return { status: response.status, body };
}
