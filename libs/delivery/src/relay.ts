import type { Clock } from '#core';
import type { GatewayDatabase, GatewayStores, OutboxRecord } from '#persistence';
import { CircuitBreakers, DEFAULT_CIRCUIT_OPTIONS, type CircuitOptions } from './circuit-breaker.js';
import { DeliveryFailure } from './delivery-failure.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, mayRetry, type RetryPolicy } from './retry-policy.js';

/** What a destination answered: the proof of delivery kept with the message. */
export interface DeliveryOutcome {
  /** A signed receipt (peer) or an acknowledgement (agency), kept as proof. */
  readonly proof: string | null;
  /** Anything the after-delivery hook needs (e.g. the agency's reference). */
  readonly result?: unknown;
  /**
   * Set by the relay for the after-delivery hook: when the attempt that delivered the message
   * began (ms). The moment it left, which the receiver's own records follow; the hook runs
   * only once the answer is back, later by the receiver's whole round trip.
   */
  readonly sentAt?: number;
}

/** Sends one message to one destination. Throws DeliveryFailure (anything else counts as transient). */
export interface DestinationTransport {
  send(message: OutboxRecord): Promise<DeliveryOutcome>;
  /**
   * Optional: sends several messages in one request and answers one result per message, in the
   * same order. Throws DeliveryFailure when the request as a whole failed (nothing was taken).
   */
  sendBatch?(messages: readonly OutboxRecord[]): Promise<readonly BatchItemResult[]>;
  /** How many messages, and how many payload bytes, one `sendBatch` may carry. */
  readonly batchLimit?: { readonly messages: number; readonly bytes: number };
}

/** One message's result within a batch: delivered with its proof, or failed on its own. */
export type BatchItemResult = { readonly ok: true; readonly outcome: DeliveryOutcome } | { readonly ok: false; readonly failure: DeliveryFailure };

export interface RelayHooks {
  /** Runs in the same transaction that marks the message delivered. */
  afterDelivered?(tx: GatewayStores, message: OutboxRecord, outcome: DeliveryOutcome): Promise<void>;
  onAttempt?(event: RelayAttemptEvent): void;
  /** How many batches may be in flight now (default: `RelayOptions.batchesInFlight`), asked before each claim. */
  batchesInFlight?(): number;
  /**
   * Runs on the messages of one destination just before they are sent, and answers those to send,
   * in order: a message may come back with another payload, which the hook has stored first (an
   * envelope signed again in the suite the federation accepts now), or be left out (no longer
   * this relay's to send). A failure counts as a transient failure of each message.
   */
  beforeSend?(messages: readonly OutboxRecord[]): Promise<readonly OutboxRecord[]>;
}

export interface RelayAttemptEvent {
  readonly message: OutboxRecord;
  readonly outcome: 'delivered' | 'retrying' | 'dead';
  readonly durationMs: number;
  readonly reason?: string;
}

