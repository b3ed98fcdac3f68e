import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_NAMES, SystemClock, type NodeCode } from '#core';
import { FederationAuthorityKeyStore, issueLocalFederation, writeTextAtomically } from '#signing';
import { federationMessageTypes } from '#contracts';
import { freePort } from '../e2e/support/free-port.js';
import { harnessSuite } from '../e2e/support/harness-suite.js';
import { cardApplication } from '../e2e/support/applications.js';
import { FaultProxy } from './support/fault-proxy.js';
import { AppProcess, waitForHttp } from './support/processes.js';
import { readSystemState } from '../../apps/agency-simulator/src/agency-system.simulator.js';

/**
 * Proof under faults: both provinces as real processes, a stream of applications, and on a
 * schedule the peer answers slowly, with 500s and with garbage; the peer node, both adapters
 * (again and again) and the accepting node itself are killed with SIGKILL and restarted.
 * Afterwards every accepted application must have reached its agency exactly once, and every
 * case must be finished or be a dead letter with a reason (which an operator replays).
 *
 * The agency simulators run as agencies that are NOT idempotent (SIM_IDEMPOTENT=false): a
 * repeated create is a second case there, so "exactly once" is the adapters' doing (their
 * hand-over journal and the look-up of a hand-over in doubt), not the agencies'.
 */
const APPLICATIONS = 240;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node {
  code: NodeCode;
  http: number;
  gateway: AppProcess;
  adapter: AppProcess;
  simulator: AppProcess;
  window: string;
  operator: string;
  simState: string;
}

