import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { SystemClock, type Clock } from '#core';
import { linkProof, type AgencyLinkKey } from '#delivery';
import {
  AGENCY_HEARTBEAT,
  heartbeatProofId,
  type AdapterHeartbeat,
  type AdapterHeartbeatAck,
  type AgencyCode,
  type AgencyReachability,
} from '#contracts';
import type { AgencyClient } from './agency-client.js';
import { AgencyCallError } from './agency-errors.js';

/** How often an adapter beats unless ADAPTER_HEARTBEAT_MS says otherwise. */
export const DEFAULT_ADAPTER_HEARTBEAT_MS = 5000;

/**
 * What the adapter last heard from each agency it fronts: whether its last call or feed poll was
 * answered. Only the fact and the error code are kept, never a request or an answer.
 */
export class AgencyReachabilityLog {
  private readonly states = new Map<AgencyCode, { state: AgencyReachability['state']; lastAnswerAt?: number; lastFailureAt?: number; lastFailureCode?: string }>();
  /** Called when an agency goes from one state to another (the heartbeat then goes at once). */
  onChange: (() => void) | null = null;

  constructor(
    agencies: readonly AgencyCode[],
    private readonly clock: Clock,
  ) {
    for (const agency of agencies) this.states.set(agency, { state: 'unknown' });
  }

  /** The agency answered (with success or with a refusal of its own: either way it is there). */
  answered(agency: AgencyCode): void {
    const entry = this.states.get(agency);
    if (!entry) return;
    const changed = entry.state !== 'up';
    entry.state = 'up';
    entry.lastAnswerAt = this.clock.nowMs();
    if (changed) this.onChange?.();
  }

  /** The agency could not be reached or did not answer in time (`code`, e.g. AGENCY_UNAVAILABLE). */
  unreachable(agency: AgencyCode, code: string): void {
    const entry = this.states.get(agency);
    if (!entry) return;
    const changed = entry.state !== 'down';
    entry.state = 'down';
    entry.lastFailureAt = this.clock.nowMs();
    entry.lastFailureCode = code;
    if (changed) this.onChange?.();
  }

  /**
   * Each agency as the heartbeat reports it.
   *
   * @example new AgencyReachabilityLog(['SC.card'], clock).snapshot() // [{ agency: 'SC.card', state: 'unknown' }]
   */
  snapshot(): AgencyReachability[] {
    return [...this.states].map(([agency, e]) => ({
      agency,
      state: e.state,
      ...(e.lastAnswerAt !== undefined ? { lastAnswerAt: new Date(e.lastAnswerAt).toISOString() } : {}),
      ...(e.lastFailureAt !== undefined ? { lastFailureAt: new Date(e.lastFailureAt).toISOString() } : {}),
      ...(e.lastFailureCode !== undefined ? { lastFailureCode: e.lastFailureCode } : {}),
    }));
  }
}

/**
 * The client with every call watched: an answer (even a refusal, AGENCY_REFUSED, or "no such
 * case yet", AGENCY_CASE_UNKNOWN) means the agency is there; AGENCY_UNAVAILABLE (no answer,
 * timeout, 5xx) means it is not. Any other failure (a mapping of ours) says nothing about the
 * agency and changes nothing. Results and errors pass through unchanged.
 *
 * @example const watched = watchAgency(cardClient, log); await watched.fetchEvents(0, 100);
 */
export function watchAgency(client: AgencyClient, log: AgencyReachabilityLog): AgencyClient {
  const observe = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const value = await call();
      log.answered(client.agency);
      return value;
    } catch (error) {
      if (error instanceof AgencyCallError) {
        if (error.code === 'AGENCY_UNAVAILABLE') log.unreachable(client.agency, error.code);
        else log.answered(client.agency);
      }
      throw error;
    }
  };
  return {
    agency: client.agency,
    submit: (forwarded, messageId) => observe(() => client.submit(forwarded, messageId)),
    withdraw: (withdrawal, messageId) => observe(() => client.withdraw(withdrawal, messageId)),
    supplement: (supplement, messageId) => observe(() => client.supplement(supplement, messageId)),
    lookUp: (forwarded) => observe(() => client.lookUp(forwarded)),
    // Only the pension offices have these: a watched client has them exactly when the client does.
    ...(client.contactLetter ? { contactLetter: (letter, messageId) => observe(() => client.contactLetter!(letter, messageId)) } : {}),
    ...(client.transferReply ? { transferReply: (reply, messageId) => observe(() => client.transferReply!(reply, messageId)) } : {}),
    fetchEvents: (cursor, limit) => observe(() => client.fetchEvents(cursor, limit)),
  } satisfies AgencyClient;
}

/**
 * Sends the adapter's heartbeat to its gateway over the status link (TCP or the RabbitMQ status
 * queue) every `everyMs`, at once when an agency's state changes, and a last one marked
 * `stopping` on a graceful stop. Why heartbeats and not a probe from the gateway: in production
 * the gateway has no address of its adapters (they are consumers of a queue), and the adapter is
 * the one that knows whether its agencies answer. A beat that fails is only logged (once per
 * distinct problem): the gateway shows the adapter down when beats stop arriving.
 */
export class HeartbeatSender {
  private readonly logger = new Logger('Heartbeat');
  readonly adapterId = randomUUID();
  private beat = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastProblem: string | null = null;
  private readonly clock: Clock;

  constructor(
    private readonly gateway: ClientProxy,
    private readonly reachability: AgencyReachabilityLog,
    private readonly options: { readonly everyMs: number; readonly ackTimeoutMs: number; readonly link: AgencyLinkKey; readonly clock?: Clock },
  ) {
    this.clock = options.clock ?? new SystemClock();
    reachability.onChange = () => void this.beatOnce();
  }

  start(): void {
    if (this.timer || this.options.everyMs <= 0) return;
    void this.beatOnce();
    this.timer = setInterval(() => void this.beatOnce(), this.options.everyMs);
    this.timer.unref();
  }

  /** Stops beating and says so to the gateway (best effort, within a second). */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.reachability.onChange = null;
    await this.beatOnce({ stopping: true, timeoutMs: Math.min(1000, this.options.ackTimeoutMs) });
  }

  /** Sends one beat now; resolves whether the gateway acknowledged it. Never rejects. */
  async beatOnce(options: { stopping?: boolean; timeoutMs?: number } = {}): Promise<boolean> {
    this.beat += 1;
    const beat: AdapterHeartbeat = {
      adapterId: this.adapterId,
      beat: this.beat,
      sentAt: this.clock.now().toISOString(),
      everyMs: this.options.everyMs,
      ...(options.stopping ? { stopping: true } : {}),
      agencies: this.reachability.snapshot(),
    };
    const proved = { ...beat, proof: linkProof(this.options.link.secret, heartbeatProofId(beat), this.options.link.suite) };
    try {
      await firstValueFrom(this.gateway.send<AdapterHeartbeatAck>(AGENCY_HEARTBEAT, proved).pipe(timeout(options.timeoutMs ?? this.options.ackTimeoutMs)));
      this.lastProblem = null;
      return true;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const problem = typeof code === 'string' ? code : error instanceof Error ? error.name : 'GATEWAY_UNREACHABLE';
      if (problem !== this.lastProblem) this.logger.warn({ msg: 'heartbeat not acknowledged; will beat again', code: problem });
      this.lastProblem = problem;
      return false;
    }
  }
}
