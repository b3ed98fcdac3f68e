import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { NODE_NAMES, SystemClock, type NodeCode } from '#core';
import { agencyLinkQueues } from '#delivery';
import { FederationAuthorityKeyStore, issueLocalFederation, writeTextAtomically } from '#signing';
import { federationMessageTypes } from '#contracts';
import { freePort } from '../e2e/support/free-port.js';
import { harnessSuite } from '../e2e/support/harness-suite.js';
import { cardApplication } from '../e2e/support/applications.js';
import { dropPostgresDatabase, freshPostgresDatabase } from '../integration/support/postgres.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable } from '../integration/support/rabbitmq.js';
import { FaultProxy } from './support/fault-proxy.js';
import { AppProcess, waitForHttp } from './support/processes.js';

/**
 * How fast deliveries resume, measured on real processes with the product's default circuit,
 * retry policy and lease: after a peer outage behind a proxy, after a kill -9 and restart of
 * the peer node, and (production mode: PostgreSQL, RabbitMQ, two replicas) after a kill -9 of
 * the replica holding the claims. The figures are printed so they can be quoted.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Both provinces' signed federation views: CQ reaches SC through `scUrlForCq`, SC reaches CQ directly. */
async function writeFederation(dir: string, ports: { SC: number; CQ: number }, scUrlForCq: string): Promise<void> {
  const clock = new SystemClock();
  const signed = async (scUrl: string): Promise<string> =>
    (
      await issueLocalFederation({
        nodes: (['SC', 'CQ'] as const).map((code) => ({
          node: code,
          name: NODE_NAMES[code],
          url: code === 'SC' ? scUrl : `http://127.0.0.1:${ports.CQ}`,
          keyDir: join(dir, code.toLowerCase(), 'keys'),
          agencyKeyDir: join(dir, code.toLowerCase(), 'agency-keys'),
          agencyFunctions: ['card', 'medical', 'pension'],
        })),
        types: federationMessageTypes(),
        authorityDir: join(dir, 'federation-authority'),
        // CYTB_SUITE=gm: the federation in the gm suite (SM2 signatures, SM3), as `npm run test:e2e:gm`.
        suite: harnessSuite(),
        clock,
        serial: 1,
      })
    ).signed;
  writeTextAtomically(join(dir, 'federation-sc.jws'), await signed(`http://127.0.0.1:${ports.SC}`));
  writeTextAtomically(join(dir, 'federation-cq.jws'), await signed(scUrlForCq));
  const authority = await FederationAuthorityKeyStore.open(join(dir, 'federation-authority'), clock, { suite: harnessSuite() });
  writeTextAtomically(join(dir, 'federation-authority.jwks.json'), JSON.stringify(authority.publicJwks()));
  mkdirSync(join(dir, 'logs'), { recursive: true });
}

/** One gateway process with the product's defaults for circuit, retries and lease. */
function gateway(dir: string, code: NodeCode, http: number, name: string, extra: Record<string, string> = {}): AppProcess {
  const lower = code.toLowerCase();
  return new AppProcess(
    name,
    'apps/gateway/src/main.js',
    {
      AGENCY_LINK_SECRET: `recovery-suite-agency-link-secret-${code}-0123456789`,
      RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000',
      NODE_CODE: code, HTTP_PORT: String(http), DATA_DIR: dir, LOG_LEVEL: 'warn',
      FEDERATION_FILE: join(dir, `federation-${lower}.jws`), FEDERATION_AUTHORITY_JWKS: join(dir, 'federation-authority.jwks.json'),
      DEMO_CREDENTIALS_FILE: join(dir, lower, 'demo-credentials.json'),
      ...extra,
    },
    join(dir, 'logs'),
  );
}

function windowToken(dir: string, code: NodeCode, role: 'window' | 'operator' = 'window'): string {
  const creds = JSON.parse(readFileSync(join(dir, code.toLowerCase(), 'demo-credentials.json'), 'utf8')) as { credentials: { role: string; token: string }[] };
  return `Bearer ${creds.credentials.find((c) => c.role === role)!.token}`;
}

