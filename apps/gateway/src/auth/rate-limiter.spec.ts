import { ManualClock } from '#core';
import type { GatewayConfig } from '../config/gateway.config.js';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter({ rateLimit: { ratePerSecond: 2, burst: 3 } } as GatewayConfig, clock);

  it('allows a burst, then refuses with RATE_LIMITED until tokens come back', () => {
    for (let i = 0; i < 3; i += 1) limiter.take('cq-yuzhong');
    expect(() => limiter.take('cq-yuzhong')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    expect(() => limiter.take('cq-dazu')).not.toThrow(); // another window has its own bucket
    clock.advance(500); // one token back at 2/s
    expect(() => limiter.take('cq-yuzhong')).not.toThrow();
    expect(() => limiter.take('cq-yuzhong')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
  });
});
