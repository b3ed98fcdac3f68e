import { Inject, Injectable, Optional } from '@nestjs/common';
import { Clock, GatewayError } from '#core';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

/** At most this many source addresses are tracked; the one whose last failure is oldest goes first. */
export const MAX_TRACKED_ADDRESSES = 10_000;
/** Injection token for another bound (tests); unset in the application. */
export const MAX_TRACKED_ADDRESSES_TOKEN = 'cytb:auth-failure-max-addresses';

/**
 * Failed authentications, counted per credential id and per source address over a sliding
 * window (AUTH_FAILURES_PER_CREDENTIAL and AUTH_FAILURES_PER_ADDRESS within
 * AUTH_FAILURE_WINDOW_SECONDS). A key at its limit is refused before the credential is looked up
 * or its secret hashed, with the seconds until its oldest failure leaves the window.
 *
 * Only ids of existing credentials are counted per id (so their number bounds that map); an
 * unknown id counts against the address alone, as every failure does. A success resets its
 * credential's count but never the address's: one valid credential must not launder the guesses
 * made from its address. Counts live in this process: each replica keeps its own (as it keeps its
 * own credential cache), so N replicas behind a balancer allow up to N times the limit.
 */
@Injectable()
export class AuthFailureLimiter {
  /** Failure times of each key, oldest first, at most the key's limit of them. */
  private readonly byCredential = new Map<string, number[]>();
  private readonly byAddress = new Map<string, number[]>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly clock: Clock,
    @Optional() @Inject(MAX_TRACKED_ADDRESSES_TOKEN) private readonly maxAddresses: number = MAX_TRACKED_ADDRESSES,
  ) {}

  /** Throws AUTH_LOCKED_OUT (with Retry-After) while the credential id or the address is at its limit. */
  assertAllowed(credentialId: string, address: string): void {
    const { perCredential, perAddress } = this.config.authFailures;
    const now = this.clock.nowMs();
    const waitMs = Math.max(this.lockedFor(this.byCredential, credentialId, perCredential, now), this.lockedFor(this.byAddress, address, perAddress, now));
    if (waitMs > 0) {
      throw new GatewayError('AUTH_LOCKED_OUT', { detail: 'too many failed authentications for this credential or from this address', retryAfterSeconds: Math.ceil(waitMs / 1000) });
    }
  }

  /** One failed authentication from `address`; `credentialId` is null when no such credential exists. */
  recordFailure(address: string, credentialId: string | null): void {
    const { perCredential, perAddress } = this.config.authFailures;
    const now = this.clock.nowMs();
    this.append(this.byAddress, address, perAddress, now);
    if (this.byAddress.size > this.maxAddresses) {
      const oldest = this.byAddress.keys().next();
      if (!oldest.done) this.byAddress.delete(oldest.value);
    }
    if (credentialId !== null) this.append(this.byCredential, credentialId, perCredential, now);
  }

  recordSuccess(credentialId: string): void {
    this.byCredential.delete(credentialId);
  }

  /** Unlocks a credential whose secret an operator replaced (on this replica). */
  forgetCredential(credentialId: string): void {
    this.byCredential.delete(credentialId);
  }

  /** Milliseconds until `key` is below its limit again; 0 when it is now. */
  private lockedFor(map: Map<string, number[]>, key: string, limit: number, now: number): number {
    const times = map.get(key);
    if (!times) return 0;
    const windowMs = this.config.authFailures.windowMs;
    while (times.length > 0 && times[0] <= now - windowMs) times.shift();
    if (times.length === 0) {
      map.delete(key);
      return 0;
    }
    return times.length >= limit ? times[0] + windowMs - now : 0;
  }

  private append(map: Map<string, number[]>, key: string, limit: number, now: number): void {
    const times = map.get(key) ?? [];
    times.push(now);
    // Only the last `limit` failures decide a lock; older ones cannot matter any more.
    if (times.length > limit) times.splice(0, times.length - limit);
    // Re-inserted so the map's order is the order of last failure (the eviction order).
    map.delete(key);
    map.set(key, times);
  }
}
