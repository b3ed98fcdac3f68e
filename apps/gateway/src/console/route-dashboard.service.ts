import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Clock, toShanghaiIso, type NodeCode } from '#core';
import { SERVICE_CATALOGUE } from '#contracts';
import type { CircuitState } from '#delivery';
import { GatewayDatabase } from '#persistence';
import { NODE_CODE } from '../config/config.token.js';
import { agencyDestination, destinationText, parseDestination, peerDestination } from '../cases/destinations.js';
import { RelayService } from '../delivery/relay.service.js';
import { FederationHolder } from '../trust/federation-holder.js';
import { RouteSeries, type SeriesPoint, type SeriesRange } from '../observability/route-series.js';

/** How often the backlog per destination is counted for the charts (one exact GROUP BY count). */
const SAMPLE_EVERY_MS = 15_000;

export type RouteKind = 'peer' | 'agency' | 'self';

export interface RouteView {
  readonly destination: string;
  readonly kind: RouteKind;
  readonly circuit: { readonly state: CircuitState; readonly failures: number; readonly openUntil: string | null };
  readonly backlog: number;
  readonly points: readonly (Omit<SeriesPoint, 'at'> & { readonly at: string })[];
}

export interface RoutesDashboard {
  readonly node: string;
  readonly range: SeriesRange;
  readonly at: string;
  readonly routes: readonly RouteView[];
}

/**
 * The operator dashboard per route: every peer node of the federation, this node's own path
 * (`self`), each agency adapter of this node (from the service catalogue) and any other destination seen, with its circuit, current backlog and chart points.
 * Samples the outbox backlog per destination every 15 s (and on each dashboard read).
 */
@Injectable()
export class RouteDashboardService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RouteDashboard');
  private timer: NodeJS.Timeout | null = null;
  private last: { byDestination: Map<string, number> } = { byDestination: new Map() };

  constructor(
    @Inject(NODE_CODE) private readonly node: NodeCode,
    private readonly federation: FederationHolder,
    private readonly db: GatewayDatabase,
    private readonly relay: RelayService,
    private readonly series: RouteSeries,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sampleQuietly(), SAMPLE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async dashboard(range: SeriesRange): Promise<RoutesDashboard> {
    await this.sample();
    const circuits = new Map(this.relay.circuits().map((c) => [c.destination, c]));
    const peers = this.federation.current.nodes.filter((n) => n.node !== this.node).map((n) => destinationText(peerDestination(n.node, this.node)));
    // This node's agency adapters: one per agency function of the service catalogue.
    const agencies = [...new Set(Object.values(SERVICE_CATALOGUE).map((d) => destinationText(agencyDestination(`${this.node}.${d.agencyFunction}`))))];
    const destinations = [...new Set([...peers, 'self', ...agencies, ...this.series.destinations(), ...circuits.keys(), ...this.last.byDestination.keys()])].sort(
      byKindThenName,
    );
    return {
      node: this.node,
      range,
      at: toShanghaiIso(this.clock.nowMs()),
      routes: destinations.map((destination) => {
        const circuit = circuits.get(destination);
        return {
          destination,
          kind: kindOf(destination),
          circuit: {
            state: circuit?.state ?? 'closed',
            failures: circuit?.failures ?? 0,
            openUntil: circuit?.openUntil ? toShanghaiIso(circuit.openUntil) : null,
          },
          backlog: this.last.byDestination.get(destination) ?? 0,
          points: this.series.points(destination, range).map((p) => ({ ...p, at: toShanghaiIso(p.at) })),
        };
      }),
    };
  }

  /** Counts undelivered messages per destination (in the database) and hands them to the series. */
  async sample(): Promise<void> {
    const byDestination = await this.db.read((s) => s.outbox.backlogByDestination());
    this.last = { byDestination };
    this.series.recordBacklog(byDestination);
  }

  private async sampleQuietly(): Promise<void> {
    try {
      await this.sample();
    } catch (error) {
      // The next tick tries again; the dashboard read reports its own failure.
      this.logger.warn({ msg: 'backlog sample failed', error: (error as { name?: string }).name });
    }
  }
}

function kindOf(destination: string): RouteKind {
  return parseDestination(destination)?.kind ?? 'self';
}

const KIND_ORDER: Record<RouteKind, number> = { peer: 0, self: 1, agency: 2 };

function byKindThenName(a: string, b: string): number {
  return KIND_ORDER[kindOf(a)] - KIND_ORDER[kindOf(b)] || a.localeCompare(b);
}
