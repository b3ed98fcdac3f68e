/** The state of one destination's circuit, as operators see it. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  /** Consecutive transient failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit waits before it lets one probe through. */
  readonly openMs: number;
  /** Each failed probe doubles the wait, up to this. */
  readonly maxOpenMs: number;
}

export const DEFAULT_CIRCUIT_OPTIONS: CircuitOptions = { failureThreshold: 5, openMs: 5_000, maxOpenMs: 120_000 };

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
 * `openMs`; a success closes the circuit and the backlog flows again.
 *
 * @example
 *   const breakers = new CircuitBreakers(DEFAULT_CIRCUIT_OPTIONS);
 *   breakers.failure('peer:CQ', now); // … five times: peer:CQ is open
 *   breakers.blocked(now) // ['peer:CQ']
 */
export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();

  constructor(private readonly options: CircuitOptions = DEFAULT_CIRCUIT_OPTIONS) {}

  /** Destinations that must not be sent to now (open and not yet due for a probe). */
  blocked(nowMs: number): string[] {
    const out: string[] = [];
    for (const [destination, circuit] of this.circuits) {
      if (circuit.state === 'open' && nowMs < circuit.openUntil) out.push(destination);
    }
    return out;
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
    if (circuit.probeSince !== undefined && circuit.probeSince !== null && nowMs - circuit.probeSince < circuit.openMs) return 0;
    circuit.probeSince = nowMs;
    return 1;
  }

  success(destination: string): void {
    const circuit = this.circuits.get(destination);
    if (circuit) this.circuits.set(destination, { state: 'closed', failures: 0, openUntil: 0, openMs: this.options.openMs });
  }

  failure(destination: string, nowMs: number): void {
    const circuit = this.circuits.get(destination) ?? { state: 'closed', failures: 0, openUntil: 0, openMs: this.options.openMs };
    circuit.failures += 1;
    circuit.probeSince = null;
    if (circuit.state === 'half-open') {
      circuit.openMs = Math.min(this.options.maxOpenMs, circuit.openMs * 2);
      circuit.state = 'open';
      circuit.openUntil = nowMs + circuit.openMs;
    } else if (circuit.state === 'closed' && circuit.failures >= this.options.failureThreshold) {
      circuit.state = 'open';
      circuit.openUntil = nowMs + circuit.openMs;
    }
    this.circuits.set(destination, circuit);
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
