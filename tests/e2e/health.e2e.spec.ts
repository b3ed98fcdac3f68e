import { firstValueFrom } from 'rxjs';
import { AGENCY_HEARTBEAT, heartbeatProofId } from '#contracts';
import { createLinkClient, linkProof } from '#delivery';
import { eventually } from './support/free-port.js';
import { linkSecretOf, TwoNodeHarness } from './support/two-node-harness.js';

interface Health {
  readonly details: Record<string, { readonly status: string; readonly state?: string; readonly lastFailureCode?: string }>;
}

/** `/health` on the embedded default (TCP link): the same heartbeats as in production mode. */
describe('health of the adapters and agencies (embedded)', () => {
  let harness: TwoNodeHarness;

  beforeAll(async () => {
    harness = await TwoNodeHarness.start();
  }, 60_000);
  afterAll(() => harness.stop());

  const health = async () => (await (await fetch(harness.sc.url('/health'))).json()) as Health;

  it('shows a stopped adapter as down at once, and one that stops beating (kill -9: no goodbye) after three missed beats', async () => {
    await eventually(health, (h) => h.details['agencyAdapter']?.state === 'up');
    await harness.sc.adapter.close();
    expect((await health()).details['agencyAdapter']).toMatchObject({ status: 'degraded', state: 'down' });

    // An instance that beats once, as the adapter kit does, and then is killed.
    const link = createLinkClient({ kind: 'tcp', host: '127.0.0.1', port: harness.sc.config.statusListener.port });
    const beat = { adapterId: 'killed-instance', beat: 1, sentAt: harness.clock.now().toISOString(), everyMs: 1000, agencies: [{ agency: 'SC.card', state: 'up' }] };
    const send = (payload: object) => firstValueFrom(link.send(AGENCY_HEARTBEAT, payload));
    // Without the province's link secret a beat is refused: nobody else may speak for the adapters.
    await expect(send({ ...beat, proof: linkProof('not-the-secret-of-this-province-0123456789', heartbeatProofId(beat), harness.sc.config.cryptoSuite) })).rejects.toMatchObject({ code: 'AGENCY_LINK_UNAUTHENTICATED' });
    await send({ ...beat, proof: linkProof(linkSecretOf('SC'), heartbeatProofId(beat), harness.sc.config.cryptoSuite) });
    expect((await health()).details['agencyAdapter']).toMatchObject({ status: 'up', state: 'up' });
    harness.clock.advance(3_001);
    const down = await health();
    expect(down.details['agencyAdapter']).toMatchObject({ status: 'degraded', state: 'down' });
    expect(down.details['agency:SC.card']).toMatchObject({ status: 'degraded', state: 'unknown' });
    await link.close();
    // Back again, for the harness to stop.
    harness.sc.adapter = (await harness.startExtraAdapter('SC')).app;
  }, 30_000);

  it('shows an agency system that stopped answering as down, with the code the adapter met', async () => {
    await harness.pumpAgencies();
    await eventually(health, (h) => h.details['agency:SC.card']?.state === 'up' && h.details['agencyAdapter']?.state === 'up');
    await harness.sc.simulatorApp.close();
    await harness.pumpAgencies();
    const down = await eventually(health, (h) => h.details['agency:SC.card']?.state === 'down');
    expect(down.details['agency:SC.card']).toMatchObject({ status: 'degraded', state: 'down', lastFailureCode: 'AGENCY_UNAVAILABLE' });
    // The adapter itself is fine: it is its agency that does not answer.
    expect(down.details['agencyAdapter']).toMatchObject({ status: 'up', state: 'up' });
  }, 30_000);
});
