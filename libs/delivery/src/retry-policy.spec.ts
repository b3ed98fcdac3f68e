import { backoffDelay, DEFAULT_RETRY_POLICY, mayRetry } from './retry-policy.js';

describe('retry policy', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0.5 };

  it('doubles the delay per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(policy, a, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('draws jitter below the backoff, never above', () => {
    expect(backoffDelay(policy, 3, () => 1)).toBe(200);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(300);
  });

  it('stops retrying after the attempts or the age run out', () => {
    expect(mayRetry({ ...policy, maxAttempts: 3 }, 2, 0)).toBe(true);
    expect(mayRetry({ ...policy, maxAttempts: 3 }, 3, 0)).toBe(false);
    expect(mayRetry({ ...policy, maxAgeMs: 1_000 }, 1, 1_000)).toBe(false);
  });
});