async function submit(http: number, token: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${http}/api/v1/applications`, {
    method: 'POST',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: JSON.stringify(cardApplication({ issuingRegion: '510104' })),
    signal: AbortSignal.timeout(5_000),
  });
  if (response.status !== 201) throw new Error(`intake answered ${response.status}`);
  return ((await response.json()) as { caseId: string }).caseId;
}

/** Polls until `accept` holds; returns when it did (ms since the epoch). */
async function until(accept: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await accept()) return Date.now();
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function assertBuilt(): void {
  if (!existsSync(join(process.cwd(), 'dist/apps/gateway/src/main.js'))) {
    throw new Error('dist/ is missing: `npm test` builds first; run `npm run build` before this suite alone');
  }
}

describe('recovery after an outage (real processes, default circuit and retry policy)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cytb-recovery-'));
  let proxy: FaultProxy;
  let sc: AppProcess;
  let cq: AppProcess;
  let ports: { SC: number; CQ: number };
  let cqWindow = '';
  let cqOperator = '';

  beforeAll(async () => {
    assertBuilt();
    ports = { SC: await freePort(), CQ: await freePort() };
    const proxyPort = await freePort();
    proxy = new FaultProxy(ports.SC, 1_500);
    await proxy.listen(proxyPort);
    await writeFederation(dir, ports, `http://127.0.0.1:${proxyPort}`);
    // No adapters: what is measured is the hop CQ → SC; SC's agency deliveries simply wait.
    const agencyPorts = async () => ({ STATUS_PORT: String(await freePort()), ADAPTER_PORT: String(await freePort()) });
    sc = gateway(dir, 'SC', ports.SC, 'sc-gateway', await agencyPorts());
    cq = gateway(dir, 'CQ', ports.CQ, 'cq-gateway', await agencyPorts());
    sc.start();
    cq.start();
    await waitForHttp(`http://127.0.0.1:${ports.SC}/health/live`, 30_000);
    await waitForHttp(`http://127.0.0.1:${ports.CQ}/health/live`, 30_000);
    cqWindow = windowToken(dir, 'CQ');
    cqOperator = windowToken(dir, 'CQ', 'operator');
  }, 60_000);

  afterAll(async () => {
    await cq?.stop();
    await sc?.stop();
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The ids of CQ's messages to SC not yet delivered, as one reading of the three states. */
  const readWaiting = async (): Promise<string> => {
    const ids = new Set<string>();
    for (const state of ['pending', 'retrying', 'in-flight']) {
      const r = await fetch(`http://127.0.0.1:${ports.CQ}/api/v1/operator/messages?state=${state}&destination=peer:SC`, { headers: { authorization: cqOperator } });
      for (const item of ((await r.json()) as { items: { messageId: string }[] }).items) ids.add(item.messageId);
    }
    return [...ids].sort().join(' ');
  };
  /**
   * How many of CQ's messages to SC are not yet delivered. The three states are three requests, and
   * the relay moves messages between them meanwhile (a due batch is claimed: retrying → in-flight),
   * so a message can show in two readings or in none: read until two readings in a row agree.
   */
  const waitingForSc = async (): Promise<number> => {
    let previous = await readWaiting();
    for (;;) {
      const now = await readWaiting();
      if (now === previous) return now === '' ? 0 : now.split(' ').length;
      previous = now;
    }
  };

  it('resumes deliveries within 5 s of a peer answering again after a 20-second outage, the backlog and new cases included', async () => {
    // 1. Warm: one case goes through.
    await submit(ports.CQ, cqWindow);
    await until(() => proxy.answered.length > 0, 15_000, 'first delivery');
    // 2. The peer is unreachable for 20 s (connections dropped); cases keep being accepted.
    proxy.mode = 'reset';
    const outageStarted = Date.now();
    for (let i = 0; i < 10; i += 1) {
      await submit(ports.CQ, cqWindow);
      await sleep(2_000);
    }
    await sleep(Math.max(0, 20_000 - (Date.now() - outageStarted)));
    expect(await waitingForSc()).toBe(10);
    // 3. It answers again; a case accepted just after waits no longer than the backlog.
    proxy.mode = 'pass';
    const back = Date.now();
    const answeredBefore = proxy.answered.length;
    await submit(ports.CQ, cqWindow);
    const first = await until(() => proxy.answered.length > answeredBefore, 30_000, 'first delivery after the outage');
    const drained = await until(async () => (await waitingForSc()) === 0, 30_000, 'backlog delivered');
    console.log(`peer outage of ${Math.round((back - outageStarted) / 1000)} s: first delivery ${first - back} ms after the peer answered again; all 11 waiting cases delivered after ${drained - back} ms`);
    expect(first - back).toBeLessThanOrEqual(5_000);
    expect(drained - back).toBeLessThanOrEqual(5_000);
  }, 90_000);

  it('resumes deliveries within 5 s of a killed peer node being up again', async () => {
    proxy.mode = 'pass'; // whatever the test before left (a failure there must not fail this one too)
    sc.kill9();
    const killed = Date.now();
    for (let i = 0; i < 5; i += 1) {
      await submit(ports.CQ, cqWindow);
      await sleep(1_000);
    }
    await sleep(Math.max(0, 10_000 - (Date.now() - killed)));
    const answeredBefore = proxy.answered.length;
    sc.start();
    await waitForHttp(`http://127.0.0.1:${ports.SC}/health/live`, 30_000);
    const up = Date.now();
    const first = await until(() => proxy.answered.length > answeredBefore, 30_000, 'first delivery after the restart');
    const drained = await until(async () => (await waitingForSc()) === 0, 30_000, 'backlog delivered');
    console.log(`peer node killed for ${Math.round((up - killed) / 1000)} s: first delivery ${first - up} ms after it answered again; all 5 waiting cases after ${drained - up} ms`);
    expect(first - up).toBeLessThanOrEqual(5_000);
    expect(drained - up).toBeLessThanOrEqual(5_000);
  }, 90_000);
});

