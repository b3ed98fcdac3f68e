import { Injectable } from '@nestjs/common';
import { Clock } from '#core';
import type { RelayAttemptEvent } from '#delivery';

const MINUTE_MS = 60_000;
/** A day of minutes is kept per destination; older buckets are dropped as new ones open. */
const KEEP_MINUTES = 24 * 60;

/** What happened on one route (outbox destination) during one minute. */
export interface MinuteBucket {
  /** Start of the minute, epoch ms. */
  readonly minute: number;
  delivered: number;
  /** Attempts that failed and will be retried. */
  retrying: number;
  /** Attempts that ended in the dead-letter list. */
  dead: number;
  latencySumMs: number;
  latencyMaxMs: number;
  /** Undelivered messages for this destination, last sampled in this minute (null: not sampled). */
  backlog: number | null;
}

/** One point of a chart: a span of `spanMinutes` minutes folded together. */
export interface SeriesPoint {
  /** Start of the span, epoch ms. */
  readonly at: number;
  readonly delivered: number;
  readonly failed: number;
  readonly dead: number;
  /** Mean latency of the attempts in the span (ms), null when there was none. */
  readonly latencyAvgMs: number | null;
  readonly latencyMaxMs: number | null;
  /** Messages per minute over the span (delivered + failed). */
  readonly perMinute: number;
  /** The last backlog sample in the span, null when none was taken. */
  readonly backlog: number | null;
}

export type SeriesRange = 'hour' | 'day';

/** Hour: 60 one-minute points. Day: 96 points of 15 minutes. */
export const RANGES: Record<SeriesRange, { readonly points: number; readonly spanMinutes: number }> = {
  hour: { points: 60, spanMinutes: 1 },
  day: { points: 96, spanMinutes: 15 },
};

/**
 * Per-destination, per-minute delivery figures of this node, kept in memory for a day: what the
 * operator dashboard draws. Fed by the relay on every attempt and by the backlog sampler; a
 * restart starts the series afresh (Prometheus keeps the long history from /metrics).
 */
@Injectable()
export class RouteSeries {
  private readonly routes = new Map<string, Map<number, MinuteBucket>>();

  constructor(private readonly clock: Clock) {}

  /** The relay's hook: one delivery attempt and its outcome. */
  record(event: RelayAttemptEvent): void {
    const bucket = this.bucket(event.message.destination);
    switch (event.outcome) {
      case 'delivered':
        bucket.delivered += 1;
        break;
      case 'retrying':
        bucket.retrying += 1;
        break;
      case 'dead':
        bucket.dead += 1;
        break;
    }
    const latency = Math.max(0, event.durationMs);
    bucket.latencySumMs += latency;
    bucket.latencyMaxMs = Math.max(bucket.latencyMaxMs, latency);
  }

  /** The sampler's hook: the undelivered messages of every destination now (missing = 0). */
  recordBacklog(byDestination: ReadonlyMap<string, number>): void {
    for (const destination of new Set([...this.routes.keys(), ...byDestination.keys()])) {
      this.bucket(destination).backlog = byDestination.get(destination) ?? 0;
    }
  }

  destinations(): string[] {
    return [...this.routes.keys()];
  }

  /**
   * The chart points of one destination over the last hour or day, oldest first, ending with
   * the span that holds the current minute.
   *
   * @example series.points('peer:SC', 'hour') // 60 points, one a minute
   */
  points(destination: string, range: SeriesRange): SeriesPoint[] {
    const { points, spanMinutes } = RANGES[range];
    const spanMs = spanMinutes * MINUTE_MS;
    const buckets = this.routes.get(destination) ?? new Map<number, MinuteBucket>();
    const lastSpan = Math.floor(this.clock.nowMs() / spanMs) * spanMs;
    const out: SeriesPoint[] = [];
    for (let i = points - 1; i >= 0; i -= 1) {
      const at = lastSpan - i * spanMs;
      let delivered = 0;
      let failed = 0;
      let dead = 0;
      let latencySum = 0;
      let latencyMax: number | null = null;
      let backlog: number | null = null;
      for (let m = 0; m < spanMinutes; m += 1) {
        const b = buckets.get(at + m * MINUTE_MS);
        if (!b) continue;
        delivered += b.delivered;
        failed += b.retrying + b.dead;
        dead += b.dead;
        latencySum += b.latencySumMs;
        if (b.delivered + b.retrying + b.dead > 0) latencyMax = Math.max(latencyMax ?? 0, b.latencyMaxMs);
        if (b.backlog !== null) backlog = b.backlog;
      }
      const attempts = delivered + failed;
      out.push({
        at,
        delivered,
        failed,
        dead,
        latencyAvgMs: attempts > 0 ? Math.round((latencySum / attempts) * 10) / 10 : null,
        latencyMaxMs: latencyMax,
        perMinute: Math.round((attempts / spanMinutes) * 100) / 100,
        backlog,
      });
    }
    return out;
  }

  private bucket(destination: string): MinuteBucket {
    const minute = Math.floor(this.clock.nowMs() / MINUTE_MS) * MINUTE_MS;
    let buckets = this.routes.get(destination);
    if (!buckets) {
      buckets = new Map();
      this.routes.set(destination, buckets);
    }
    let bucket = buckets.get(minute);
    if (!bucket) {
      bucket = { minute, delivered: 0, retrying: 0, dead: 0, latencySumMs: 0, latencyMaxMs: 0, backlog: null };
      buckets.set(minute, bucket);
      // Why here: a new minute is the only moment old ones can fall out of the day kept.
      for (const old of buckets.keys()) if (old <= minute - KEEP_MINUTES * MINUTE_MS) buckets.delete(old);
    }
    return bucket;
  }
}
