/**
 * Production mode under load: PostgreSQL (one database per province) and RabbitMQ (the agency
 * link's quorum queues), each province with `replicas` gateway replicas sharing its database,
 * one adapter and one agency simulator per province. Intake load is split evenly over the
 * Chongqing replicas; peers reach each other through the first replica's URL (the federation
 * lists one URL per node, as a load balancer's would be). Skipped, with the reason, when either
 * server cannot be reached.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import pg from 'pg';
import { federationMessageTypes } from '#contracts';
import { NODE_NAMES, SystemClock, type NodeCode } from '#core';
import { issueLocalFederation, writeTextAtomically, type SuiteName } from '#signing';
import { AGENCY_HAND_OVER, application, combine, e2eOf, legsOf, load, peakRss, sleep, waitFor, type E2eResult, type LoadResult } from './bench-kit.js';

export const POSTGRES_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * `file` (default): the agency simulators keep their state in a file, as in the embedded default.
 * `memory`: they keep it in memory only, to take the stand-ins' own persistence (a whole-state
 * rewrite per change) out of what is measured.
 */
const SIM_STATE = process.env['BENCH_SIM_STATE'] ?? 'file';
export const AMQP_URL = process.env['BENCH_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface ProductionResult {
  readonly replicas: number;
  readonly intake: LoadResult;
  readonly e2e: E2eResult;
  readonly memoryMB: Record<string, number>;
  /** CPU use of each process during the saturated intake run, % of one core. */
  readonly cpuPercent: Record<string, number>;
}

/** Why production mode cannot run here, or null when both servers answer. */
export async function productionUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    return `PostgreSQL is not reachable at ${POSTGRES_URL} (${String(error)})`;
  }
  try {
    const connection = await amqp.connect(AMQP_URL);
    await connection.close();
  } catch (error) {
    return `RabbitMQ is not reachable at ${AMQP_URL.replace(/\/\/.*@/, '//')} (${String(error)})`;
  }
  return null;
}

interface Province {
  readonly node: NodeCode;
  readonly offset: number;
  readonly adapterApp: string;
  readonly dbUrl: string;
}

