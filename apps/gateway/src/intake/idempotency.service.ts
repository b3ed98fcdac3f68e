import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Clock, GatewayError } from '#core';
import { GatewayDatabase, type GatewayStores, type IdempotencyKeyRecord } from '#persistence';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import type { Principal } from '../auth/credentials.service.js';
import { parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';

/** A request that carries an Idempotency-Key: whose key, which key, and the request it was first used for. */
export interface IdempotentCall {
  readonly credentialId: string;
  readonly key: string;
  readonly fingerprint: string;
}

/** What the window is answered: this request's own answer, or the one kept for its key. */
export interface IdempotentAnswer<T> {
  readonly status: number;
  readonly body: T;
  /** True when the answer is the one given to an earlier request with the same key. */
  readonly replayed: boolean;
}

/**
 * Keeps a request's answer for its key, inside the transaction that makes the request's effect.
 * The use case calls it last in that transaction, with the body it is about to answer.
 */
export type KeepAnswer<T> = (tx: GatewayStores, body: T) => Promise<void>;

/** How often expired keys are purged. */
const PURGE_EVERY_MS = 10 * 60_000;

/**
 * The Idempotency-Key of a window's state-changing request (draft-ietf-httpapi-idempotency-key-header):
 * a retry with the same key and the same request gets the answer the first one got, whether or
 * not that answer ever reached the window.
 *
 * Why the answer is kept in the request's own transaction: the window's retry is for the case
 * where the node committed and then died before its response left (kill -9). Kept there, the
 * answer exists exactly when the effect does; the retry replays it and no second case is made.
 *
 * Decisions the draft leaves to the resource (§2.6, §2.7):
 * - keys are scoped per credential; the fingerprint is method, path and canonical body;
 * - only answers that made an effect are kept. A refusal (4xx: validation, a case already
 *   decided) or a 503 changed nothing; the same key may be sent again and is processed again;
 * - the same key with another request: 422 IDEMPOTENCY_KEY_REUSED; while the first is still
 *   being processed: 409 IDEMPOTENCY_KEY_IN_FLIGHT;
 * - a key is kept IDEMPOTENCY_KEY_TTL_HOURS (24) and then forgotten (purged every 10 minutes).
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  /** Keys being processed by this process (credential and key): a second request with one is refused. */
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
  ) {}

  /**
   * The call a request makes, or null when it carries no key.
   *
   * @throws GatewayError IDEMPOTENCY_KEY_INVALID when the header is not a valid key.
   */
  callOf(principal: Principal, header: string | readonly string[] | undefined, method: string, url: string, body: unknown): IdempotentCall | null {
    const key = parseIdempotencyKey(header);
    if (key === null) return null;
    const path = url.split('?')[0] ?? url;
    return { credentialId: principal.credentialId, key, fingerprint: requestFingerprint(method, path, body) };
  }

  /**
   * Runs `perform` once per key: without a key, simply runs it. With one, answers what is kept
   * for it, or runs `perform`, which must call `keep` in its transaction.
   */
  async run<T>(call: IdempotentCall | null, status: number, perform: (keep: KeepAnswer<T>) => Promise<T>): Promise<IdempotentAnswer<T>> {
    if (call === null) return { status, body: await perform(() => Promise.resolve()), replayed: false };
    // 1. This process is processing the key now: the draft's 409. The slot is taken before the
    //    first await, so two requests with one key never both pass here.
    const slot = `${call.credentialId}\u0000${call.key}`;
    if (this.inFlight.has(slot)) throw inFlight();
    this.inFlight.add(slot);
    const taken = inFlight();
    try {
      // 2. An answer kept for the key: replayed, if the request is the same one.
      const kept = await this.db.read((s) => s.idempotencyKeys.get(call.credentialId, call.key, this.clock.nowMs()));
      if (kept) return replay<T>(kept, call);
      // 3. Processed, the answer kept with the effect. Another process (a replica) may have kept
      //    the key first: this transaction then rolls back and that answer is replayed.
      const body = await perform(async (tx, answer) => {
        const now = this.clock.nowMs();
        const stored = await tx.idempotencyKeys.insertOnce({
          credentialId: call.credentialId,
          idempotencyKey: call.key,
          fingerprint: call.fingerprint,
          status,
          responseJson: JSON.stringify(answer),
          createdAt: now,
          expiresAt: now + this.config.idempotencyKeyTtlHours * 3_600_000,
        });
        if (!stored) throw taken;
      });
      return { status, body, replayed: false };
    } catch (error) {
      if (error !== taken) throw error;
      const first = await this.db.read((s) => s.idempotencyKeys.get(call.credentialId, call.key, this.clock.nowMs()));
      if (first) return replay<T>(first, call);
      throw error;
    } finally {
      this.inFlight.delete(slot);
    }
  }

  /** Forgets expired keys; returns how many. */
  async purge(): Promise<number> {
    return this.db.transaction((tx) => tx.idempotencyKeys.purgeExpired(this.clock.nowMs()));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purgeQuietly(), PURGE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async purgeQuietly(): Promise<void> {
    try {
      const purged = await this.purge();
      if (purged > 0) this.logger.log({ msg: 'expired idempotency keys purged', purged });
    } catch (error) {
      // The next round tries again; an expired key is ignored by look-ups meanwhile.
      this.logger.warn({ msg: 'idempotency key purge failed', error: error instanceof Error ? error.message : String(error) });
    }
  }
}

function inFlight(): GatewayError {
  return new GatewayError('IDEMPOTENCY_KEY_IN_FLIGHT', { detail: 'retry once the first request with this key has been answered' });
}

function replay<T>(kept: IdempotencyKeyRecord, call: IdempotentCall): IdempotentAnswer<T> {
  if (kept.fingerprint !== call.fingerprint) {
    throw GatewayError.field('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key', 'this key was used for a different request: send a new key for a new request');
  }
  return { status: kept.status, body: JSON.parse(kept.responseJson) as T, replayed: true };
}
