import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { AGENCY_STATUS, AGENCY_STATUS_BATCH } from '#contracts';
import { linkProof } from '#delivery';
import { INTL_SUITE } from '#signing';
import { cardApplication, pensionTransferApplication } from './support/applications.js';
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
    const first = { eventId, agency: 'SC.card', caseId, stage: 'eligibility-check', at: '2026-11-23T09:30:00.000+08:00', proof: linkProof(pair.sc.config.agencyLinkSecret, eventId, INTL_SUITE) };
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

  const submitAt = async (node: 'sc' | 'cq', body: unknown): Promise<string> => {
    const at = pair[node];
    const response = await fetch(at.url('/api/v1/applications'), { method: 'POST', headers: { authorization: at.window, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(201);
    return ((await response.json()) as { caseId: string }).caseId;
  };
  /** The handling node's stages of a case ([] until the case has reached it). */
  const stagesAt = async (node: 'sc' | 'cq', caseId: string) => {
    const response = await fetch(pair[node].url(`/api/v1/operator/cases/${caseId}`), { headers: { authorization: pair[node].operator } });
    return response.ok ? stagesOf((await response.json()) as { timeline: { stage: string; side: string }[] }) : [];
  };
  const report = (agency: string, caseId: string, n: number, stage: string, secret: string) => {
    const eventId = `${agency}:${n}`;
    return { eventId, agency, caseId, stage, at: '2026-11-23T09:30:00.000+08:00', proof: linkProof(secret, eventId, INTL_SUITE) };
  };

  it('records a batch of reports that comes before the hand-over is acknowledged, in one go, each once', async () => {
    const caseId = await submitAt('cq', cardApplication({ issuingRegion: '510104' }));
    await eventually(() => stagesAt('sc', caseId), (stages) => stages.includes('received'));
    const secret = pair.sc.config.agencyLinkSecret;
    const batch = { items: [report('SC.card', caseId, 7101, 'eligibility-check', secret), report('SC.card', caseId, 7102, 'in-production', secret)] };
    type BatchAnswer = { results: { ok: boolean; ack?: { duplicate: boolean } }[] };
    const answer = await firstValueFrom(link.send<BatchAnswer>(AGENCY_STATUS_BATCH, batch));
    expect(answer.results.map((r) => [r.ok, r.ack?.duplicate])).toEqual([[true, false], [true, false]]);
    expect(await stagesAt('sc', caseId)).toEqual(['received', 'agency-received', 'eligibility-check', 'in-production']);
    // Sent again (the adapter did not hear the answer): nothing new.
    const again = await firstValueFrom(link.send<BatchAnswer>(AGENCY_STATUS_BATCH, batch));
    expect(again.results.map((r) => r.ack?.duplicate)).toEqual([true, true]);
    expect(await stagesAt('sc', caseId)).toEqual(['received', 'agency-received', 'eligibility-check', 'in-production']);
  }, 30_000);

  it('records the agency’s report of the stage a service moves to on hand-over (a transfer’s review) instead of refusing it', async () => {
    // A transfer into Chongqing accepted at a Sichuan window: handled by Chongqing's pension office.
    const caseId = await submitAt('sc', pensionTransferApplication({ transferInRegion: '500106', places: [{ region: '510104', personNumber: 'P5101040001' }] }));
    await eventually(() => stagesAt('cq', caseId), (stages) => stages.includes('received'));
    const cqLink = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: pair.cq.config.statusListener.port } });
    try {
      const ack = await firstValueFrom(cqLink.send(AGENCY_STATUS, report('CQ.pension', caseId, 7201, 'in-review', pair.cq.config.agencyLinkSecret)));
      expect(ack).toMatchObject({ duplicate: false });
    } finally {
      await cqLink.close();
    }
    expect(await stagesAt('cq', caseId)).toEqual(['received', 'agency-received', 'in-review']);
  }, 30_000);
});
