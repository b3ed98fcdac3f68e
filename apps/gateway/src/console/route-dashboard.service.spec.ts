import { FederationHolder } from '../trust/federation-holder.js';
import { ManualClock } from '#core';
import type { GatewayDatabase, OutboxRecord, OutboxState } from '#persistence';
import type { Federation } from '#signing';
import type { RelayService } from '../delivery/relay.service.js';
import { RouteDashboardService } from './route-dashboard.service.js';
import { RouteSeries } from '../observability/route-series.js';

const START = Date.UTC(2026, 10, 23, 1, 0, 0);

/** An outbox that answers `list({ state })` from fixed rows. */
function fakeDb(rows: Partial<Record<OutboxState, string[]>>): GatewayDatabase {
  const stores = {
    outbox: {
      // What the database's GROUP BY answers: undelivered messages (pending, in flight, retrying) per destination.
      backlogByDestination: async () => {
        const counts = new Map<string, number>();
        for (const state of ['pending', 'in-flight', 'retrying'] as const) for (const d of rows[state] ?? []) counts.set(d, (counts.get(d) ?? 0) + 1);
        return counts;
      },
    },
  };
  return { read: async <T>(work: (s: typeof stores) => Promise<T>) => work(stores) } as unknown as GatewayDatabase;
}

function service(rows: Partial<Record<OutboxState, string[]>>, circuits: ReturnType<RelayService['circuits']> = []) {
  const clock = new ManualClock(START);
  const series = new RouteSeries(clock);
  const federation = { version: 1, nodes: [{ node: 'SC' }, { node: 'CQ' }] } as unknown as Federation;
  const relay = { circuits: () => circuits } as unknown as RelayService;
  const dashboard = new RouteDashboardService('CQ', new FederationHolder(federation), fakeDb(rows), relay, series, clock);
  return { dashboard, series };
}

describe('RouteDashboardService', () => {
  it('lists every peer of the federation, this node and each of its agency adapters, with backlog and circuit', async () => {
    const { dashboard, series } = service(
      { pending: ['peer:SC', 'peer:SC', 'agency:CQ.card'], retrying: ['peer:SC'] },
      [{ destination: 'peer:SC', state: 'open', failures: 5, openUntil: START + 5000 }],
    );
    series.record({ message: { destination: 'agency:CQ.card' } as OutboxRecord, outcome: 'delivered', durationMs: 12 });

    const view = await dashboard.dashboard('hour');

    // Every agency adapter of the node is listed, traffic or not (one per agency function).
    expect(view.routes.map((r) => r.destination)).toEqual(['peer:SC', 'self', 'agency:CQ.card', 'agency:CQ.medical', 'agency:CQ.pension']);
    const peer = view.routes[0];
    expect(peer).toMatchObject({ kind: 'peer', backlog: 3, circuit: { state: 'open', failures: 5, openUntil: '2026-11-23T09:00:05.000+08:00' } });
    expect(peer.points).toHaveLength(60);
    expect(peer.points.at(-1)).toMatchObject({ at: '2026-11-23T09:00:00.000+08:00', backlog: 3 });
    expect(view.routes[2]).toMatchObject({ kind: 'agency', backlog: 1, circuit: { state: 'closed' } });
    expect(view.routes[2].points.at(-1)).toMatchObject({ delivered: 1, latencyAvgMs: 12 });
    expect(view.routes[1]).toMatchObject({ kind: 'self', backlog: 0 });
  });

  it('draws a day as 96 quarter-hour points', async () => {
    const { dashboard } = service({});
    const view = await dashboard.dashboard('day');
    expect(view.routes.every((r) => r.points.length === 96)).toBe(true);
  });
});
