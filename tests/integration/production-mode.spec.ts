import { agencyLinkQueues } from '#delivery';
import { cardApplication } from '../e2e/support/applications.js';
import { TwoNodeHarness } from '../e2e/support/two-node-harness.js';
import { dropPostgresDatabase, freshPostgresDatabase } from './support/postgres.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable } from './support/rabbitmq.js';

/**
 * Production mode against the real servers on this machine: each province on its own
 * PostgreSQL database, gateways and adapters talking over RabbitMQ quorum queues. Same code as
 * the embedded default, chosen by DATABASE_URL and AMQP_URL.
 */
describe('production mode: PostgreSQL and RabbitMQ', () => {
  let h: TwoNodeHarness | null = null;
  const urls: Record<'SC' | 'CQ', string | null> = { SC: null, CQ: null };
  const prefix = `cytb-it-${process.pid}`;

  beforeAll(async () => {
    urls.SC = await freshPostgresDatabase('prod_sc');
    urls.CQ = await freshPostgresDatabase('prod_cq');
    if (!urls.SC || !urls.CQ || !(await rabbitAvailable('production mode'))) return;
    h = await TwoNodeHarness.start({ production: { databaseUrls: { SC: urls.SC, CQ: urls.CQ }, amqpUrl: RABBITMQ_URL, queuePrefix: prefix } });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await dropPostgresDatabase(urls.SC);
    await dropPostgresDatabase(urls.CQ);
    if (h) {
      const q = [agencyLinkQueues(prefix, 'SC'), agencyLinkQueues(prefix, 'CQ')];
      await deleteQueues(q.flatMap((x) => [x.deliver, x.status]));
    }
  });

  it('carries a card case both ways to completion over RabbitMQ with PostgreSQL per province', async () => {
    if (!h) return;
    const harness = h;
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
});
