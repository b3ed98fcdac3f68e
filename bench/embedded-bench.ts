/**
 * `npm run bench`: measures the embedded default on this machine. Starts the whole local stack
 * (both nodes, adapters, simulators) in a temporary folder, drives intake load from this
 * separate process over 127.0.0.1 for BENCH_SECONDS (default 60), then reads both nodes'
 * databases to time each case from acceptance at Chongqing to acknowledgement by the Sichuan
 * agency adapter. Yardsticks in the same run: a bare Fastify route under the same load, and a
 * jose Ed25519 sign+verify loop. Writes bench/reports/latest.{json,md}. Every loop is bounded.
 */
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { SystemClock } from '#core';
import { idCheckCharacter } from '#codes';
import { FileKeyStore, signEnvelope, TrustStore, verifyEnvelope } from '#signing';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 60);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const BASE_PORT = Number(process.env['BENCH_BASE_PORT'] ?? 7700);
const root = process.cwd();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LoadResult {
  rps: number;
  p50: number;
  /** autocannon's histogram has no p95; p97.5 is the nearest it reports. */
  p97_5: number;
  p99: number;
  non2xx: number;
  total: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load(url: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: () => string }, seconds: number, rate?: number): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: init.method,
    connections: CONNECTIONS,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    headers: init.headers ?? {},
    requests: init.body ? [{ setupRequest: (r: object) => ({ ...r, body: init.body!() }) }] : undefined,
  });
  return {
    rps: Math.round((result.requests.total - result.non2xx) / seconds),
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

/** A different valid ID number per request, so the simulated agency never refuses a duplicate person. */
let counter = 0;
function application(): string {
  counter += 1;
  const day = String(1 + (Math.floor(counter / 1000) % 28)).padStart(2, '0');
  const month = String(1 + (Math.floor(counter / 28_000) % 12)).padStart(2, '0');
  const first17 = `5101041985${month}${day}${String(counter % 1000).padStart(3, '0')}`;
  return JSON.stringify({
    service: 'ssc.apply',
    kind: 'renew',
    applicant: { idNumber: `${first17}${idCheckCharacter(first17)}`, name: '压测申请人', phone: '13800138000' },
    issuingRegion: '510104',
    deliveryAddress: { region: '500111', line: '大足区测试路 1 号', postcode: '402360' },
    photoRef: 'PHOTO-BENCH',
    materials: [{ type: 'id-card-copy', sha256: 'ab'.repeat(32) }],
  });
}

function rssOf(pattern: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const match = cmd.includes(pattern) ? /dist\/apps\/([\w-]+)\//.exec(cmd) : null;
      if (!match) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const node = /NODE_CODE=(\w+)/.exec(env)?.[1] ?? /SIM_PROVINCE=(\w+)/.exec(env)?.[1] ?? '';
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      out[`${match[1]}${node ? ` ${node}` : ''}`.trim()] = Math.round(rss / 1024);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(200);
  }
}

async function bareFastify(seconds: number): Promise<LoadResult> {
  const port = BASE_PORT + 300;
  const child = spawn(process.execPath, ['-e', `require('fastify')().get('/', async () => ({ ok: true })).listen({ port: ${port}, host: '127.0.0.1' })`], { stdio: 'ignore', cwd: root });
  try {
    await sleep(1500);
    return await load(`http://127.0.0.1:${port}/`, { method: 'GET' }, seconds);
  } finally {
    child.kill('SIGKILL');
  }
}