describe('delivery under faults (real processes, kill -9)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cytb-faults-'));
  const nodes = {} as Record<NodeCode, Node>;
  let proxy: FaultProxy;

  beforeAll(async () => {
    if (!existsSync(join(process.cwd(), 'dist/apps/gateway/src/main.js'))) {
      throw new Error('dist/ is missing: `npm test` builds first; run `npm run build` before this suite alone');
    }
    const clock = new SystemClock();
    const ports = {
      SC: { http: await freePort(), status: await freePort(), adapter: await freePort(), sim: await freePort() },
      CQ: { http: await freePort(), status: await freePort(), adapter: await freePort(), sim: await freePort() },
    };
    const proxyPort = await freePort();
    proxy = new FaultProxy(ports.SC.http, 1500);
    await proxy.listen(proxyPort);
    // CQ reaches SC through the misbehaving proxy; SC reaches CQ directly: one signed federation
    // document for each node's view, from one authority.
    const signedFederation = async (scUrl: string): Promise<string> =>
      (
        await issueLocalFederation({
          nodes: (['SC', 'CQ'] as const).map((code) => ({
            node: code,
            name: NODE_NAMES[code],
            url: code === 'SC' ? scUrl : `http://127.0.0.1:${ports.CQ.http}`,
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
    writeTextAtomically(join(dir, 'federation-sc.jws'), await signedFederation(`http://127.0.0.1:${ports.SC.http}`));
    writeTextAtomically(join(dir, 'federation-cq.jws'), await signedFederation(`http://127.0.0.1:${proxyPort}`));
    const authority = await FederationAuthorityKeyStore.open(join(dir, 'federation-authority'), clock, { suite: harnessSuite() });
    writeTextAtomically(join(dir, 'federation-authority.jwks.json'), JSON.stringify(authority.publicJwks()));
    mkdirSync(join(dir, 'logs'), { recursive: true });

    for (const code of ['SC', 'CQ'] as const) {
      const p = ports[code];
      const lower = code.toLowerCase();
      const simState = join(dir, lower, 'simulator.json');
      const node: Node = {
        code,
        http: p.http,
        simState,
        window: '',
        operator: '',
        simulator: new AppProcess(`${lower}-simulator`, 'apps/agency-simulator/src/main.js', {
          SIM_PROVINCE: code, SIM_PORT: String(p.sim), SIM_STEP_MS: '150', SIM_AUTO_TICK_MS: '50', SIM_REJECT_RATE: '0.05', SIM_SEED: '11', SIM_STATE_FILE: simState, SIM_IDEMPOTENT: 'false', SIM_ANSWER_DELAY_MS: '150',
        }, join(dir, 'logs')),
        adapter: new AppProcess(`${lower}-adapter`, `apps/adapter-${code === 'SC' ? 'sichuan' : 'chongqing'}/src/main.js`, {
          ADAPTER_PORT: String(p.adapter), GATEWAY_STATUS_PORT: String(p.status), AGENCY_BASE_URL: `http://127.0.0.1:${p.sim}`, ADAPTER_STATE_DIR: join(dir, lower, 'adapter'), AGENCY_KEY_DIR: join(dir, lower, 'agency-keys'), ADAPTER_POLL_MS: '100', AGENCY_LINK_SECRET: `fault-suite-agency-link-secret-${code}-0123456789`,
          // The federation lists the agencies' sealing keys of its suite: gateway and adapter seal, open and prove the link in it.
          CRYPTO_SUITE: harnessSuite(),
        }, join(dir, 'logs')),
        gateway: new AppProcess(`${lower}-gateway`, 'apps/gateway/src/main.js', {
          AGENCY_LINK_SECRET: `fault-suite-agency-link-secret-${code}-0123456789`,
          CRYPTO_SUITE: harnessSuite(),
          RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000',
          NODE_CODE: code, HTTP_PORT: String(p.http), STATUS_PORT: String(p.status), ADAPTER_PORT: String(p.adapter), DATA_DIR: dir,
          FEDERATION_FILE: join(dir, `federation-${lower}.jws`), FEDERATION_AUTHORITY_JWKS: join(dir, 'federation-authority.jwks.json'), DEMO_CREDENTIALS_FILE: join(dir, lower, 'demo-credentials.json'),
          PEER_TIMEOUT_MS: '1000', AGENCY_TIMEOUT_MS: '2000', RELAY_IDLE_MS: '50', LOG_LEVEL: 'warn',
          RETRY_POLICIES: JSON.stringify({ 'peer:*': { baseDelayMs: 200, maxDelayMs: 2000, maxAttempts: 500 }, 'agency:*': { baseDelayMs: 200, maxDelayMs: 2000, maxAttempts: 500 } }),
          // A high threshold keeps the circuit closed so that each proxy fault mode really gets traffic.
          CIRCUIT_FAILURE_THRESHOLD: '1000', CIRCUIT_OPEN_MS: '1000', CIRCUIT_MAX_OPEN_MS: '2000',
        }, join(dir, 'logs')),
      };
      node.simulator.start();
      node.adapter.start();
      node.gateway.start();
      nodes[code] = node;
    }
    for (const n of Object.values(nodes)) {
      await waitForHttp(`http://127.0.0.1:${n.http}/health/live`, 30_000);
      const creds = JSON.parse(readFileSync(join(dir, n.code.toLowerCase(), 'demo-credentials.json'), 'utf8')) as { credentials: { role: string; token: string }[] };
      n.window = `Bearer ${creds.credentials.find((c) => c.role === 'window')!.token}`;
      n.operator = `Bearer ${creds.credentials.find((c) => c.role === 'operator')!.token}`;
    }
  }, 60_000);

  afterAll(async () => {
    for (const n of Object.values(nodes)) {
      await n.gateway.stop();
      await n.adapter.stop();
      await n.simulator.stop();
    }
    await proxy?.close();
    if (process.env['KEEP_FAULT_DIR']) console.log(`fault suite data kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  const api = async (n: Node, path: string, init: RequestInit = {}, auth = n.operator) =>
    fetch(`http://127.0.0.1:${n.http}${path}`, { ...init, headers: { authorization: auth, 'content-type': 'application/json', ...(init.headers ?? {}) }, signal: AbortSignal.timeout(5000) });

  it('loses nothing and repeats no agency action while peers, adapters and the relay node fail', async () => {
    const accepted: { caseId: string; at: NodeCode }[] = [];
    let refused = 0;
    let failedRequests = 0;

    // 1. A stream of applications: three of four accepted in Chongqing for Sichuan, one the other way.
    const load = (async () => {
      for (let i = 0; i < APPLICATIONS; i += 1) {
        const fromCq = i % 4 !== 0;
        const n = fromCq ? nodes.CQ : nodes.SC;
        const body = cardApplication({ issuingRegion: fromCq ? '510104' : '500103' });
        try {
          const response = await api(n, '/api/v1/applications', { method: 'POST', body: JSON.stringify(body) }, n.window);
          if (response.status === 201) accepted.push({ caseId: ((await response.json()) as { caseId: string }).caseId, at: n.code });
          else refused += 1;
        } catch {
          failedRequests += 1; // the accepting node was down: the window was told nothing was accepted
        }
        await sleep(45);
      }
    })();

    // 2. The faults, on a schedule, while the stream runs (~11 s).
    const kills: Record<string, number> = {};
    const kill9 = (p: AppProcess) => {
      kills[p.name] = (kills[p.name] ?? 0) + 1;
      p.kill9();
    };
    /** kill -9, then a restart after `downMs`: the adapter dies mid-stream, in the middle of hand-overs. */
    const bounce = async (p: AppProcess, downMs: number) => {
      kill9(p);
      await sleep(downMs);
      p.start();
    };
    const faults = (async () => {
      await sleep(800);
      proxy.mode = 'slow'; // answers after the peer timeout: the peer has it, the sender retries
      await sleep(1200);
      proxy.mode = 'error500';
      await sleep(1000);
      proxy.mode = 'pass';
      await sleep(600);
      proxy.mode = 'garbage'; // the peer has it, but the "receipt" is garbage: permanent, dead letter
      await sleep(1000);
      proxy.mode = 'reset';
      await sleep(800);
      proxy.mode = 'pass';
      await bounce(nodes.SC.adapter, 300); // the adapters, again and again while cases arrive
      await sleep(700);
      await bounce(nodes.CQ.adapter, 300);
      await sleep(500);
      await bounce(nodes.SC.gateway, 1500); // the peer node
      await sleep(1200);
      await bounce(nodes.SC.adapter, 200);
      await sleep(600);
      await bounce(nodes.SC.adapter, 200);
      await sleep(600);
      await bounce(nodes.CQ.adapter, 200);
      await sleep(400);
      await bounce(nodes.CQ.gateway, 1200); // the relay's own node
      await sleep(300);
      await bounce(nodes.SC.adapter, 200);
      await sleep(800);
      await bounce(nodes.SC.gateway, 800); // the peer node again, while its adapter catches up
    })();
    await Promise.all([load, faults]);
    await waitForHttp(`http://127.0.0.1:${nodes.CQ.http}/health/live`, 30_000);
    await waitForHttp(`http://127.0.0.1:${nodes.SC.http}/health/live`, 30_000);

    // 3. Settle: wait until every accepted case is finished or a dead letter.
    const deadLetters = async () => {
      const out: { messageId: string; caseId: string; deadReason: string }[] = [];
      for (const n of Object.values(nodes)) {
        const r = await api(n, '/api/v1/operator/messages?state=dead&limit=500');
        out.push(...((await r.json()) as { items: { messageId: string; caseId: string; deadReason: string }[] }).items.map((m) => ({ ...m, node: n.code })));
      }
      return out;
    };
    const statusOf = async (c: { caseId: string; at: NodeCode }) => {
      const r = await api(nodes[c.at], `/api/v1/operator/cases/${c.caseId}`);
      return r.ok ? ((await r.json()) as { status: string }).status : 'unknown';
    };
    const settle = async (limitMs: number) => {
      const deadline = Date.now() + limitMs;
      for (;;) {
        const dead = new Set((await deadLetters()).map((d) => d.caseId));
        const open = [];
        for (const c of accepted) if (!dead.has(c.caseId) && (await statusOf(c)) === 'in-progress') open.push(c);
        if (open.length === 0 || Date.now() > deadline) return open.length;
        await sleep(500);
      }
    };
    await settle(60_000);

    // 4. The operator replays the dead letters (the cause is gone), under their original ids.
    const dead = await deadLetters();
    const reasons: Record<string, number> = {};
    for (const d of dead) reasons[d.deadReason] = (reasons[d.deadReason] ?? 0) + 1;
    for (const n of Object.values(nodes)) {
      const ids = dead.filter((d) => (d as { node?: string }).node === n.code).map((d) => d.messageId);
      if (ids.length > 0) {
        const r = await api(n, '/api/v1/operator/messages/replay', { method: 'POST', body: JSON.stringify({ messageIds: ids, reason: 'fault suite: peer fixed' }) });
        expect(r.status).toBe(200);
      }
    }
    const stillOpen = await settle(60_000);

    // 5. Count at the agencies: each accepted case created exactly once.
    const created: Record<string, number> = {};
    let repeatsAtAgency = 0;
    let duplicateRequestsAtAgency = 0;
    for (const n of Object.values(nodes)) {
      // The simulator's state as a restart would rebuild it: its snapshot plus its journal.
      const state = readSystemState<unknown>(n.simState);
      Object.assign(created, state?.created ?? {});
      // A repeat taken as a second case (SIM_IDEMPOTENT=false), or answered as the same one.
      repeatsAtAgency += state?.stats.repeats ?? 0;
      duplicateRequestsAtAgency += state?.stats.duplicates ?? 0;
    }
    const delivered = accepted.filter((c) => (created[c.caseId] ?? 0) >= 1).length;
    const duplicates = accepted.filter((c) => (created[c.caseId] ?? 0) > 1).length;
    // What the adapters did with repeated deliveries, from their JSON logs (one object per line).
    const handOvers: Record<string, number> = {};
    for (const name of ['sc-adapter', 'cq-adapter']) {
      for (const line of readFileSync(join(dir, 'logs', `${name}.log`), 'utf8').split('\n')) {
        if (!line.startsWith('{')) continue;
        const { msg } = JSON.parse(line) as { msg?: string };
        if (msg === 'handed to agency' || msg === 'answered from the hand-over journal' || msg === 'found at the agency by look-up') handOvers[msg] = (handOvers[msg] ?? 0) + 1;
      }
    }
    const deadAfter = new Set((await deadLetters()).map((d) => d.caseId));
    const lost = accepted.filter((c) => (created[c.caseId] ?? 0) === 0 && !deadAfter.has(c.caseId)).length;
    const finished: Record<string, number> = {};
    for (const c of accepted) {
      const s = await statusOf(c);
      finished[s] = (finished[s] ?? 0) + 1;
    }
    const report = {
      sent: APPLICATIONS,
      accepted: accepted.length,
      refusedAtIntake: refused,
      requestsFailedWhileNodeDown: failedRequests,
      deliveredToAgency: delivered,
      duplicatesAtAgency: duplicates,
      repeatsAtAgency,
      duplicateRequestsAtAgency,
      agencyIdempotent: false,
      kills,
      adapterHandOvers: handOvers,
      lost,
      deadLetteredBeforeReplay: dead.length,
      deadReasons: reasons,
      deadAfterReplay: deadAfter.size,
      finalStatus: finished,
      proxy: proxy.counts,
    };
    console.log(`delivery under faults:\n${JSON.stringify(report, null, 2)}`);
    writeFileSync(join(process.cwd(), 'tests', 'faults', 'last-report.json'), `${JSON.stringify(report, null, 2)}\n`);

    // Every request was either accepted (201) or failed to connect while its node was down.
    expect(accepted.length + failedRequests + refused).toBe(APPLICATIONS);
    expect(refused).toBe(0);
    expect(accepted.length).toBeGreaterThan(APPLICATIONS / 2);
    expect(duplicates).toBe(0);
    expect(repeatsAtAgency).toBe(0);
    expect(lost).toBe(0);
    expect(delivered).toBe(accepted.length);
    expect(stillOpen).toBe(0);
    expect(deadAfter.size).toBe(0);
  }, 240_000);

  it('stops cleanly on SIGTERM and exits 0', async () => {
    const n = nodes.SC;
    const exit = n.gateway.terminate();
    const code = await exit;
    expect(code).toBe(0);
    n.gateway.start();
    await waitForHttp(`http://127.0.0.1:${n.http}/health/live`, 30_000);
  }, 60_000);
});