describe('production mode: a replica killed while it holds claims (PostgreSQL, RabbitMQ, two replicas)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cytb-takeover-'));
  const prefix = `cytb-takeover-${process.pid}`;
  let databaseUrl: string | null = null;
  let ready = false;
  let proxy: FaultProxy;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    assertBuilt();
    databaseUrl = await freshPostgresDatabase('takeover_cq');
    if (!databaseUrl || !(await rabbitAvailable('takeover'))) return;
    ready = true;
  }, 30_000);

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await proxy?.close();
    await dropPostgresDatabase(databaseUrl);
    if (ready) await deleteQueues([agencyLinkQueues(prefix, 'CQ')].flatMap((q) => [q.deliver, q.status]));
    if (process.env['KEEP_FAULT_DIR']) console.log(`takeover data kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("takes over a killed replica's claims within 10 s, and never sends them from both replicas at once", async () => {
    if (!ready || !databaseUrl) return;
    const ports = { SC: await freePort(), CQ: await freePort() };
    const replicaPorts = [ports.CQ, await freePort()];
    const proxyPort = await freePort();
    // The peer takes the envelopes but its answers are held: the sends stay in flight.
    proxy = new FaultProxy(ports.SC, 60_000);
    await proxy.listen(proxyPort);
    await writeFederation(dir, ports, `http://127.0.0.1:${proxyPort}`);
    const sc = gateway(dir, 'SC', ports.SC, 'sc-gateway', { STATUS_PORT: String(await freePort()), ADAPTER_PORT: String(await freePort()) });
    const production = { DATABASE_URL: databaseUrl, AMQP_URL: RABBITMQ_URL, AMQP_QUEUE_PREFIX: prefix, KEY_DIR: join(dir, 'cq', 'keys'), PEER_TIMEOUT_MS: '60000', RELAY_BATCHES_IN_FLIGHT: '8', LOG_CHECKPOINT_INTERVAL_MS: '0' };
    // (No log checkpoints: the proxy counts every request to the peer, and a checkpoint is not an envelope.)
    // (Eight batches may be in flight, so replica A holds all six envelopes and leaves none pending for B.)
    const [a, b] = replicaPorts.map((port, i) => gateway(dir, 'CQ', port, `cq-replica-${'ab'[i]}`, { ...production, FEDERATION_STATE_FILE: join(dir, 'cq', `federation.accepted.${i}.json`), MIGRATE_ON_START: i === 0 ? 'true' : 'false' }));
    apps.push(sc, a, b);
    sc.start();
    a.start();
    await waitForHttp(`http://127.0.0.1:${ports.SC}/health/live`, 30_000);
    await waitForHttp(`http://127.0.0.1:${replicaPorts[0]}/health/live`, 30_000);

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const states = async () =>
        (await db.query<{ state: string; n: string }>(`SELECT state, COUNT(*) AS n FROM outbox WHERE destination = 'peer:SC' GROUP BY state`)).rows.reduce<Record<string, number>>(
          (out, r) => ({ ...out, [r.state]: Number(r.n) }),
          {},
        );
      // 1. Replica A claims and sends six envelopes; the answers are held back.
      proxy.mode = 'slow';
      const token = windowToken(dir, 'CQ');
      for (let i = 0; i < 6; i += 1) await submit(replicaPorts[0], token);
      await until(async () => (await states())['in-flight'] === 6 && proxy.arrivals.length > 0, 15_000, 'six envelopes in flight at replica A').catch(async (e: unknown) => {
        throw new Error(`${String(e)}; outbox: ${JSON.stringify(await states())}, proxy requests: ${proxy.arrivals.length}`);
      });
      await sleep(500);
      const sentByA = proxy.arrivals.length;

      // 2. Replica B runs beside it for longer than a lease (8 s): A's renewals keep its claims.
      b.start();
      await waitForHttp(`http://127.0.0.1:${replicaPorts[1]}/health/live`, 30_000);
      await sleep(12_000);
      expect(proxy.arrivals.length).toBe(sentByA);
      expect(await states()).toEqual({ 'in-flight': 6 });

      // 3. A is killed mid-send; the peer answers again. B takes the claims over when they expire.
      a.kill9();
      const killed = Date.now();
      proxy.mode = 'pass';
      const takenOver = await until(() => proxy.arrivals.length > sentByA, 20_000, 'a send by replica B');
      const delivered = await until(async () => (await states())['delivered'] === 6, 20_000, 'the six delivered by replica B');
      console.log(
        `replica killed holding 6 claims: replica B sent them ${takenOver - killed} ms after the kill, all delivered after ${delivered - killed} ms; ` +
          `B sent nothing in the 12 s it ran beside A (A's ${sentByA} request(s) held, lease 8 s renewed)`,
      );
      expect(takenOver - killed).toBeLessThanOrEqual(10_000);
    } finally {
      await db.end();
    }
  }, 120_000);
});
