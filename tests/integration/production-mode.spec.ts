import { agencyLinkQueues } from '#delivery';
import { cardApplication, pensionTransferApplication } from '../e2e/support/applications.js';
import { TwoNodeHarness } from '../e2e/support/two-node-harness.js';
import { eventually, freePort } from '../e2e/support/free-port.js';
import { createGatewayApp } from '../../apps/gateway/src/gateway-app.js';
import { verifyMessageLog } from '../../apps/gateway/src/message-log/verify-log.js';
import { dropPostgresDatabase, freshPostgresDatabase } from './support/postgres.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable } from './support/rabbitmq.js';

/**
 * Production mode against the real servers on this machine: each province on its own
 * PostgreSQL database, gateways and adapters talking over RabbitMQ quorum queues. Same code as
 * the embedded default, chosen by DATABASE_URL and AMQP_URL.
 */
/** Both provinces in production mode, each on a fresh PostgreSQL database; null when a server is missing. */
class ProductionSetup {
  harness: TwoNodeHarness | null = null;
  readonly urls: Record<'SC' | 'CQ', string | null> = { SC: null, CQ: null };

  constructor(
    private readonly label: string,
    readonly prefix: string,
  ) {}

  async start(options: { frontDoors?: boolean } = {}): Promise<void> {
    this.urls.SC = await freshPostgresDatabase(`${this.label}_sc`);
    this.urls.CQ = await freshPostgresDatabase(`${this.label}_cq`);
    if (!this.urls.SC || !this.urls.CQ || !(await rabbitAvailable(this.label))) return;
    this.harness = await TwoNodeHarness.start({
      production: { databaseUrls: { SC: this.urls.SC, CQ: this.urls.CQ }, amqpUrl: RABBITMQ_URL, queuePrefix: this.prefix },
      ...options,
    });
  }

  async stop(): Promise<void> {
    await this.harness?.stop();
    await dropPostgresDatabase(this.urls.SC);
    await dropPostgresDatabase(this.urls.CQ);
    if (this.harness) {
      const q = [agencyLinkQueues(this.prefix, 'SC'), agencyLinkQueues(this.prefix, 'CQ')];
      await deleteQueues(q.flatMap((x) => [x.deliver, x.status]));
    }
  }
}

