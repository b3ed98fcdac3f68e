import { GatewayError, ManualClock } from '#core';
import type { GatewayConfig } from '../config/gateway.config.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';

describe('AuthFailureLimiter', () => {
  const WINDOW_MS = 15 * 60_000;
  let clock: ManualClock;
  let limiter: AuthFailureLimiter;

  beforeEach(() => {
    clock = new ManualClock(Date.UTC(2026, 10, 23, 1, 0, 0));
    limiter = new AuthFailureLimiter({ authFailures: { perCredential: 5, perAddress: 20, windowMs: WINDOW_MS } } as GatewayConfig, clock);
  });

  /** The refusal `assertAllowed` throws, or null when it lets the attempt through. */
  function refusal(credentialId: string, address: string): GatewayError | null {
    try {
      limiter.assertAllowed(credentialId, address);
      return null;
    } catch (error) {
      if (error instanceof GatewayError) return error;
      throw error;
    }
  }

  it('locks a credential after five failures within the window, with the seconds until the oldest one leaves it', () => {
    for (let i = 0; i < 5; i += 1) {
      expect(refusal('cq-yuzhong', '203.0.113.1')).toBeNull();
      limiter.recordFailure('203.0.113.1', 'cq-yuzhong');
      clock.advance(60_000);
    }
    const locked = refusal('cq-yuzhong', '203.0.113.2');
    expect(locked).toMatchObject({ code: 'AUTH_LOCKED_OUT', status: 429, retryAfterSeconds: 10 * 60 });
    // Another credential from another address is not affected.
    expect(refusal('cq-dazu', '203.0.113.2')).toBeNull();
    clock.advance(10 * 60_000 - 1);
    expect(refusal('cq-yuzhong', '203.0.113.2')).toMatchObject({ code: 'AUTH_LOCKED_OUT', retryAfterSeconds: 1 });
    clock.advance(1);
    expect(refusal('cq-yuzhong', '203.0.113.2')).toBeNull();
  });

  it('forgets failures older than the window', () => {
    for (let i = 0; i < 4; i += 1) limiter.recordFailure('203.0.113.1', 'cq-yuzhong');
    clock.advance(WINDOW_MS);
    limiter.recordFailure('203.0.113.1', 'cq-yuzhong');
    expect(refusal('cq-yuzhong', '203.0.113.1')).toBeNull();
  });

  it('resets the credential count on a success, but not the address count', () => {
    for (let i = 0; i < 4; i += 1) limiter.recordFailure('203.0.113.1', 'cq-yuzhong');
    limiter.recordSuccess('cq-yuzhong');
    for (let i = 0; i < 4; i += 1) limiter.recordFailure('203.0.113.1', 'cq-yuzhong');
    expect(refusal('cq-yuzhong', '203.0.113.9')).toBeNull();
    // 8 failures so far from this address; 12 more lock the address whatever the id.
    for (let i = 0; i < 12; i += 1) limiter.recordFailure('203.0.113.1', null);
    expect(refusal('cq-dazu', '203.0.113.1')).toMatchObject({ code: 'AUTH_LOCKED_OUT', retryAfterSeconds: 15 * 60 });
    expect(refusal('cq-dazu', '203.0.113.9')).toBeNull();
  });

  it('counts failures of unknown credential ids against the address only', () => {
    for (let i = 0; i < 19; i += 1) limiter.recordFailure('203.0.113.1', null);
    expect(refusal(`unknown-${String(19)}`, '203.0.113.1')).toBeNull();
    limiter.recordFailure('203.0.113.1', null);
    expect(refusal('anything', '203.0.113.1')).toMatchObject({ code: 'AUTH_LOCKED_OUT' });
  });

  it('unlocks a credential an operator reissued', () => {
    for (let i = 0; i < 5; i += 1) limiter.recordFailure(`203.0.113.${String(i)}`, 'cq-yuzhong');
    expect(refusal('cq-yuzhong', '203.0.113.50')).toMatchObject({ code: 'AUTH_LOCKED_OUT' });
    limiter.forgetCredential('cq-yuzhong');
    expect(refusal('cq-yuzhong', '203.0.113.50')).toBeNull();
  });

  it('tracks a bounded number of addresses, forgetting the one that failed longest ago first', () => {
    const small = new AuthFailureLimiter({ authFailures: { perCredential: 5, perAddress: 2, windowMs: WINDOW_MS } } as GatewayConfig, clock, 3);
    small.recordFailure('203.0.113.1', null);
    small.recordFailure('203.0.113.1', null);
    for (const address of ['203.0.113.2', '203.0.113.3', '203.0.113.4']) small.recordFailure(address, null);
    expect(() => small.assertAllowed('x', '203.0.113.1')).not.toThrow();
  });
});