export interface RelayOptions {
  readonly batchSize: number;
  /**
   * How long a claim lasts without news from its relay. A running relay renews the leases of
   * what it is sending every third of this, so it only bounds how long a dead relay's claims wait.
   */
  readonly leaseMs: number;
  /** How long the relay sleeps when nothing is due (a new message wakes it at once). */
  readonly idleMs: number;
  readonly concurrencyPerDestination: number;
  /** How many claimed batches the background loop sends at once. */
  readonly batchesInFlight: number;
  readonly defaultPolicy: RetryPolicy;
  /** Per-destination policies, by exact destination or by prefix ending in `*` (`agency:*`). */
  readonly policies: Readonly<Record<string, RetryPolicy>>;
  readonly circuit: CircuitOptions;
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = {
  batchSize: 200,
  // Why 8 s: a killed replica's claims must be taken over within 10 s; renewal keeps slow sends.
  leaseMs: 8_000,
  idleMs: 250,
  concurrencyPerDestination: 32,
  batchesInFlight: 4,
  defaultPolicy: DEFAULT_RETRY_POLICY,
  policies: {},
  circuit: DEFAULT_CIRCUIT_OPTIONS,
};

/** A delivery that finished, waiting for the transaction that records it (see Relay.completions). */
interface Completion {
  readonly message: OutboxRecord;
  readonly outcome: DeliveryOutcome;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The relay of the transactional outbox: claims due messages, sends each to its destination,
 * and records the outcome. Delivery is at-least-once; receivers are idempotent by message id.
 *
 * A message claimed by a relay that dies stays "in flight" until its lease expires, then any
 * relay claims it again; a live relay renews the leases of what it sends every third of the
 * lease. One destination's failures push only its own messages back (backoff per message, and a
 * circuit per destination that stops claiming for it and probes it with one message), so other
 * destinations keep flowing; a probe that goes through makes the destination's waiting messages
 * due at once.
 *
 * A claimed batch is split by destination; a transport that can batch (`sendBatch`) takes the
 * messages in chunks within its `batchLimit`, up to `concurrencyPerDestination` at once. Up to
 * `batchesInFlight` claimed batches are on their way at a time (the hook may lower it: windows
 * first). Deliveries that finish meanwhile are recorded together in one transaction, each with
 * the after-delivery hook in that same transaction.
 *
 * Retry limits, one rule for every message of a destination: a message past `maxAgeMs` is
 * dead-lettered when it fails, and a message that waits because its destination's circuit is
 * open counts as failing (the relay dead-letters all of them past the age, not only the probe);
 * `maxAttempts` counts the sends that tell about the message, those to a destination whose
 * circuit is closed. A probe of an open circuit tests the destination: its failure uses no
 * attempt of the message that carried it. Whether a failure is retried at all is the error
 * table's `retryable` (DeliveryFailure).
 */
export class Relay {
  private running = false;
  /** Deliveries waiting to be recorded: all that finished meanwhile commit in one transaction. */
  private readonly completions: Completion[] = [];
  /** Ids of the messages this relay is sending now (claimed, not yet recorded). */
  private readonly sending = new Set<string>();
  private flushing = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private kicked = false;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  /** When the waiting messages of each open destination were last checked against their age. */
  private readonly agedAt = new Map<string, number>();
  readonly circuits: CircuitBreakers;

  constructor(
    private readonly db: GatewayDatabase,
    private readonly transportFor: (destination: string) => DestinationTransport | undefined,
    private readonly clock: Clock,
    private readonly options: RelayOptions = DEFAULT_RELAY_OPTIONS,
    private readonly hooks: RelayHooks = {},
    private readonly random: () => number = Math.random,
  ) {
    this.circuits = new CircuitBreakers(options.circuit, random);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(10, Math.floor(this.options.leaseMs / 3)));
    this.heartbeat.unref();
  }

  /** Wakes the relay now (called after a transaction enqueued messages). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Stops claiming; waits for the batch in hand to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  /**
   * The heartbeat: extends the leases of every message this relay holds (claimed, being sent or
   * waiting to be recorded). Three renewals fit in one lease, so one slow or failed renewal (the
   * database was busy) does not let another relay send the same message at the same time.
   */
  private async renewLeases(): Promise<void> {
    if (this.sending.size === 0) return;
    const ids = [...this.sending];
    try {
      await this.db.transaction((tx) => tx.outbox.renewLeases(ids, this.clock.nowMs() + this.options.leaseMs));
    } catch {
      // The database was unreachable: the next beat tries again, well within the lease.
    }
  }

  /** Claims and sends one batch, and waits until it is recorded. Returns how many messages it handled. */
  async runOnce(): Promise<number> {
    const batch = await this.claim();
    await this.sendClaimed(batch);
    return batch.length;
  }

  /**
   * Claims up to a batch of due messages (marked in flight until the lease ends). A message this
   * relay is still sending (its lease ran out under a slow destination) is claimed again, which
   * renews its lease, but is not sent a second time alongside itself.
   */
  private async claim(): Promise<OutboxRecord[]> {
    const now = this.clock.nowMs();
    // Destinations whose circuit is open are not even claimed: their messages wait untouched,
    // but not past their age.
    const blocked = this.circuits.blocked(now);
    await this.expireAged(blocked, now);
    const claimed = await this.db.transaction((tx) => tx.outbox.claimDue(now, now + this.options.leaseMs, this.options.batchSize, blocked));
    return claimed.filter((m) => !this.sending.has(m.messageId));
  }