async function joseLoop(dir: string, iterations: number): Promise<{ opsPerSecond: number; microsPerOp: number }> {
  const clock = new SystemClock();
  const keys = await FileKeyStore.open(join(dir, 'bench-keys'), 'CQ', clock);
  const trust = await TrustStore.create(keys.publicJwks().keys.map((publicJwk) => ({ kid: publicJwk.kid, node: 'CQ' as const, publicJwk })));
  const body = JSON.parse(application()) as object;
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) {
    const now = Math.floor(Date.now() / 1000);
    const jws = await signEnvelope(keys.current(), { jti: `019a0000-0000-7000-8000-${String(i).padStart(12, '0')}`, iss: 'CQ', aud: 'CQ', iat: now, exp: now + 600, case: 'CQ-20261123-7K3F9ZQ2M8', mtype: 'ssc.apply.request', ver: 1, body });
    await verifyEnvelope(jws, { trust, self: 'CQ', nowMs: Date.now(), maxSkewSeconds: 120 });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { opsPerSecond: Math.round(iterations / seconds), microsPerOp: Math.round((seconds * 1e6) / iterations) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cytb-bench-'));
  let stack: ChildProcess | null = null;
  const stop = () => stack?.kill('SIGTERM');
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    // 1. The whole embedded default, with agencies that do not move on (so "end to end" is
    //    acceptance at CQ → acknowledgement by the SC agency adapter) and no per-window limit.
    stack = spawn(process.execPath, [join(root, 'dist/apps/local-stack/src/main.js')], {
      cwd: root,
      stdio: 'ignore',
      env: { ...process.env, DATA_DIR: dir, BASE_PORT: String(BASE_PORT), SIM_STEP_MS: '86400000', LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '1000000', MAX_OUTBOX_BACKLOG: '1000000' },
    });
    const credentials = join(dir, 'cq', 'demo-credentials.json');
    await waitFor(() => existsSync(credentials), 60_000);
    await sleep(2000);
    const token = (JSON.parse(readFileSync(credentials, 'utf8')) as { credentials: { role: string; token: string }[] }).credentials.find((c) => c.role === 'window')!.token;
    const intakeUrl = `http://127.0.0.1:${BASE_PORT + 101}/api/v1/applications`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    // 2. Intake, sustained.
    const intake = await load(intakeUrl, { method: 'POST', headers, body: application }, SECONDS);
    const memory = rssOf('dist/apps/');

    // 3. End to end, read from both databases once Sichuan has caught up (bounded).
    const cq = new Database(join(dir, 'cq', 'gateway.db'), { readonly: true });
    const sc = new Database(join(dir, 'sc', 'gateway.db'), { readonly: true });
    const accepted = (cq.prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n;
    const acked = () => (sc.prepare("SELECT COUNT(*) AS n FROM case_events WHERE stage = 'agency-received'").get() as { n: number }).n;
    const drainStarted = Date.now();
    await waitFor(() => acked() >= accepted, 10 * 60_000).catch(() => undefined);
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    const acceptedAt = new Map((cq.prepare('SELECT case_id, accepted_at FROM cases').all() as { case_id: string; accepted_at: number }[]).map((r) => [r.case_id, Number(r.accepted_at)]));
    const ackAt = sc.prepare("SELECT case_id, at FROM case_events WHERE stage = 'agency-received'").all() as { case_id: string; at: number }[];
    const latencies = ackAt.map((r) => Number(r.at) - (acceptedAt.get(r.case_id) ?? Number(r.at))).sort((a, b) => a - b);
    const first = Math.min(...acceptedAt.values());
    const last = Math.max(...ackAt.map((r) => Number(r.at)));
    const e2e = {
      cases: ackAt.length,
      casesPerSecond: Math.round(ackAt.length / Math.max(1, (last - first) / 1000)),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      drainSeconds,
    };
    cq.close();
    sc.close();

    // 4. Yardsticks measured in the same run.
    stop();
    await sleep(3000);
    const fastify = await bareFastify(Math.min(SECONDS, 10));
    const jose = await joseLoop(dir, 2000);

    const machine = {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      date: new Date().toISOString(),
      seconds: SECONDS,
      connections: CONNECTIONS,
      commit: process.env['BENCH_COMMIT'] ?? gitCommit(),
    };
    const report = { machine, mode: 'embedded (SQLite, TCP)', intake, e2e, memoryMB: memory, yardsticks: { bareFastify: fastify, joseSignVerify: jose }, ratios: { intakeToBareFastify: +(intake.rps / fastify.rps).toFixed(3) } };
    mkdirSync(join(root, 'bench', 'reports'), { recursive: true });
    writeFileSync(join(root, 'bench', 'reports', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    const md = [
      `# Benchmark — embedded default (${machine.date.slice(0, 10)}, commit ${machine.commit})`,
      '',
      `Machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}; load generator, both nodes, adapters and simulators on the same machine; ${SECONDS} s, ${CONNECTIONS} connections.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| intake throughput (2xx/s) | ${intake.rps} |`,
      `| intake latency p50 / p97.5 / p99 (ms) | ${intake.p50} / ${intake.p97_5} / ${intake.p99} |`,
      `| intake non-2xx | ${intake.non2xx} of ${intake.total} |`,
      `| end-to-end cases (accepted CQ → acknowledged by SC agency adapter) | ${e2e.cases} |`,
      `| end-to-end throughput (cases/s) | ${e2e.casesPerSecond} |`,
      `| end-to-end latency p50 / p95 / p99 (ms) | ${e2e.p50} / ${e2e.p95} / ${e2e.p99} |`,
      `| memory (RSS MB) | ${Object.entries(memory).map(([k, v]) => `${k} ${v}`).join(', ')} |`,
      `| yardstick: bare Fastify route (req/s) | ${fastify.rps} |`,
      `| yardstick: jose Ed25519 sign+verify (ops/s, µs/op) | ${jose.opsPerSecond}, ${jose.microsPerOp} |`,
      `| intake ÷ bare Fastify | ${report.ratios.intakeToBareFastify} |`,
      '',
    ].join('\n');
    writeFileSync(join(root, 'bench', 'reports', 'latest.md'), md);
    process.stdout.write(`${md}\n`);
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});