export async function runProduction(opts: { root: string; dir: string; basePort: number; replicas: number; seconds: number; connections: number; suite: SuiteName; say: (line: string) => void }): Promise<ProductionResult> {
  const { root, dir, basePort, replicas, seconds, connections } = opts;
  const tag = `b${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  const provinces: Province[] = [];
  for (const [node, offset, adapterApp] of [['SC', 0, 'adapter-sichuan'], ['CQ', 100, 'adapter-chongqing']] as const) {
    const name = `cytb_${tag}_${node.toLowerCase()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    provinces.push({ node, offset, adapterApp, dbUrl: url.toString() });
  }
  const queuePrefix = `cytb-${tag}`;
  const children: ChildProcess[] = [];
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const start = (name: string, app: string, env: Record<string, string>) => {
    const log = openSync(join(logs, `${name}.log`), 'a');
    // CPU_PROF_DIR (and CPU_PROF_MATCH), as for the local stack: V8 CPU profiles of the children.
    const profile = process.env['CPU_PROF_DIR'] && name.includes(process.env['CPU_PROF_MATCH'] ?? '') ? ['--cpu-prof', `--cpu-prof-dir=${process.env['CPU_PROF_DIR']}`, `--cpu-prof-name=${name}.${Date.now()}.cpuprofile`] : [];
    const child = spawn(process.execPath, [...profile, join(root, 'dist', 'apps', app, 'src', 'main.js')], { cwd: root, stdio: ['ignore', log, log], env: { ...process.env, ...env } });
    closeSync(log);
    children.push(child);
    return child;
  };
  const failed = (what: string) => (error: unknown) => {
    const tails = readdirSync(logs).map((f) => `${f}: ${readFileSync(join(logs, f), 'utf8').trim().split('\n').slice(-2).join(' | ').slice(0, 300)}`);
    throw new Error(`${what}: ${String(error)}\n  ${tails.join('\n  ')}`);
  };
  try {
    // 1. Keys (nodes and agencies) and the federation signed by a local authority key, as the
    //    local stack issues it; one URL per node: its first replica.
    const clock = new SystemClock();
    const { signed, authorityJwks } = await issueLocalFederation({
      nodes: provinces.map((p) => ({
        node: p.node,
        name: NODE_NAMES[p.node],
        url: `http://127.0.0.1:${basePort + p.offset + 1}`,
        keyDir: join(dir, p.node.toLowerCase(), 'keys'),
        agencyKeyDir: join(dir, p.node.toLowerCase(), 'agency-keys'),
        agencyFunctions: ['card', 'medical', 'pension'],
      })),
      types: federationMessageTypes(),
      authorityDir: join(dir, 'federation-authority'),
      clock,
      serial: Math.floor(clock.nowMs() / 1000),
      suite: opts.suite,
    });
    const federationFile = join(dir, 'federation.jws');
    const authorityJwksFile = join(dir, 'federation-authority.jwks.json');
    writeTextAtomically(federationFile, `${signed}\n`);
    writeTextAtomically(authorityJwksFile, `${JSON.stringify(authorityJwks, null, 2)}\n`);

    // 2. Per province: simulator, adapter (RabbitMQ), then the replicas (the first migrates).
    for (const p of provinces) {
      const pdir = join(dir, p.node.toLowerCase());
      mkdirSync(pdir, { recursive: true });
      const secret = randomBytes(32).toString('base64url');
      const simPort = basePort + p.offset + 21;
      const common = { AMQP_URL, AMQP_QUEUE_PREFIX: queuePrefix, AGENCY_LINK_SECRET: secret, LOG_LEVEL: 'warn' };
      start(`${p.node}-agency-simulator`, 'agency-simulator', { SIM_PROVINCE: p.node, SIM_PORT: String(simPort), SIM_STEP_MS: '86400000', ...(SIM_STATE === 'memory' ? {} : { SIM_STATE_FILE: join(pdir, 'agency-simulator.json') }), SIM_AUTO_TICK_MS: '500' });
      start(`${p.node}-adapter`, p.adapterApp, { ...common, BENCH_NODE: p.node, AGENCY_KEY_DIR: join(pdir, 'agency-keys'), ADAPTER_PORT: String(basePort + p.offset + 11), AGENCY_BASE_URL: `http://127.0.0.1:${simPort}`, ADAPTER_STATE_DIR: join(pdir, 'adapter'), ADAPTER_POLL_MS: '500', GATEWAY_STATUS_HOST: '127.0.0.1', GATEWAY_STATUS_PORT: String(basePort + p.offset + 2) });
      for (let r = 1; r <= replicas; r += 1) {
        const port = basePort + p.offset + (r === 1 ? 1 : 50 + r);
        start(`${p.node}-gateway-${r}`, 'gateway', {
          ...common,
          BENCH_REPLICA: String(r),
          NODE_CODE: p.node,
          HTTP_PORT: String(port),
          DATA_DIR: dir,
          DATABASE_URL: p.dbUrl,
          MIGRATE_ON_START: r === 1 ? 'true' : 'false',
          FEDERATION_FILE: federationFile,
          FEDERATION_AUTHORITY_JWKS: authorityJwksFile,
          KEY_DIR: join(pdir, 'keys'),
          DEMO_CREDENTIALS_FILE: join(pdir, 'demo-credentials.json'),
          RATE_LIMIT_PER_SECOND: '1000000',
          RATE_LIMIT_BURST: '1000000',
          MAX_OUTBOX_BACKLOG: '1000000',
        });
        // The first replica migrates and writes the demo credentials; the others start after it.
        if (r === 1) await waitFor(() => existsSync(join(pdir, 'demo-credentials.json')), 90_000).catch(failed(`${p.node} gateway did not start`));
      }
    }
    const ports = (p: Province) => Array.from({ length: replicas }, (_, i) => basePort + p.offset + (i === 0 ? 1 : 51 + i));
    await waitFor(async () => (await Promise.all(provinces.flatMap(ports).map((port) => fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.ok, () => false)))).every(Boolean), 90_000).catch(failed('the replicas did not come up'));
    await sleep(2000);

    // 3. Intake, split over the Chongqing replicas.
    const cq = provinces.find((p) => p.node === 'CQ')!;
    const sc = provinces.find((p) => p.node === 'SC')!;
    const token = (JSON.parse(readFileSync(join(dir, 'cq', 'demo-credentials.json'), 'utf8')) as { credentials: { role: string; token: string }[] }).credentials.find((c) => c.role === 'window')!.token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const each = Math.max(1, Math.round(connections / replicas));
    opts.say(`production mode: ${replicas} replica(s) per province, intake over ${ports(cq).join(', ')}`);
    const { result: intake, peakMB, cpuPercent } = await peakRss('dist/apps/', async () =>
      combine(await Promise.all(ports(cq).map((port) => load(`http://127.0.0.1:${port}/api/v1/applications`, { method: 'POST', headers, body: application }, seconds, { connections: each })))),
    );

    // 4. End to end, read from both databases once Sichuan has caught up (bounded).
    const cqDb = new pg.Client({ connectionString: cq.dbUrl });
    const scDb = new pg.Client({ connectionString: sc.dbUrl });
    await cqDb.connect();
    await scDb.connect();
    try {
      const accepted = Number((await cqDb.query<{ n: string }>('SELECT COUNT(*) AS n FROM cases')).rows[0].n);
      const ackedCount = async () => Number((await scDb.query<{ n: string }>(`SELECT COUNT(*) AS n FROM outbox WHERE ${AGENCY_HAND_OVER}`)).rows[0].n);
      const drainStarted = Date.now();
      await waitFor(async () => (await ackedCount()) >= accepted, 10 * 60_000).catch(() => undefined);
      const drainSeconds = (Date.now() - drainStarted) / 1000;
      const acceptedAt = new Map((await cqDb.query<{ case_id: string; accepted_at: string }>('SELECT case_id, accepted_at FROM cases')).rows.map((r) => [r.case_id, Number(r.accepted_at)]));
      const acked = (await scDb.query<{ case_id: string; at: string }>(`SELECT case_id, delivered_at AS at FROM outbox WHERE ${AGENCY_HAND_OVER}`)).rows.map((r) => ({ case_id: r.case_id, at: Number(r.at) }));
      const receivedAt = new Map((await scDb.query<{ case_id: string; at: string }>("SELECT case_id, at FROM case_events WHERE stage = 'received'")).rows.map((r) => [r.case_id, Number(r.at)]));
      return { replicas, intake, e2e: { ...e2eOf(acceptedAt, acked, drainSeconds), legsP50: legsOf(acceptedAt, receivedAt, acked) }, memoryMB: peakMB, cpuPercent };
    } finally {
      await cqDb.end();
      await scDb.end();
    }
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    for (const p of provinces) await admin.query(`DROP DATABASE IF EXISTS ${new URL(p.dbUrl).pathname.slice(1)} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await deleteQueues(provinces.flatMap((p) => [`${queuePrefix}.${p.node}.agency.deliver`, `${queuePrefix}.${p.node}.agency.status`]));
  }
}

async function deleteQueues(names: readonly string[]): Promise<void> {
  try {
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    for (const name of names) await channel.deleteQueue(name).catch(() => undefined);
    await connection.close();
  } catch {
    // the broker went away meanwhile: the queues are left, named by this run's tag
  }
}
