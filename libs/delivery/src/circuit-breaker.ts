/** The state of one destination's circuit, as operators see it. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  /** Consecutive transient failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit waits before it lets the first probe through. */
  readonly openMs: number;
  /**
   * Each failed probe doubles the wait, up to this cap: the longest a destination that answers
   * again goes unnoticed (plus the probe's own time). Each wait is drawn in [0.8, 1] of its value.
   */
  readonly maxOpenMs: number;
}

/**
 * Why these: a destination that answers again must be found within 5 s, however long it was
 * down. The cap used to be 120 s, and deliveries resumed 78 s after a 75-second outage; one
 * probe every 2.5 s costs one request per destination, which a down destination can bear.
 */
export const DEFAULT_CIRCUIT_OPTIONS: CircuitOptions = { failureThreshold: 5, openMs: 1_000, maxOpenMs: 2_500 };

/** The share of a wait that jitter may take off, so replicas of a node do not probe in step. */
const OPEN_JITTER = 0.2;

interface Circuit {
  state: CircuitState;
  failures: number;
  openUntil: number;
  openMs: number;
  /** Half-open: when the probe was let through, until it answers (a circuit answer or `openMs`). */
  probeSince?: number | null;
}

/**
 * One circuit per destination. While a destination is down the relay stops sending it anything
 * (its messages wait, unclaimed, without using up attempts) and probes it with one message after
 * `openMs`, then at most every `maxOpenMs`; a success closes the circuit and the backlog flows
 * again at once (the relay makes the destination's waiting messages due).
 *
 * @example
 *   const breakers = new CircuitBreakers(DEFAULT_CIRCUIT_OPTIONS);
 *   breakers.failure('peer:CQ', now); // … five times: peer:CQ is open
 *   breakers.blocked(now) // ['peer:CQ']
 */
export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly options: CircuitOptions = DEFAULT_CIRCUIT_OPTIONS,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Destinations that must not be sent to now: open and not yet due for a probe, or half-open
   * with the probe still out (claiming their messages would only hand them back).
   */
  blocked(nowMs: number): string[] {
    const out: string[] = [];
    for (const [destination, circuit] of this.circuits) {
      if (circuit.state === 'open' && nowMs < circuit.openUntil) out.push(destination);
      else if (circuit.state === 'half-open' && this.probeOut(circuit, nowMs)) out.push(destination);
    }
    return out;
  }

  private probeOut(circuit: Circuit, nowMs: number): boolean {
    return circuit.probeSince !== undefined && circuit.probeSince !== null && nowMs - circuit.probeSince < circuit.openMs;
  }

  /**
   * How many messages may go to this destination in this round: 1 for the probe of a half-open
   * circuit, and 0 to every other round until that probe has answered (the relay sends several
   * batches at once), or for `openMs` if its answer did not count for the circuit (a refusal of
   * that one message, say).
   */
  allowance(destination: string, nowMs: number): number {
    const circuit = this.circuits.get(destination);
    if (!circuit || circuit.state === 'closed') return Number.POSITIVE_INFINITY;
    if (circuit.state === 'open' && nowMs >= circuit.openUntil) circuit.state = 'half-open';
    if (circuit.state !== 'half-open') return 0;
    if (this.probeOut(circuit, nowMs)) return 0;
    circuit.probeSince = nowMs;
    return 1;
  }

  /**
   * Records an answer from the destination. Returns true when it closed a circuit that was not
   * closed: the destination is back, and what waits for it should go now.
   */
  success(destination: string): boolean {
    const circuit = this.circuits.get(destination);
    if (!circuit) return false;
    this.circuits.set(destination, { state: 'closed', failures: 0, openUntil: 0, openMs: this.options.openMs });
    return circuit.state !== 'closed';
  }

  failure(destination: string, nowMs: number): void {
    const circuit = this.circuits.get(destination) ?? { state: 'closed', failures: 0, openUntil: 0, openMs: this.options.openMs };
    circuit.failures += 1;
    circuit.probeSince = null;
    if (circuit.state === 'half-open') {
      circuit.openMs = Math.min(this.options.maxOpenMs, circuit.openMs * 2);
      circuit.state = 'open';
      circuit.openUntil = nowMs + this.jittered(circuit.openMs);
    } else if (circuit.state === 'closed' && circuit.failures >= this.options.failureThreshold) {
      circuit.state = 'open';
      circuit.openUntil = nowMs + this.jittered(circuit.openMs);
    }
    this.circuits.set(destination, circuit);
  }

  /** Never longer than the wait itself, so `maxOpenMs` stays the longest a recovery goes unseen. */
  private jittered(waitMs: number): number {
    return Math.round(waitMs * (1 - OPEN_JITTER * this.random()));
  }

  state(destination: string): CircuitState {
    return this.circuits.get(destination)?.state ?? 'closed';
  }

  snapshot(): { destination: string; state: CircuitState; failures: number; openUntil: number | null }[] {
    return [...this.circuits].map(([destination, c]) => ({
      destination,
      state: c.state,
      failures: c.failures,
      openUntil: c.state === 'closed' ? null : c.openUntil,
    }));
  }
}
