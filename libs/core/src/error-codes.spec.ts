import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, isRetryable } from './error-codes.js';

/** Every source file of the product (apps and libs), tests and fixtures left out. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'static' ? [] : sources(path);
    return /\.ts$/.test(name) && !/\.(spec|fixtures)\.ts$/.test(name) ? [path] : [];
  });
}

/** The places a code leaves a process: errors thrown, delivery failures, link refusals, adapter errors. */
const EMITTERS = [
  /new GatewayError\(\s*'([A-Z_0-9]+)'/g,
  /GatewayError\.field\(\s*'([A-Z_0-9]+)'/g,
  /DeliveryFailure\.(?:of|answered)\([^'`]*?'([A-Z_0-9]+)'/g,
  /linkError\(\{\s*code: '([A-Z_0-9]+)'/g,
  /new RpcException\(\{\s*code: '([A-Z_0-9]+)'/g,
  /new AgencyCallError\(\s*'([A-Z_0-9]+)'/g,
  /readonly code = '([A-Z_0-9]+)'/g,
  /expireWaiting\([^)]*?'([A-Z_0-9]+)'/g,
  /deadReason: '([A-Z_0-9]+)'/g,
];

describe('the one error-code table', () => {
  const root = join(process.cwd());
  const emitted = new Map<string, string>();
  for (const file of [...sources(join(root, 'apps')), ...sources(join(root, 'libs'))]) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of EMITTERS) for (const match of text.matchAll(pattern)) emitted.set(match[1], file.slice(root.length + 1));
  }

  it('finds every code the system emits in the table', () => {
    // Fails before issue 16.3: AGENCY_UNKNOWN, AGENCY_TIMEOUT, ADAPTER_UNREACHABLE, PEER_UNREACHABLE, … were free strings.
    expect(emitted.size).toBeGreaterThan(40);
    const missing = [...emitted].filter(([code]) => !(code in ERROR_CODES)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it('says for every code whether a retry may succeed, 5xx retryable but for a refused receipt', () => {
    const odd = Object.entries(ERROR_CODES)
      .filter(([, info]) => (info.status >= 500) !== info.retryable)
      .map(([code]) => code)
      .sort();
    // The deliberate exceptions: waiting fixes these 4xx (a peer mid-way through a suite change too); a receipt that fails its check never passes later.
    expect(odd).toEqual(['AUTH_LOCKED_OUT', 'CASE_NOT_FOUND', 'ENVELOPE_NOT_YET_VALID', 'IDEMPOTENCY_KEY_IN_FLIGHT', 'RATE_LIMITED', 'RECEIPT_INVALID', 'REQUEST_TIMEOUT', 'RETRIES_EXHAUSTED', 'SUITE_NOT_ACCEPTED']);
  });

  it('retries a code it does not know (a newer peer), and follows the table for its own', () => {
    expect(isRetryable('SOMETHING_NEW')).toBe(true);
    expect(isRetryable('CONTRACT_INVALID')).toBe(false);
    expect(isRetryable('PEER_UNREACHABLE')).toBe(true);
    expect(isRetryable('toString')).toBe(true);
  });
});