  /**
   * The age limit for messages that are not being tried: once a second, every waiting message
   * of an open destination older than its policy's `maxAgeMs` is dead-lettered. Without this only
   * the probe was ever dead-lettered (39 of 40 messages stayed retrying long past the limit).
   */
  private async expireAged(blocked: readonly string[], now: number): Promise<void> {
    for (const destination of blocked) {
      if (now - (this.agedAt.get(destination) ?? Number.NEGATIVE_INFINITY) < AGE_CHECK_MS) continue;
      this.agedAt.set(destination, now);
      const policy = this.policyFor(destination);
      const expired = await this.db.transaction((tx) => tx.outbox.expireWaiting(destination, now - policy.maxAgeMs, 'RETRIES_EXHAUSTED', NOT_DELIVERED_IN_TIME));
      for (const message of expired) this.hooks.onAttempt?.({ message, outcome: 'dead', durationMs: 0, reason: 'RETRIES_EXHAUSTED' });
    }
  }

  private async sendClaimed(batch: readonly OutboxRecord[]): Promise<void> {
    if (batch.length === 0) return;
    for (const m of batch) this.sending.add(m.messageId);
    try {
      await this.sendGrouped(batch);
    } finally {
      for (const m of batch) this.sending.delete(m.messageId);
    }
  }

  private async sendGrouped(batch: readonly OutboxRecord[]): Promise<void> {
    const byDestination = new Map<string, OutboxRecord[]>();
    for (const message of batch) {
      const list = byDestination.get(message.destination) ?? [];
      list.push(message);
      byDestination.set(message.destination, list);
    }
    await Promise.all([...byDestination.values()].map((messages) => this.sendAll(messages)));
  }