describe('production mode: PostgreSQL and RabbitMQ', () => {
  const setup = new ProductionSetup('prod', `cytb-it-${process.pid}`);

  beforeAll(() => setup.start(), 60_000);
  afterAll(() => setup.stop());

  it('carries a card case both ways to completion over RabbitMQ with PostgreSQL per province', async () => {
    if (!setup.harness) return;
    const harness = setup.harness;
    const submit = async (at: typeof harness.cq, region: string) => {
      const response = await fetch(at.url('/api/v1/applications'), {
        method: 'POST',
        headers: { authorization: at.window, 'content-type': 'application/json' },
        body: JSON.stringify(cardApplication({ issuingRegion: region })),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { caseId: string }).caseId;
    };
    const toSichuan = await submit(harness.cq, '510104');
    const toChongqing = await submit(harness.sc, '500103');
    expect((await harness.runToEnd(harness.cq, toSichuan)).status).toBe('completed');
    expect((await harness.runToEnd(harness.sc, toChongqing)).status).toBe('completed');
    expect(harness.sc.simulator.caseCount(toSichuan)).toBe(1);
    expect(harness.cq.simulator.caseCount(toChongqing)).toBe(1);
  }, 90_000);

  it('chains every envelope and receipt both nodes logged into an intact message log', async () => {
    if (!setup.harness) return;
    for (const node of ['SC', 'CQ'] as const) {
      // The chain writer links what the transactions logged within moments of their commit.
      const verdict = await eventually(() => verifyMessageLog({ kind: 'postgres', url: setup.urls[node]! }), (v) => v.ok && v.waiting === 0);
      expect(verdict).toMatchObject({ ok: true, waiting: 0 });
      expect(verdict.ok && verdict.count).toBeGreaterThanOrEqual(8);
    }
  });

  it('carries a pension transfer across both provinces: letter, sheet and funds, merge, each agency action once', async () => {
    if (!setup.harness) return;
    const harness = setup.harness;
    const response = await fetch(harness.cq.url('/api/v1/applications'), {
      method: 'POST',
      headers: { authorization: harness.cq.window, 'content-type': 'application/json' },
      body: JSON.stringify(pensionTransferApplication({ transferInRegion: '500106', places: [{ region: '510104', personNumber: 'P5101040001' }] })),
    });
    expect(response.status).toBe(201);
    const { caseId } = (await response.json()) as { caseId: string };
    // One agency stage at a time, with both nodes' outboxes drained in between.
    const settle = () =>
      eventually(
        () => Promise.all([harness.sc, harness.cq].map((n) => n.gateway.db.read((st) => st.outbox.list({ caseId })))),
        (lists) => lists.flat().every((m) => m.state === 'delivered' || m.state === 'dead'),
        15_000,
      );
    let view = await harness.caseAt(harness.cq, caseId);
    for (let step = 0; step < 10 && view.status === 'in-progress'; step += 1) {
      await settle();
      await harness.advanceAgencies();
      await settle();
      view = await harness.caseAt(harness.cq, caseId);
    }
    expect(view.status).toBe('completed');
    expect(view.timeline.map((e) => e.stage)).toEqual(expect.arrayContaining(['contact-letter-issued', 'information-sheet-received', 'account-merged']));
    expect(harness.cq.simulator.caseCount(caseId)).toBe(1);
    expect(harness.sc.simulator.caseCount(`${caseId}#1@out`)).toBe(1);
  }, 120_000);
});

describe('production mode: two replicas per province', () => {
  const setup = new ProductionSetup('rep', `cytb-rep-${process.pid}`);
  const extra: { close(): Promise<void> }[] = [];

  beforeAll(() => setup.start({ frontDoors: true }), 60_000);
  afterAll(async () => {
    for (const x of extra) await x.close().catch(() => undefined);
    await setup.stop();
  });

  it('keeps every case exactly once at the agency when one of two replicas dies mid-stream', async () => {
    if (!setup.harness) return;
    const harness = setup.harness;
    // A second replica of the Chongqing node on the same database, and a second Sichuan adapter
    // competing for the same queue.
    const port = await freePort();
    const replicaB = await createGatewayApp(
      { ...harness.cq.config, http: { host: '127.0.0.1', port } },
      { clock: harness.clock, federation: harness.federationDocument(), logs: false, docsUi: false },
    );
    await replicaB.listen();
    extra.push(replicaB);
    const secondAdapter = await harness.startExtraAdapter('SC');
    extra.push(secondAdapter.app);

    const urlB = (path: string) => `http://127.0.0.1:${port}${path}`;
    const cases: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const viaB = i % 2 === 1;
      if (i === 16) {
        await harness.cq.gateway.close(); // replica A dies mid-stream…
        harness.doors.CQ.targetPort = port; // …and the province's front door sends peers to replica B
      }
      const target = viaB || i >= 16 ? urlB('/api/v1/applications') : harness.cq.url('/api/v1/applications');
      const response = await fetch(target, {
        method: 'POST',
        headers: { authorization: harness.cq.window, 'content-type': 'application/json' },
        body: JSON.stringify(cardApplication({ issuingRegion: '510104' })),
      });
      expect(response.status).toBe(201);
      cases.push(((await response.json()) as { caseId: string }).caseId);
    }
    // Claims the dead replica held are released when their lease runs out; messages the other
    // province could not deliver while replica A was gone are retried after their backoff.
    harness.clock.advance(harness.cq.config.relayLeaseMs + 10 * 60_000);
    // Drive the agencies (each step moves the frozen clock, so backoffs and open circuits left by
    // the outage run out) until every case is finished at the surviving replica.
    const asB = { ...harness.cq, url: urlB };
    let open = cases;
    for (let step = 0; step < 80 && open.length > 0; step += 1) {
      await harness.advanceAgencies();
      await new Promise((r) => setTimeout(r, 250)); // real time for the messages in flight to land
      const views = await Promise.all(open.map(async (caseId) => ({ caseId, view: await harness.caseAt(asB, caseId) })));
      open = views.filter((v) => v.view.status === 'in-progress').map((v) => v.caseId);
    }
    if (open.length > 0) {
      const stuck = await Promise.all(open.map(async (caseId) => ({ caseId, at: (await harness.caseAt(asB, caseId)).timeline.map((e) => e.stage) })));
      const rows = (m: { destination: string; state: string; attempts: number; lastError: string | null; messageType: string }) => [m.destination, m.messageType, m.state, m.attempts, m.lastError];
      const outbox = await replicaB.db.read((st) => st.outbox.list({ caseId: open[0] }));
      const handling = await harness.sc.gateway.db.read(async (st) => ({ outbox: await st.outbox.list({ caseId: open[0] }), events: await st.events.listByCase(open[0]) }));
      throw new Error(
        `cases not finished: ${JSON.stringify(stuck)}; outbox of the first at CQ: ${JSON.stringify(outbox.map(rows))}; at SC: ${JSON.stringify(handling.outbox.map(rows))}, ` +
          `events at SC: ${JSON.stringify(handling.events.map((e) => e.stage))}, at the SC agency: ${harness.sc.simulator.caseCount(open[0])}`,
      );
    }
    for (const caseId of cases) expect(harness.sc.simulator.caseCount(caseId)).toBe(1);
    expect(harness.sc.simulator.stats().cases).toBeGreaterThanOrEqual(cases.length);
  }, 180_000);
});
