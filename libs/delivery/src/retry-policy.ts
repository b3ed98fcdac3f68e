/** How a destination is retried: exponential backoff with jitter, bounded by attempts and age. */
export interface RetryPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** 0 = no jitter; 1 = "full jitter" (delay drawn uniformly from 0..backoff). */
  readonly jitter: number;
  readonly maxAttempts: number;
  /** A message older than this is dead-lettered instead of retried again. */
  readonly maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 500,
  maxDelayMs: 5 * 60_000,
  jitter: 0.5,
  maxAttempts: 50,
  maxAgeMs: 3 * 24 * 3600_000,
};

/**
 * The delay before attempt `attempt + 1`, after `attempt` failures (attempt ≥ 1).
 * Jitter spreads retries of many messages so a recovering destination is not hit all at once.
 *
 * @example backoffDelay(DEFAULT_RETRY_POLICY, 3, () => 0) // 2000: 500 · 2², no jitter drawn
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (1 - policy.jitter * random()));
}

/** Whether a failed message should be retried or has used up its attempts or its age. */
export function mayRetry(policy: RetryPolicy, attempts: number, ageMs: number): boolean {
  return attempts < policy.maxAttempts && ageMs < policy.maxAgeMs;
}