  /**
   * The background loop: up to `batchesInFlight` claimed batches are sent at once, and the next
   * is claimed while earlier ones are still on their way, so a node keeps its peer and its
   * database busy instead of waiting for the slowest answer of each batch (a profile of
   * production mode showed one transaction at a time per node, cores idle).
   */
  private async run(): Promise<void> {
    const sending = new Set<Promise<void>>();
    while (this.running) {
      this.kicked = false;
      if (sending.size >= (this.hooks.batchesInFlight?.() ?? this.options.batchesInFlight)) {
        await Promise.race(sending);
        continue;
      }
      let batch: OutboxRecord[];
      try {
        batch = await this.claim();
      } catch {
        // The database was unreachable: wait and try again; nothing was claimed.
        batch = [];
      }
      if (batch.length > 0) {
        // A failure to record an outcome leaves the messages in flight until their lease ends;
        // then any relay claims them again (at least once).
        const sent: Promise<void> = this.sendClaimed(batch)
          .catch(() => undefined)
          .finally(() => sending.delete(sent));
        sending.add(sent);
        continue;
      }
      if (!this.kicked && this.running) await this.sleep(this.options.idleMs);
    }
    await Promise.all(sending);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async sendAll(messages: OutboxRecord[]): Promise<void> {
    // A half-open circuit gets one probe; the rest go back unclaimed, no attempt counted.
    const destination = messages[0].destination;
    const allowance = this.circuits.allowance(destination, this.clock.nowMs());
    const allowed = messages.slice(0, allowance);
    const held = messages.slice(allowed.length);
    if (held.length > 0) await this.releaseAll(held);
    const queue = await this.prepared(allowed);
    const probing = allowance === 1;
    const transport = this.transportFor(destination);
    // Batching transports take the messages in chunks (one request, one receipt per chunk).
    const batching = transport?.sendBatch !== undefined && !probing;
    const chunks = batching ? chunk(queue, transport.batchLimit) : queue.map((m) => [m]);
    const workers = Array.from({ length: Math.min(this.options.concurrencyPerDestination, chunks.length) }, async () => {
      for (let next = chunks.shift(); next; next = chunks.shift()) {
        if (!probing && this.circuits.state(destination) === 'open') {
          // The circuit opened during this round: hand the rest back without an attempt.
          await this.releaseAll(next);
          continue;
        }
        // A probe that goes through closes the circuit, and the rest flow at once.
        await (batching ? this.sendChunk(transport, next) : this.sendOne(next[0], probing));
      }
    });
    await Promise.all(workers);
  }

  /** The messages as the `beforeSend` hook hands them back; on its failure, none (each failure recorded). */
  private async prepared(messages: OutboxRecord[]): Promise<OutboxRecord[]> {
    if (!this.hooks.beforeSend || messages.length === 0) return messages;
    try {
      return [...(await this.hooks.beforeSend(messages))];
    } catch (error) {
      const started = this.clock.nowMs();
      const failure = DeliveryFailure.of('INTERNAL', 'the message could not be prepared for sending', error);
      for (const message of messages) await this.recordFailure(message, failure, started, false);
      return [];
    }
  }

  /**
   * The destination answered after its circuit was open: every message of it that waits out a
   * backoff drawn while it was down is made due now, and the relay is woken, so the backlog (and
   * the cases accepted meanwhile) goes at once instead of after minutes of backoff.
   */
  private async recovered(destination: string): Promise<void> {
    try {
      await this.db.transaction((tx) => tx.outbox.makeDue(destination, this.clock.nowMs()));
    } catch {
      // Their own backoffs still bring them (later): the delivery just recorded stands.
    }
    this.kick();
  }

  private async releaseAll(messages: readonly OutboxRecord[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const m of messages) await tx.outbox.release(m.messageId, this.clock.nowMs() + 100);
    });
  }

  /** One message on its own; `probe`: it tests a destination whose circuit is open. */
  private async sendOne(message: OutboxRecord, probe = false): Promise<boolean> {
    const started = this.clock.nowMs();
    const transport = this.transportFor(message.destination);
    try {
      if (!transport) throw DeliveryFailure.of('ROUTE_UNKNOWN', `no transport for ${message.destination}`);
      const outcome = await transport.send(message);
      await this.recordDelivered(message, { ...outcome, sentAt: started });
      this.hooks.onAttempt?.({ message, outcome: 'delivered', durationMs: this.clock.nowMs() - started });
      if (this.circuits.success(message.destination)) await this.recovered(message.destination);
      return true;
    } catch (error) {
      await this.recordFailure(message, error, started, true, probe);
      return false;
    }
  }

  /** One batch request; each message then succeeds or fails on its own. */
  private async sendChunk(transport: DestinationTransport | undefined, messages: readonly OutboxRecord[]): Promise<boolean> {
    const started = this.clock.nowMs();
    let results: readonly BatchItemResult[];
    try {
      if (!transport?.sendBatch) throw DeliveryFailure.of('ROUTE_UNKNOWN', `no batch transport for ${messages[0].destination}`);
      results = await transport.sendBatch(messages);
      if (results.length !== messages.length) throw DeliveryFailure.of('BATCH_ANSWER_INVALID', 'the batch answer does not match the batch');
    } catch (error) {
      // The request failed as a whole: one failure for the circuit, one attempt for each message.
      const failure = asFailure(error);
      if (!failure.permanent) this.circuits.failure(messages[0].destination, this.clock.nowMs());
      for (const message of messages) await this.recordFailure(message, failure, started, false);
      return false;
    }
    // A batch in which every message failed for a reason that may pass (the agency behind an
    // adapter is down, say) tells as much about the destination as a failed request would.
    const allTransient = results.every((r) => !r.ok && !r.failure.permanent);
    if (allTransient) this.circuits.failure(messages[0].destination, this.clock.nowMs());
    else if (this.circuits.success(messages[0].destination)) await this.recovered(messages[0].destination);
    await Promise.all(
      messages.map(async (message, i) => {
        const result = results[i];
        if (!result.ok) {
          await this.recordFailure(message, result.failure, started, false);
          return;
        }
        try {
          await this.recordDelivered(message, { ...result.outcome, sentAt: started });
          this.hooks.onAttempt?.({ message, outcome: 'delivered', durationMs: this.clock.nowMs() - started });
        } catch (error) {
          await this.recordFailure(message, error, started, false);
        }
      }),
    );
    return !allTransient;
  }

  /**
   * Marks a message delivered and runs the after-delivery hook in one transaction, shared with
   * every other delivery that finished meanwhile (group commit). If that shared transaction
   * fails, each of its messages is recorded again on its own, so one message's failing hook
   * never fails the others.
   */
  private recordDelivered(message: OutboxRecord, outcome: DeliveryOutcome): Promise<void> {
    const recorded = new Promise<void>((resolve, reject) => this.completions.push({ message, outcome, resolve, reject }));
    // Started at the end of this event-loop turn, so deliveries that finish in the same turn
    // (the answers of one batch, say) share the first transaction too.
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flushCompletions());
    }
    return recorded;
  }

  private async flushCompletions(): Promise<void> {
    this.flushing = true;
    try {
      while (this.completions.length > 0) {
        // In case order: each delivery's hook may lock its case, and transactions that lock
        // several cases take them in one order (ascending id), so they never deadlock.
        const group = this.completions.splice(0, this.options.batchSize).sort(byCase);
        try {
          await this.db.transaction(async (tx) => {
            await tx.outbox.markAllDelivered(group.map((c) => ({ messageId: c.message.messageId, receipt: c.outcome.proof })), this.clock.nowMs());
            for (const c of group) await this.hooks.afterDelivered?.(tx, c.message, c.outcome);
          });
          for (const c of group) c.resolve();
        } catch (error) {
          if (group.length === 1) {
            group[0].reject(error);
            continue;
          }
          for (const c of group) {
            await this.db.transaction((tx) => this.deliveredIn(tx, c)).then(c.resolve, c.reject);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async deliveredIn(tx: GatewayStores, c: Completion): Promise<void> {
    await tx.outbox.markDelivered(c.message.messageId, this.clock.nowMs(), c.outcome.proof);
    await this.hooks.afterDelivered?.(tx, c.message, c.outcome);
  }

  private async recordFailure(message: OutboxRecord, error: unknown, started: number, countForCircuit = true, probe = false): Promise<void> {
    const failure = asFailure(error);
    // A probe that met the destination still down says nothing about the message: no attempt.
    const attempts = probe && !failure.permanent ? message.attempts : message.attempts + 1;
    const now = this.clock.nowMs();
    const policy = this.policyFor(message.destination);
    // Only transient failures say the destination is unwell; a refused message is its own problem.
    if (!failure.permanent && countForCircuit) this.circuits.failure(message.destination, now);
    const dead = failure.permanent || !mayRetry(policy, attempts, now - message.createdAt);
    const reason = failure.permanent ? failure.reason : dead ? 'RETRIES_EXHAUSTED' : failure.reason;
    await this.db.transaction(async (tx) => {
      if (dead) await tx.outbox.markDead(message.messageId, attempts, reason, failure.message);
      else await tx.outbox.markRetry(message.messageId, attempts, now + backoffDelay(policy, Math.max(1, attempts), this.random), failure.message);
    });
    this.hooks.onAttempt?.({ message, outcome: dead ? 'dead' : 'retrying', durationMs: now - started, reason });
  }

  private policyFor(destination: string): RetryPolicy {
    const exact = this.options.policies[destination];
    if (exact) return exact;
    for (const [pattern, policy] of Object.entries(this.options.policies)) {
      if (pattern.endsWith('*') && destination.startsWith(pattern.slice(0, -1))) return policy;
    }
    return this.options.defaultPolicy;
  }
}

/** How often the waiting messages of an open destination are checked against their age. */
const AGE_CHECK_MS = 1_000;
const NOT_DELIVERED_IN_TIME = 'not delivered within maxAgeMs';

function byCase(a: Completion, b: Completion): number {
  const x = a.message.caseId ?? '';
  const y = b.message.caseId ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function asFailure(error: unknown): DeliveryFailure {
  return error instanceof DeliveryFailure
    ? error
    : DeliveryFailure.of('INTERNAL', error instanceof Error ? error.name : 'unknown error', error);
}

/** Splits messages into batches within the transport's limits (a message over the byte limit goes alone). */
function chunk(messages: readonly OutboxRecord[], limit: DestinationTransport['batchLimit'] = { messages: 50, bytes: 192 * 1024 }): OutboxRecord[][] {
  const out: OutboxRecord[][] = [];
  let current: OutboxRecord[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = message.payload.length + 1;
    if (current.length > 0 && (current.length >= limit.messages || bytes + size > limit.bytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
