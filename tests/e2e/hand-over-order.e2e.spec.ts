import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { AGENCY_STATUS } from '#contracts';
import { linkProof } from '#delivery';
import { cardApplication } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { GatewayPair } from './support/gateway-pair.js';
import { stagesOf, stagesWithSideOf } from './support/window-api.js';

/**
 * The agency's feed can be faster than the gateway records the adapter's acknowledgement of a
 * hand-over. The timeline still shows the agency taking the case before its first stage.
 */
describe('hand-over and the agency’s first report, in either order', () => {
  let pair: GatewayPair;
  let link: ClientProxy;

  beforeAll(async () => {
    pair = await GatewayPair.start();
    link = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: pair.sc.config.statusListener.port } });
  }, 30_000);

  afterAll(async () => {
    await link?.close();
    await pair?.stop();
  });

  it('records agency-received from the agency’s first report when the hand-over is not yet acknowledged, once, on both nodes', async () => {
    const response = await fetch(pair.cq.url('/api/v1/applications'), {
      method: 'POST',
      headers: { authorization: pair.cq.window, 'content-type': 'application/json' },
      body: JSON.stringify(cardApplication({ issuingRegion: '510104' })),
    });
    expect(response.status).toBe(201);
    const { caseId } = (await response.json()) as { caseId: string };
    const operatorView = async () =>
      (await (await fetch(pair.sc.url(`/api/v1/operator/cases/${caseId}`), { headers: { authorization: pair.sc.operator } })).json()) as {
        stage: string;
        timeline: { stage: string; side: string }[];
      };
    // No adapter runs behind this pair: the hand-over waits, unacknowledged, in SC's outbox.
    await eventually(operatorView, (c) => c.stage === 'received');

    const eventId = 'SC.card:7001';
    const first = { eventId, agency: 'SC.card', caseId, stage: 'eligibility-check', at: '2026-11-23T09:30:00.000+08:00', proof: linkProof(pair.sc.config.agencyLinkSecret, eventId) };
    expect(await firstValueFrom(link.send(AGENCY_STATUS, first))).toMatchObject({ eventId, duplicate: false });
    // The same report again changes nothing.
    expect(await firstValueFrom(link.send(AGENCY_STATUS, first))).toMatchObject({ eventId, duplicate: true });

    expect(stagesOf(await operatorView())).toEqual(['received', 'agency-received', 'eligibility-check']);
    const atWindow = await eventually(
      async () => (await (await fetch(pair.cq.url(`/api/v1/applications/${caseId}`), { headers: { authorization: pair.cq.window } })).json()) as { timeline: { stage: string; side: string }[] },
      (c) => c.timeline.length >= 5,
    );
    expect(stagesWithSideOf(atWindow)).toEqual(['submitted@CQ', 'forwarded@CQ', 'received@SC', 'agency-received@SC', 'eligibility-check@SC']);
  }, 30_000);
});
