import { Inject, Injectable } from '@nestjs/common';
import { Clock, GatewayError } from '#core';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per credential: a window may make `ratePerSecond` requests a second on
 * average, with bursts up to `burst`. A leaked or misused credential cannot flood its node.
 */
@Injectable()
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly clock: Clock,
  ) {}

  take(credentialId: string): void {
    const { ratePerSecond, burst } = this.config.rateLimit;
    const now = this.clock.nowMs();
    const bucket = this.buckets.get(credentialId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(credentialId, bucket);
      throw new GatewayError('RATE_LIMITED', { detail: `at most ${ratePerSecond} requests a second per credential` });
    }
    bucket.tokens -= 1;
    this.buckets.set(credentialId, bucket);
  }
}
