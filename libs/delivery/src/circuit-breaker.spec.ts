import { CircuitBreakers, DEFAULT_CIRCUIT_OPTIONS } from './circuit-breaker.js';

describe('CircuitBreakers', () => {
  const options = { failureThreshold: 3, openMs: 1_000, maxOpenMs: 4_000 };
  const noJitter = () => 0;

  it('opens after the threshold, blocks until the probe time, then lets one probe through', () => {
    const b = new CircuitBreakers(options, noJitter);
    b.failure('peer:CQ', 0);
    b.failure('peer:CQ', 0);
    expect(b.blocked(0)).toEqual([]);
    b.failure('peer:CQ', 0);
    expect(b.state('peer:CQ')).toBe('open');
    expect(b.blocked(500)).toEqual(['peer:CQ']);
    expect(b.allowance('peer:CQ', 500)).toBe(0);
    expect(b.blocked(1_000)).toEqual([]);
    expect(b.allowance('peer:CQ', 1_000)).toBe(1);
    expect(b.state('peer:CQ')).toBe('half-open');
  });

  it('closes on a successful probe and doubles the wait on a failed one', () => {
    const b = new CircuitBreakers(options, noJitter);
    for (let i = 0; i < 3; i += 1) b.failure('peer:CQ', 0);
    b.allowance('peer:CQ', 1_000);
    b.failure('peer:CQ', 1_000);
    expect(b.blocked(2_999)).toEqual(['peer:CQ']);
    expect(b.blocked(3_000)).toEqual([]);
    b.allowance('peer:CQ', 3_000);
    b.success('peer:CQ');
    expect(b.state('peer:CQ')).toBe('closed');
    expect(b.allowance('peer:CQ', 3_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('lets one probe at a time through a half-open circuit, and another if the first never counted', () => {
    const b = new CircuitBreakers(options, noJitter);
    for (let i = 0; i < 3; i += 1) b.failure('peer:CQ', 0);
    expect(b.allowance('peer:CQ', 1_000)).toBe(1);
    // Other batches in flight at the same time get nothing while the probe is out.
    expect(b.allowance('peer:CQ', 1_001)).toBe(0);
    expect(b.allowance('peer:CQ', 1_999)).toBe(0);
    // The probe's message was refused on its own (no circuit answer): another probe after openMs.
    expect(b.allowance('peer:CQ', 2_000)).toBe(1);
  });

  it('keeps destinations apart', () => {
    const b = new CircuitBreakers(options, noJitter);
    for (let i = 0; i < 3; i += 1) b.failure('peer:CQ', 0);
    expect(b.allowance('agency:SC.card', 0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('CircuitBreakers with the default options', () => {
  /** Probes a destination down until `upAt` (failing each probe), and answers when it first sees it again. */
  function recoveryDelay(upAt: number): number {
    const b = new CircuitBreakers(DEFAULT_CIRCUIT_OPTIONS, () => 0.5);
    for (let i = 0; i < DEFAULT_CIRCUIT_OPTIONS.failureThreshold; i += 1) b.failure('peer:CQ', 0);
    for (let now = 0; ; now += 50) {
      if (b.allowance('peer:CQ', now) !== 1) continue;
      if (now < upAt) {
        b.failure('peer:CQ', now);
        continue;
      }
      b.success('peer:CQ');
      return now - upAt;
    }
  }

  it('finds a destination that answers again within 5 s, however long it was down', () => {
    for (const outageMs of [4_000, 60_000, 75_000, 10 * 60_000]) expect(recoveryDelay(outageMs)).toBeLessThanOrEqual(5_000);
  });

  it('waits at most maxOpenMs between two probes, drawn with jitter below it so replicas do not probe in step', () => {
    const waits = [0, 0.5, 0.999].map((r) => {
      const b = new CircuitBreakers({ failureThreshold: 1, openMs: 1_000, maxOpenMs: 2_500 }, () => r);
      b.failure('peer:CQ', 0);
      for (let i = 0; i < 10; i += 1) {
        const probeAt = b.snapshot()[0].openUntil!;
        b.allowance('peer:CQ', probeAt);
        b.failure('peer:CQ', probeAt);
      }
      const last = b.snapshot()[0].openUntil!;
      b.allowance('peer:CQ', last);
      b.failure('peer:CQ', last);
      return b.snapshot()[0].openUntil! - last;
    });
    expect(waits[0]).toBe(2_500);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(2_000);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(2_500);
    expect(new Set(waits).size).toBe(3);
  });

  it('says whether a success closed a circuit that was open, so the relay can send the backlog at once', () => {
    const b = new CircuitBreakers({ failureThreshold: 1, openMs: 1_000, maxOpenMs: 2_500 });
    expect(b.success('peer:CQ')).toBe(false);
    b.failure('peer:CQ', 0);
    b.allowance('peer:CQ', 1_000);
    expect(b.success('peer:CQ')).toBe(true);
    expect(b.success('peer:CQ')).toBe(false);
  });
});
