import { ManualClock } from '#core';
import type { RelayAttemptEvent } from '#delivery';
import type { OutboxRecord } from '#persistence';
import { RouteSeries } from './route-series.js';

const START = Date.UTC(2026, 10, 23, 1, 0, 0);

function attempt(destination: string, outcome: RelayAttemptEvent['outcome'], durationMs: number): RelayAttemptEvent {
  return { message: { destination, messageType: 'ssc.apply.request' } as OutboxRecord, outcome, durationMs };
}

describe('RouteSeries', () => {
  it('counts deliveries, failures and latency per destination in the minute they happen', () => {
    const clock = new ManualClock(START);
    const series = new RouteSeries(clock);
    series.record(attempt('peer:SC', 'delivered', 20));
    series.record(attempt('peer:SC', 'retrying', 40));
    series.record(attempt('peer:SC', 'dead', 60));
    series.record(attempt('agency:CQ.card', 'delivered', 5));
    clock.advance(60_000);
    series.record(attempt('peer:SC', 'delivered', 10));

    const points = series.points('peer:SC', 'hour');
    expect(points).toHaveLength(60);
    expect(points.at(-2)).toMatchObject({ at: START, delivered: 1, failed: 2, dead: 1, latencyAvgMs: 40, latencyMaxMs: 60, perMinute: 3 });
    expect(points.at(-1)).toMatchObject({ at: START + 60_000, delivered: 1, failed: 0, perMinute: 1 });
    expect(points[0]).toMatchObject({ delivered: 0, failed: 0, latencyAvgMs: null, backlog: null });
    expect(series.points('agency:CQ.card', 'hour').at(-2)).toMatchObject({ delivered: 1, failed: 0 });
    expect(series.destinations().sort()).toEqual(['agency:CQ.card', 'peer:SC']);
  });

  it('folds a day into 96 quarter-hour points, per-minute rate averaged over the span', () => {
    const clock = new ManualClock(START);
    const series = new RouteSeries(clock);
    for (let i = 0; i < 30; i += 1) series.record(attempt('peer:SC', 'delivered', 1));
    clock.advance(5 * 60_000);
    const points = series.points('peer:SC', 'day');
    expect(points).toHaveLength(96);
    expect(points.at(-1)).toMatchObject({ at: START, delivered: 30, perMinute: 2 });
  });

  it('keeps the last backlog sample of a span and marks destinations without backlog as 0', () => {
    const clock = new ManualClock(START);
    const series = new RouteSeries(clock);
    series.record(attempt('agency:SC.card', 'delivered', 1));
    series.recordBacklog(new Map([['peer:CQ', 7]]));
    clock.advance(20_000);
    series.recordBacklog(new Map([['peer:CQ', 3]]));
    expect(series.points('peer:CQ', 'hour').at(-1)?.backlog).toBe(3);
    expect(series.points('agency:SC.card', 'hour').at(-1)?.backlog).toBe(0);
  });

  it('forgets minutes older than a day', () => {
    const clock = new ManualClock(START);
    const series = new RouteSeries(clock);
    series.record(attempt('peer:SC', 'delivered', 1));
    clock.advance(24 * 3600_000 + 60_000);
    series.record(attempt('peer:SC', 'delivered', 1));
    const day = series.points('peer:SC', 'day');
    expect(day.reduce((n, p) => n + p.delivered, 0)).toBe(1);
  });
});
