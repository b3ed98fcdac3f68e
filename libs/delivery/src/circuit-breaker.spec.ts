import { CircuitBreakers } from './circuit-breaker.js';

describe('CircuitBreakers', () => {
  const options = { failureThreshold: 3, openMs: 1_000, maxOpenMs: 4_000 };

  it('opens after the threshold, blocks until the probe time, then lets one probe through', () => {
    const b = new CircuitBreakers(options);
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
    const b = new CircuitBreakers(options);
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
    const b = new CircuitBreakers(options);
    for (let i = 0; i < 3; i += 1) b.failure('peer:CQ', 0);
    expect(b.allowance('peer:CQ', 1_000)).toBe(1);
    // Other batches in flight at the same time get nothing while the probe is out.
    expect(b.allowance('peer:CQ', 1_001)).toBe(0);
    expect(b.allowance('peer:CQ', 1_999)).toBe(0);
    // The probe's message was refused on its own (no circuit answer): another probe after openMs.
    expect(b.allowance('peer:CQ', 2_000)).toBe(1);
  });

  it('keeps destinations apart', () => {
    const b = new CircuitBreakers(options);
    for (let i = 0; i < 3; i += 1) b.failure('peer:CQ', 0);
    expect(b.allowance('agency:SC.card', 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
