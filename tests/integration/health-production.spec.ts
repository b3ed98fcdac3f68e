import { agencyLinkQueues } from '#delivery';
import { cardApplication } from '../e2e/support/applications.js';
import { TwoNodeHarness } from '../e2e/support/two-node-harness.js';
import { eventually } from '../e2e/support/free-port.js';
import { dropPostgresDatabase, freshPostgresDatabase } from './support/postgres.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable } from './support/rabbitmq.js';
import { TcpSwitch } from './support/tcp-switch.js';

/**
 * What `/health` says in production mode (PostgreSQL and RabbitMQ) when a part is gone: the
 * adapters are seen through their heartbeats on the status queue (there is no TCP port to probe),
 * and a node whose database cannot be reached says so with 503, at `/health` and at intake. The
 * Sichuan node reaches its database through a TCP switch, so this test can take that database
 * away without stopping the PostgreSQL server other tests use.
 */
interface Health {
  readonly status: string;
  readonly details: Record<string, { readonly status: string; readonly state?: string; readonly [key: string]: unknown }>;
}

describe('production mode: /health tells the truth', () => {
  const prefix = `cytb-health-${process.pid}`;
  const urls: { SC: string | null; CQ: string | null } = { SC: null, CQ: null };
  let door: TcpSwitch | null = null;
  let harness: TwoNodeHarness | null = null;

  beforeAll(async () => {
    urls.SC = await freshPostgresDatabase('health_sc');
    urls.CQ = await freshPostgresDatabase('health_cq');
    if (!urls.SC || !urls.CQ || !(await rabbitAvailable('health'))) return;
    const direct = new URL(urls.SC);
    door = await TcpSwitch.open(Number(direct.port || 5432), direct.hostname);
    const viaDoor = new URL(urls.SC);
    viaDoor.port = String(door.port);
    harness = await TwoNodeHarness.start({
      production: { databaseUrls: { SC: viaDoor.toString(), CQ: urls.CQ }, amqpUrl: RABBITMQ_URL, queuePrefix: prefix },
    });
  }, 60_000);

  afterAll(async () => {
    await door?.restore();
    await harness?.stop();
    await door?.cut();
    await dropPostgresDatabase(urls.SC);
    await dropPostgresDatabase(urls.CQ);
    if (harness) {
      const q = [agencyLinkQueues(prefix, 'SC'), agencyLinkQueues(prefix, 'CQ')];
      await deleteQueues(q.flatMap((x) => [x.deliver, x.status]));
    }
  });

  const health = async (node: 'SC' | 'CQ') => {
    const response = await fetch(harness!.nodes[node].url('/health'));
    return { status: response.status, body: (await response.json()) as Health };
  };

  it('shows the adapter up by its heartbeats, each agency by what the adapter last heard from it, and a stopped adapter as down', async () => {
    if (!harness) return;
    // The adapter reports as soon as it has called its agencies (here: one round of their feeds).
    await harness.pumpAgencies();
    const up = await eventually(() => health('SC'), (h) =>
        ['agency:SC.card', 'agency:SC.medical', 'agency:SC.pension'].every((k) => h.body.details[k]?.state === 'up') && h.body.details['agencyAdapter']?.state === 'up',
    );
    expect(up.status).toBe(200);
    expect(up.body.details['agencyAdapter']).toMatchObject({ status: 'up', state: 'up', instances: 1 });
    expect(up.body.details['agency:SC.medical']).toMatchObject({ status: 'up', state: 'up' });

    // The adapter stops (and, killed, would send nothing more): after three missed beats it is down.
    await harness.sc.adapter.close();
    harness.clock.advance(3_001); // three beats of 1 s (two-node-harness.ts)
    const down = await eventually(() => health('SC'), (h) => h.body.details['agencyAdapter']?.state === 'down');
    // Degraded, not unready: the node still accepts applications and keeps the hand-overs in its outbox.
    expect(down.status).toBe(200);
    expect(down.body.details['agencyAdapter']).toMatchObject({ status: 'degraded', state: 'down' });
    expect(down.body.details['agency:SC.card']).toMatchObject({ status: 'degraded', state: 'unknown' });
    // Back again, for the rest of the file.
    harness.sc.adapter = (await harness.startExtraAdapter('SC')).app;
    await eventually(() => health('SC'), (h) => h.body.details['agencyAdapter']?.state === 'up');
  }, 60_000);

  it('answers 503 at /health (database down) and at intake (DATABASE_UNAVAILABLE, Retry-After) while the database is gone, and recovers', async () => {
    if (!harness || !door) return;
    await door.cut();
    const unready = await health('SC');
    expect(unready.status).toBe(503);
    expect(unready.body.status).toBe('error');
    expect(unready.body.details['database']).toMatchObject({ status: 'down' });

    const intake = await fetch(harness.sc.url('/api/v1/applications'), {
      method: 'POST',
      headers: { authorization: harness.sc.window, 'content-type': 'application/json' },
      body: JSON.stringify(cardApplication({ issuingRegion: '500103' })),
    });
    expect(intake.status).toBe(503);
    expect(intake.headers.get('retry-after')).toBe('5');
    expect(((await intake.json()) as { code: string }).code).toBe('DATABASE_UNAVAILABLE');

    await door.restore();
    const back = await eventually(() => health('SC'), (h) => h.status === 200, 15_000);
    expect(back.body.details['database']).toMatchObject({ status: 'up' });
  }, 60_000);
});
