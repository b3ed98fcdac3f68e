import { harnessSuite } from './support/harness-suite.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileKeyStore, signEnvelope } from '#signing';
import { cardApplication } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { GatewayPair } from './support/gateway-pair.js';
import { BacklogGauge } from '../../apps/gateway/src/delivery/backlog-gauge.js';
import { ShutdownState } from '../../apps/gateway/src/runtime/shutdown-state.js';

describe('intake and peer faces between two gateway nodes', () => {
  let pair: GatewayPair;

  beforeAll(async () => {
    pair = await GatewayPair.start();
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  const submit = (body: unknown, auth = pair.cq.window, contentType = 'application/json') =>
    fetch(pair.cq.url('/api/v1/applications'), {
      method: 'POST',
      headers: { authorization: auth, 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('forwards an accepted application, keeps the peer receipt, and hears back that it was received', async () => {
    const response = await submit(cardApplication({ issuingRegion: '510104' }));
    expect(response.status).toBe(201);
    const { caseId } = (await response.json()) as { caseId: string };
    const view = await eventually(
      async () => (await (await fetch(pair.cq.url(`/api/v1/applications/${caseId}`), { headers: { authorization: pair.cq.window } })).json()) as { timeline: { stage: string; side: string }[] },
      (v) => v.timeline.some((e) => e.stage === 'received'),
    );
    expect(view.timeline.map((e) => `${e.stage}@${e.side}`)).toEqual(['submitted@CQ', 'forwarded@CQ', 'received@SC']);
    const [sent] = await pair.cq.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'peer:SC' }));
    expect(sent).toMatchObject({ state: 'delivered' });
    expect(sent.receipt?.split('.')).toHaveLength(3);
  });

  it('answers malformed JSON and a wrong content type with problem+json codes', async () => {
    const malformed = await submit('{"service": "ssc.apply",');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    expect(await malformed.json()).toMatchObject({ code: 'MALFORMED_JSON' });
    const wrongType = await submit('service=ssc.apply', pair.cq.window, 'application/x-www-form-urlencoded');
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('refuses an unknown service with SERVICE_UNKNOWN on the service field', async () => {
    const response = await submit({ ...cardApplication(), service: 'ssc.teleport' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'SERVICE_UNKNOWN', errors: [{ field: 'service' }] });
  });

  it('refuses garbage on the peer endpoint without a 500', async () => {
    const response = await fetch(pair.sc.url('/peer/v1/envelopes'), { method: 'POST', headers: { 'content-type': 'application/jose' }, body: 'not.a.jws' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'ENVELOPE_MALFORMED' });
    const json = await fetch(pair.sc.url('/peer/v1/envelopes'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
  });

  it('publishes its public keys and nothing private', async () => {
    const jwks = (await (await fetch(pair.sc.url('/.well-known/jwks.json'))).json()) as { keys: Record<string, unknown>[] };
    // The suite's key: Ed25519 (RFC 8037) under intl, SM2 (contracts/crypto-suites.md) under gm.
    expect(jwks.keys[0]).toMatchObject(harnessSuite() === 'gm' ? { kty: 'EC', crv: 'SM2', alg: 'SM2' } : { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(jwks.keys.some((k) => 'd' in k)).toBe(false);
  });

  it('serves the contracts agencies code against', async () => {
    const list = (await (await fetch(pair.sc.url('/api/v1/contracts'))).json()) as { items: { name: string }[] };
    expect(list.items.map((i) => i.name)).toEqual(expect.arrayContaining(['ssc-apply.v1', 'status-update.v1', 'receipt.v1']));
    const schema = (await (await fetch(pair.sc.url('/api/v1/contracts/status-update.v1'))).json()) as { $id: string };
    expect(schema.$id).toBe('urn:cytb:contract:status-update:v1');
  });

  it('answers health and metrics', async () => {
    const live = await fetch(pair.sc.url('/health/live'));
    expect(live.status).toBe(200);
    const metrics = await (await fetch(pair.sc.url('/metrics'))).text();
    expect(metrics).toContain('cytb_outbox_messages{state="delivered"}');
    expect(metrics).toContain('cytb_deliveries_total');
  });

  it('refuses new applications with 503 and Retry-After while the node drains for shutdown', async () => {
    const shutdown = pair.cq.gateway.app.get(ShutdownState);
    shutdown.startDraining();
    try {
      const response = await submit(cardApplication());
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({ code: 'OVERLOADED' });
    } finally {
      (shutdown as unknown as { draining: boolean }).draining = false;
    }
  });

  it('refuses new applications with 503 while the outbox backlog is past its bound', async () => {
    const gauge = pair.cq.gateway.app.get(BacklogGauge);
    const original = gauge.current.bind(gauge);
    gauge.current = async () => pair.cq.config.maxOutboxBacklog;
    try {
      const response = await submit(cardApplication());
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
    } finally {
      gauge.current = original;
    }
  });

  it('lists a case as overdue for operators only after its 30 working days have passed', async () => {
    const { caseId } = (await (await submit(cardApplication())).json()) as { caseId: string };
    const overdue = async () =>
      ((await (await fetch(pair.cq.url('/api/v1/operator/cases?overdue=true'), { headers: { authorization: pair.cq.operator } })).json()) as {
        items: { caseId: string; timeLimit: { workingDaysLeft: number; dueBy: string } }[];
      }).items.map((i) => i.caseId);
    expect(await overdue()).not.toContain(caseId);
    const view = (await (await fetch(pair.cq.url(`/api/v1/applications/${caseId}`), { headers: { authorization: pair.cq.window } })).json()) as {
      timeLimit: { workingDays: number; workingDaysLeft: number; overdue: boolean };
    };
    expect(view.timeLimit).toMatchObject({ workingDays: 30, workingDaysLeft: 30, overdue: false });
    pair.clock.advance(70 * 86_400_000); // ten calendar weeks: past 30 working days even across 元旦 and 春节
    expect(await overdue()).toContain(caseId);
    pair.clock.advance(-70 * 86_400_000);
  });

  it('replays a dead letter whose envelope expired while the peer was away by signing it again under the same id', async () => {
    await pair.stopNode('SC');
    try {
      const { caseId } = (await (await submit(cardApplication())).json()) as { caseId: string };
      const [message] = await eventually(
        () => pair.cq.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'peer:SC' })),
        (rows) => rows[0]?.state === 'retrying',
      );
      // The peer stayed away past the envelope's lifetime; the operator found it dead.
      await pair.cq.gateway.db.transaction((tx) => tx.outbox.markDead(message.messageId, 9, 'RETRIES_EXHAUSTED', 'connection refused'));
      pair.clock.advance(8 * 86_400_000);
      await pair.restartNode('SC');
      const replay = await fetch(pair.cq.url('/api/v1/operator/messages/replay'), {
        method: 'POST',
        headers: { authorization: pair.cq.operator, 'content-type': 'application/json' },
        body: JSON.stringify({ messageIds: [message.messageId], reason: 'peer back after maintenance' }),
      });
      expect(await replay.json()).toEqual({ replayed: [message.messageId], skipped: [] });
      const [after] = await eventually(
        () => pair.cq.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'peer:SC' })),
        (rows) => rows[0]?.state === 'delivered',
      );
      expect(after.messageId).toBe(message.messageId);
      expect(after.payload).not.toBe(message.payload);
      const audit = (await (await fetch(pair.cq.url(`/api/v1/operator/audit?subject=${message.messageId}`), { headers: { authorization: pair.cq.operator } })).json()) as {
        items: { action: string; operatorId: string; reason: string; detailJson: string }[];
      };
      expect(audit.items[0]).toMatchObject({ action: 'replay', operatorId: 'cq-operator', reason: 'peer back after maintenance' });
      expect(JSON.parse(audit.items[0].detailJson)).toMatchObject({ deadReason: 'RETRIES_EXHAUSTED', resigned: true });
    } finally {
      pair.clock.advance(-8 * 86_400_000);
    }
  }, 30_000);

  it('shows operators each signing key with its age and replacement date, and exports the time left as a metric', async () => {
    const keys = (await (await fetch(pair.sc.url('/api/v1/operator/keys'), { headers: { authorization: pair.sc.operator } })).json()) as {
      items: { kid: string; state: string; ageDays: number; rotateBy: string; warning: boolean }[];
    };
    expect(keys.items).toEqual([expect.objectContaining({ state: 'active', ageDays: 0, warning: false })]);
    const metrics = await (await fetch(pair.sc.url('/metrics'))).text();
    expect(metrics).toMatch(new RegExp(`cytb_signing_key_expiry_seconds\\{kid="${keys.items[0].kid}"\\} \\d+`));
    const windowAsks = await fetch(pair.sc.url('/api/v1/operator/keys'), { headers: { authorization: pair.sc.window } });
    expect(windowAsks.status).toBe(403);
  });

  it('issues new demo tokens when the demo credentials file is lost, and the old ones stop working', async () => {
    const oldToken = pair.sc.window;
    await pair.stopNode('SC');
    rmSync(pair.sc.config.demoCredentialsFile!);
    await pair.restartNode('SC');
    const fresh = pair.sc.gateway.demoCredentials.find((c) => c.role === 'window')!;
    const list = (auth: string) => fetch(pair.sc.url('/api/v1/applications'), { headers: { authorization: auth } });
    expect((await list(oldToken)).status).toBe(401);
    expect((await list(`Bearer ${fresh.token}`)).status).toBe(200);
    (pair.sc as { window: string }).window = `Bearer ${fresh.token}`;
  });

  it('refuses an unknown major contract version and an unknown message type with their codes', async () => {
    const cqKeys = await FileKeyStore.open(join(pair.dir, 'CQ', 'keys'), 'CQ', pair.clock, { suite: harnessSuite() });
    const now = Math.floor(pair.clock.nowMs() / 1000);
    const envelope = (mtype: string, ver: number, jti: string) =>
      signEnvelope(cqKeys.current(), { jti, iss: 'CQ', aud: 'SC', iat: now, exp: now + 600, case: 'CQ-20261123-7K3F9ZQ2M8', mtype, ver, body: {} });
    const post = async (body: string) =>
      (await fetch(pair.sc.url('/peer/v1/envelopes'), { method: 'POST', headers: { 'content-type': 'application/jose' }, body })).json();
    expect(await post(await envelope('status-update', 2, '019a0000-0000-7000-8000-000000000201'))).toMatchObject({ code: 'CONTRACT_VERSION_UNSUPPORTED' });
    expect(await post(await envelope('ssc.teleport.request', 1, '019a0000-0000-7000-8000-000000000202'))).toMatchObject({ code: 'CONTRACT_UNKNOWN' });
  });
});
