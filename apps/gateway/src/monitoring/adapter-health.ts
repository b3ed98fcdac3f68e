import type { AgencyReachability } from '#contracts';
import type { AdapterHeartbeatRecord } from '#persistence';

/** How many beats an adapter may miss before it is shown down. */
export const MISSED_BEATS_FOR_DOWN = 3;

/** One indicator of `/health`: up, or degraded with what is wrong (the node still accepts and queues). */
export interface HealthView {
  readonly status: 'up' | 'degraded';
  readonly data: Record<string, unknown>;
}

/**
 * When an instance was last known alive: when its beat arrived, by this node's clock; but a beat
 * that arrived more than the window after it was sent (it waited in a queue while the gateway was
 * away, or the adapter's clock is far behind) only proves the adapter was alive when it sent it.
 */
function lastAlive(beat: AdapterHeartbeatRecord): number {
  const window = MISSED_BEATS_FOR_DOWN * beat.everyMs;
  return beat.receivedAt - beat.sentAt > window ? beat.sentAt : beat.receivedAt;
}

function isAlive(beat: AdapterHeartbeatRecord, nowMs: number): boolean {
  return beat.stoppedAt === null && nowMs - lastAlive(beat) <= MISSED_BEATS_FOR_DOWN * beat.everyMs;
}

function reachabilityOf(beat: AdapterHeartbeatRecord): AgencyReachability[] {
  try {
    const parsed = JSON.parse(beat.agenciesJson) as unknown;
    return Array.isArray(parsed) ? (parsed as AgencyReachability[]) : [];
  } catch {
    return [];
  }
}

/**
 * The adapters and the agencies behind them as `/health` shows them, from the latest heartbeat
 * of each adapter instance: `agencyAdapter` is up while at least one instance beat within the
 * last MISSED_BEATS_FOR_DOWN beats, and `agency:<code>` is up when a live instance's last call to
 * that agency was answered, down when the live instances could not reach it, unknown when no
 * live instance has called it (or none is alive to say). Either is `degraded`, never `down`, in
 * terminus terms: the node still accepts applications and keeps the hand-overs in its outbox, so
 * a load balancer must not take it out; `state` says what is true.
 *
 * @example adapterHealth([beat], Date.now(), ['SC.card']).adapter.data.state // 'up'
 */
export function adapterHealth(
  beats: readonly AdapterHeartbeatRecord[],
  nowMs: number,
  agencies: readonly string[],
): { readonly adapter: HealthView; readonly agencies: ReadonlyMap<string, HealthView> } {
  const alive = beats.filter((b) => isAlive(b, nowMs));
  const newest = [...beats].sort((a, b) => lastAlive(b) - lastAlive(a))[0];
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  let adapter: HealthView;
  if (alive.length > 0) {
    adapter = { status: 'up', data: { state: 'up', instances: alive.length, lastBeatAt: iso(Math.max(...alive.map(lastAlive))) } };
  } else {
    const message = !newest
      ? 'no adapter has sent a heartbeat; hand-overs wait in the outbox'
      : newest.stoppedAt !== null
        ? 'the last adapter stopped; hand-overs wait in the outbox'
        : `no heartbeat for ${Math.round((nowMs - lastAlive(newest)) / 1000)} s (${MISSED_BEATS_FOR_DOWN} missed); hand-overs wait in the outbox`;
    adapter = { status: 'degraded', data: { state: 'down', instances: 0, lastBeatAt: iso(newest ? lastAlive(newest) : undefined), message } };
  }
  const reports = alive.flatMap(reachabilityOf);
  const codes = [...new Set([...agencies, ...reports.map((r) => r.agency)])].sort();
  const views = new Map<string, HealthView>();
  for (const code of codes) {
    const mine = reports.filter((r) => r.agency === code);
    const up = mine.filter((r) => r.state === 'up');
    const down = mine.filter((r) => r.state === 'down');
    const latest = (values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined).sort().at(-1) ?? null;
    if (up.length > 0) {
      views.set(code, { status: 'up', data: { state: 'up', lastAnswerAt: latest(up.map((r) => r.lastAnswerAt)), ...(down.length > 0 ? { instancesNotReaching: down.length } : {}) } });
    } else if (down.length > 0) {
      const last = [...down].sort((a, b) => (a.lastFailureAt ?? '').localeCompare(b.lastFailureAt ?? '')).at(-1);
      views.set(code, {
        status: 'degraded',
        data: {
          state: 'down',
          lastFailureAt: last?.lastFailureAt ?? null,
          lastFailureCode: last?.lastFailureCode ?? null,
          lastAnswerAt: latest(down.map((r) => r.lastAnswerAt)),
          message: 'the adapter cannot reach this agency system; hand-overs wait in the outbox',
        },
      });
    } else {
      views.set(code, {
        status: 'degraded',
        data: { state: 'unknown', message: alive.length === 0 ? 'no adapter is alive to say' : 'the adapter has not called this agency system since it started' },
      });
    }
  }
  return { adapter, agencies: views };
}
