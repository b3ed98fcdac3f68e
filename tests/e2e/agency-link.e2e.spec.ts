import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { AGENCY_DELIVER, AGENCY_DELIVER_BATCH, AGENCY_STATUS, AGENCY_STATUS_BATCH, type AgencyDeliveryBatchAck, type AgencyStatusBatchAck } from '#contracts';
import { linkProof } from '#delivery';
import { suiteNamed, INTL_SUITE } from '#signing';
import { harnessSuite } from './support/harness-suite.js';
import { TwoNodeHarness, linkSecretOf } from './support/two-node-harness.js';
import { cardApplication } from './support/applications.js';
import { eventually } from './support/free-port.js';

/** The suite of the link proofs: the harness's (HMAC-SM3 under CYTB_SUITE=gm), the gateways' CRYPTO_SUITE. */
const LINK_SUITE = suiteNamed(harnessSuite()) ?? INTL_SUITE;

/** Who may speak on a province's agency link: only its own gateway and adapters. */
describe('agency link authentication', () => {
  let h: TwoNodeHarness;
  const clients: ClientProxy[] = [];
  const client = (port: number) => {
    const c = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    h = await TwoNodeHarness.start();
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    await h?.stop();
  });

  const report = (eventId: string) => ({
    eventId,
    agency: 'SC.card',
    caseId: 'CQ-20261123-7K3F9ZQ2M8',
    stage: 'produced',
    at: '2026-11-23T10:00:00.000+08:00',
  });

  it('refuses a status report without the province link proof, and one proved with another province’s secret', async () => {
    const gateway = client(h.sc.config.statusListener.port);
    await expect(firstValueFrom(gateway.send(AGENCY_STATUS, report('SC.card:999')))).rejects.toMatchObject({
      code: 'AGENCY_LINK_UNAUTHENTICATED',
      permanent: true,
    });
    const wrong = { ...report('SC.card:999'), proof: linkProof(linkSecretOf('CQ'), 'SC.card:999', LINK_SUITE) };
    await expect(firstValueFrom(gateway.send(AGENCY_STATUS, wrong))).rejects.toMatchObject({ code: 'AGENCY_LINK_UNAUTHENTICATED' });
  });

  it('lets a proved report through to the case checks (an unknown case is then not allowed)', async () => {
    const gateway = client(h.sc.config.statusListener.port);
    const proved = { ...report('SC.card:1000'), proof: linkProof(linkSecretOf('SC'), 'SC.card:1000', LINK_SUITE) };
    await expect(firstValueFrom(gateway.send(AGENCY_STATUS, proved))).rejects.toMatchObject({ code: 'STATUS_NOT_ALLOWED' });
  });

  it('has the adapter refuse a hand-over that does not come from its gateway', async () => {
    const adapterPort = (h.sc.config.adapter as { port: number }).port;
    const adapter = client(adapterPort);
    const delivery = {
      messageId: '019a0000-0000-7000-8000-000000000abc',
      agency: 'SC.card',
      messageType: 'ssc.apply.request',
      contractVersion: 1,
      forwarded: { caseId: 'CQ-20261123-7K3F9ZQ2M8' },
    };
    await expect(firstValueFrom(adapter.send(AGENCY_DELIVER, delivery))).rejects.toMatchObject({ code: 'AGENCY_LINK_UNAUTHENTICATED', permanent: true });
    expect(h.sc.simulator.stats().requests).toBe(0);
  });

  it('answers a batch of status reports report by report: the unproved one and the one for a case not routed here are each refused', async () => {
    const gateway = client(h.sc.config.statusListener.port);
    const proved = { ...report('SC.card:1001'), proof: linkProof(linkSecretOf('SC'), 'SC.card:1001', LINK_SUITE) };
    const answer = await firstValueFrom(gateway.send<AgencyStatusBatchAck>(AGENCY_STATUS_BATCH, { items: [report('SC.card:1002'), proved] }));
    expect(answer.results).toEqual([
      { ok: false, error: expect.objectContaining({ code: 'AGENCY_LINK_UNAUTHENTICATED', permanent: true }) },
      { ok: false, error: expect.objectContaining({ code: 'STATUS_NOT_ALLOWED', permanent: true }) },
    ]);
    await expect(firstValueFrom(gateway.send(AGENCY_STATUS_BATCH, { items: [] }))).rejects.toMatchObject({ code: 'CONTRACT_INVALID', permanent: true });
  });

  it('has the adapter refuse, inside a batch, a hand-over that does not come from its gateway', async () => {
    const adapter = client((h.sc.config.adapter as { port: number }).port);
    const delivery = {
      messageId: '019a0000-0000-7000-8000-000000000abd',
      agency: 'SC.card',
      messageType: 'ssc.apply.request',
      contractVersion: 1,
      caseId: 'CQ-20261123-7K3F9ZQ2M8',
      forwarded: { caseId: 'CQ-20261123-7K3F9ZQ2M8' },
      proof: linkProof(linkSecretOf('CQ'), '019a0000-0000-7000-8000-000000000abd', LINK_SUITE),
    };
    const answer = await firstValueFrom(adapter.send<AgencyDeliveryBatchAck>(AGENCY_DELIVER_BATCH, { items: [delivery] }));
    expect(answer.results).toEqual([{ ok: false, error: expect.objectContaining({ code: 'AGENCY_LINK_UNAUTHENTICATED', permanent: true }) }]);
    expect(h.sc.simulator.stats().requests).toBe(0);
  });

  it('refuses a stage that cannot follow the current one and leaves the timeline as it was', async () => {
    const response = await fetch(h.cq.url('/api/v1/applications'), {
      method: 'POST',
      headers: { authorization: h.cq.window, 'content-type': 'application/json' },
      body: JSON.stringify(cardApplication({ issuingRegion: '510104' })),
    });
    const { caseId } = (await response.json()) as { caseId: string };
    const before = await eventually(() => h.caseAt(h.sc, caseId, h.sc.operator), (c) => c.stage === 'agency-received');
    const gateway = client(h.sc.config.statusListener.port);
    const jump = { ...report('SC.card:5000'), caseId, stage: 'mailed', detail: { waybill: '1100000000000' }, proof: linkProof(linkSecretOf('SC'), 'SC.card:5000', LINK_SUITE) };
    await expect(firstValueFrom(gateway.send(AGENCY_STATUS, jump))).rejects.toMatchObject({ code: 'CASE_TRANSITION_INVALID', permanent: true });
    expect((await h.caseAt(h.sc, caseId, h.sc.operator)).timeline).toEqual(before.timeline);
  });
});
