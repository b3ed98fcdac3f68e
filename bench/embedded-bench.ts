/**
 * `npm run bench`: measures the gateway on this machine, in two modes.
 *
 * Embedded default: starts the whole local stack (both nodes, adapters, simulators; SQLite and
 * TCP) in a temporary folder, drives intake from this separate process over 127.0.0.1 for
 * BENCH_SECONDS (default 60), then reads both nodes' databases to time each case from acceptance
 * at Chongqing to acknowledgement by the Sichuan agency adapter. Then a paced run at
 * BENCH_PACED_RATE (default 200) applications/s for the end-to-end latency at that load.
 *
 * Production mode (production-bench.ts): PostgreSQL and RabbitMQ, with 1 and then
 * BENCH_REPLICAS (default 2) gateway replicas per province; skipped, with the reason, when the
 * servers are not reachable.
 *
 * Yardsticks in the same run: a bare Fastify route under the same load, and an Ed25519 envelope
 * sign+verify loop. Writes bench/reports/latest.{json,md}. Every loop is bounded.
 * BENCH_MODES=embedded|production limits the run to one mode. CPU_PROF_DIR (and CPU_PROF_MATCH)
 * make the embedded stack's processes write V8 CPU profiles there.
 *
 * Each mode runs under each cryptographic suite asked for, intl first (`npm run bench -- --suite gm`,
 * `--suite intl`, default both, or BENCH_SUITES=intl,gm): the federation is issued in that suite
 * (FEDERATION_SUITE for the embedded stack), so every envelope, receipt and status update is
 * signed Ed25519 or SM2. With both, the report quotes gm ÷ intl per mode and measure.
 */
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { cpus, tmpdir, totalmem } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SystemClock } from '#core';
import { FileKeyStore, SUITE_NAMES, signEnvelope, TrustStore, verifyEnvelope, type SuiteName } from '#signing';
import { AGENCY_HAND_OVER, application, CONNECTIONS, e2eOf, legsOf, load, peakRss, SECONDS, sleep, waitFor, type E2eResult, type LoadResult } from './bench-kit.js';
import { productionUnavailable, runProduction, type ProductionResult } from './production-bench.js';

const BASE_PORT = Number(process.env['BENCH_BASE_PORT'] ?? 7700);
const PACED_RATE = Number(process.env['BENCH_PACED_RATE'] ?? 200);
const REPLICAS = Number(process.env['BENCH_REPLICAS'] ?? 2);
const MODES = (process.env['BENCH_MODES'] ?? 'embedded,production').split(',');
const SUITES = suitesAsked(process.argv.slice(2), process.env['BENCH_SUITES']);
const root = process.cwd();
const say = (line: string) => process.stdout.write(`${line}\n`);

interface EmbeddedResult {
  readonly intake: LoadResult;
  readonly e2e: E2eResult;
  readonly paced: { readonly offeredPerSecond: number; readonly intake: LoadResult; readonly e2e: E2eResult };
  readonly memoryMB: Record<string, number>;
  /** CPU use of each process during the saturated intake run, % of one core. */
  readonly cpuPercent: Record<string, number>;
}

/** What one suite measured, mode by mode. */
interface SuiteRun {
  readonly suite: SuiteName;
  readonly embedded: EmbeddedResult | null;
  readonly production: ProductionResult[];
  readonly productionSkipped: string | null;
  readonly signVerify: { opsPerSecond: number; microsPerOp: number };
}

/** `--suite intl|gm|both` (or `--suite=gm`), else BENCH_SUITES (comma-separated), else both. */
function suitesAsked(argv: readonly string[], fromEnv: string | undefined): SuiteName[] {
  const at = argv.findIndex((a) => a === '--suite' || a.startsWith('--suite='));
  const asked = at < 0 ? (fromEnv ?? 'intl,gm') : argv[at].includes('=') ? argv[at].slice('--suite='.length) : (argv[at + 1] ?? '');
  const names = asked === 'both' ? ['intl', 'gm'] : asked.split(',').map((n) => n.trim());
  const suites = SUITE_NAMES.filter((n) => names.includes(n));
  if (suites.length === 0 || names.some((n) => !SUITE_NAMES.includes(n as SuiteName))) {
    throw new Error(`--suite takes intl, gm or both (got ${JSON.stringify(asked)})`);
  }
  return suites;
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

async function signVerifyLoop(dir: string, iterations: number, suite: SuiteName): Promise<{ opsPerSecond: number; microsPerOp: number }> {
  const clock = new SystemClock();
  const keys = await FileKeyStore.open(join(dir, `bench-keys-${suite}`), 'CQ', clock, { suite });
  const trust = await TrustStore.create(keys.publicJwks().keys.map((publicJwk) => ({ kid: publicJwk.kid, node: 'CQ' as const, publicJwk })), undefined, { suite });
  const body = JSON.parse(application()) as object;
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) {
    const now = Math.floor(Date.now() / 1000);
    const jws = await signEnvelope(keys.current(), { jti: `019a0000-0000-7000-8000-${String(i).padStart(12, '0')}`, iss: 'CQ', aud: 'CQ', iat: now, exp: now + 600, case: 'CQ-20261123-7K3F9ZQ2M8', mtype: 'ssc.apply.request', ver: 1, body });
    await verifyEnvelope(jws, { trust, self: 'CQ', nowMs: Date.now(), maxSkewSeconds: 120, maxLifetimeSeconds: 600 });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { opsPerSecond: Math.round(iterations / seconds), microsPerOp: Math.round((seconds * 1e6) / iterations) };
}

/** Reads both nodes' SQLite files: cases accepted at CQ since `sinceMs`, and their acknowledgement at SC. */
async function embeddedE2e(dir: string, sinceMs: number): Promise<E2eResult> {
  const cq = new Database(join(dir, 'cq', 'gateway.db'), { readonly: true });
  const sc = new Database(join(dir, 'sc', 'gateway.db'), { readonly: true });
  try {
    const accepted = (cq.prepare('SELECT COUNT(*) AS n FROM cases WHERE accepted_at >= ?').get(sinceMs) as { n: number }).n;
    // Acknowledged = the hand-over's outbox message delivered (not the 'agency-received' event, which
    // the gateway leaves out when the agency's own feed reported a first stage before the acknowledgement).
    const ackedCount = () => (sc.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE ${AGENCY_HAND_OVER} AND case_id IN (SELECT case_id FROM cases WHERE accepted_at >= ?)`).get(sinceMs) as { n: number }).n;
    const drainStarted = Date.now();
    await waitFor(() => ackedCount() >= accepted, 10 * 60_000).catch(() => undefined);
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    const acceptedAt = new Map((cq.prepare('SELECT case_id, accepted_at FROM cases WHERE accepted_at >= ?').all(sinceMs) as { case_id: string; accepted_at: number }[]).map((r) => [r.case_id, Number(r.accepted_at)]));
    const acked = (sc.prepare(`SELECT case_id, delivered_at AS at FROM outbox WHERE ${AGENCY_HAND_OVER}`).all() as { case_id: string; at: number }[]).filter((r) => acceptedAt.has(r.case_id));
    const receivedAt = new Map((sc.prepare("SELECT case_id, at FROM case_events WHERE stage = 'received'").all() as { case_id: string; at: number }[]).map((r) => [r.case_id, Number(r.at)]));
    return { ...e2eOf(acceptedAt, acked, drainSeconds), legsP50: legsOf(acceptedAt, receivedAt, acked) };
  } finally {
    cq.close();
    sc.close();
  }
}

/** Waits (bounded) until neither node has a message left to send; the seconds waited and what was left. */
async function outboxesEmpty(dir: string, timeoutMs: number): Promise<{ seconds: number; left: number }> {
  const started = Date.now();
  const dbs = [new Database(join(dir, 'cq', 'gateway.db'), { readonly: true }), new Database(join(dir, 'sc', 'gateway.db'), { readonly: true })];
  try {
    const backlog = () => dbs.reduce((n, db) => n + (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'in-flight', 'retrying')").get() as { n: number }).n, 0);
    await waitFor(() => backlog() === 0, timeoutMs).catch(() => undefined);
    return { seconds: (Date.now() - started) / 1000, left: backlog() };
  } finally {
    for (const db of dbs) db.close();
  }
}

async function runEmbedded(dir: string, suite: SuiteName): Promise<EmbeddedResult> {
  let stack: ChildProcess | null = null;
  const stop = async () => {
    if (!stack || stack.exitCode !== null) return;
    const exited = new Promise((resolve) => stack!.once('exit', resolve));
    stack.kill('SIGTERM');
    await exited;
  };
  process.once('SIGINT', () => {
    stack?.kill('SIGTERM');
    process.exit(130);
  });
  try {
    // 1. The whole embedded default, with agencies that do not move on (so "end to end" is
    //    acceptance at CQ → acknowledgement by the SC agency adapter) and no per-window limit.
    stack = spawn(process.execPath, [join(root, 'dist/apps/local-stack/src/main.js')], {
      cwd: root,
      stdio: 'ignore',
      env: { ...process.env, FEDERATION_SUITE: suite, DATA_DIR: dir, BASE_PORT: String(BASE_PORT), SIM_STEP_MS: '86400000', LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '1000000', MAX_OUTBOX_BACKLOG: '1000000' },
    });
    const credentials = join(dir, 'cq', 'demo-credentials.json');
    await waitFor(() => existsSync(credentials), 90_000);
    await sleep(3000);
    const token = (JSON.parse(readFileSync(credentials, 'utf8')) as { credentials: { role: string; token: string }[] }).credentials.find((c) => c.role === 'window')!.token;
    const intakeUrl = `http://127.0.0.1:${BASE_PORT + 101}/api/v1/applications`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    // 2. Intake, sustained at saturation; then every accepted case followed to the SC adapter.
    const { result: intake, peakMB, cpuPercent } = await peakRss('dist/apps/', () => load(intakeUrl, { method: 'POST', headers, body: application }, SECONDS));
    const e2e = await embeddedE2e(dir, 0);
    say(`embedded ${suite}: intake ${intake.rps}/s, end to end ${e2e.casesPerSecond}/s (drained in ${e2e.drainSeconds} s)`);

    // 3. Paced: the end-to-end latency at a load the system is meant to carry. It starts once
    //    both nodes' outboxes are empty: after the saturated run, SC still owes CQ the status
    //    updates of every case (received, agency-received), and latency measured on top of that
    //    tail would be the tail's, not that of 200 cases/s.
    const quiet = await outboxesEmpty(dir, 5 * 60_000);
    // The paced run is measured on top of whatever the saturated run left: say so when it left some.
    say(quiet.left === 0 ? `embedded: outboxes empty after ${quiet.seconds} s` : `embedded: ${quiet.left} messages still waiting after ${quiet.seconds} s; the paced run starts anyway`);
    const pacedSince = Date.now();
    const pacedSeconds = Math.min(SECONDS, 30);
    const { result: pacedIntake, peakMB: pacedPeak } = await peakRss('dist/apps/', () =>
      load(intakeUrl, { method: 'POST', headers, body: application }, pacedSeconds, { rate: PACED_RATE }),
    );
    const pacedE2e = await embeddedE2e(dir, pacedSince);
    say(`embedded paced ${PACED_RATE}/s: end to end p99 ${pacedE2e.p99} ms`);
    for (const [name, mb] of Object.entries(pacedPeak)) peakMB[name] = Math.max(peakMB[name] ?? 0, mb);
    return { intake, e2e, paced: { offeredPerSecond: PACED_RATE, intake: pacedIntake, e2e: pacedE2e }, memoryMB: peakMB, cpuPercent };
  } finally {
    await stop();
  }
}

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

const memoryLine = (memory: Record<string, number>) =>
  Object.entries(memory)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** One suite, mode by mode: the embedded stack, then production with 1 and BENCH_REPLICAS replicas. */
async function runSuite(dir: string, suite: SuiteName): Promise<SuiteRun> {
  say(`--- suite ${suite} ---`);
  const embedded = MODES.includes('embedded') ? await runEmbedded(join(dir, `embedded-${suite}`), suite) : null;
  const production: ProductionResult[] = [];
  let productionSkipped: string | null = MODES.includes('production') ? await productionUnavailable() : 'not asked for (BENCH_MODES)';
  if (productionSkipped === null) {
    for (const replicas of [...new Set([1, REPLICAS])]) {
      try {
        const result = await runProduction({ root, dir: join(dir, `production-${suite}-${replicas}`), basePort: BASE_PORT + 400, replicas, seconds: SECONDS, connections: CONNECTIONS, suite, say });
        production.push(result);
        say(`production ${suite} ×${replicas}: intake ${result.intake.rps}/s, end to end ${result.e2e.casesPerSecond}/s`);
      } catch (error) {
        productionSkipped = `production mode with ${replicas} replica(s) failed: ${String(error)}`;
        say(productionSkipped);
        break;
      }
    }
  } else {
    say(`production mode skipped: ${productionSkipped}`);
  }
  await sleep(2000);
  const signVerify = await signVerifyLoop(dir, suite === 'gm' ? 500 : 2000, suite);
  return { suite, embedded, production, productionSkipped, signVerify };
}

/** b ÷ a, two decimals; null when either is missing or a is 0. */
function ratio(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || a === 0 ? null : +(b / a).toFixed(2);
}

/** gm ÷ intl for each mode's headline figures (throughput, latency, memory and CPU of the gateways). */
function suiteRatios(intl: SuiteRun, gm: SuiteRun) {
  const sum = (record: Record<string, number> | undefined, prefix: string) =>
    record === undefined ? undefined : Object.entries(record).filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
  const of = (a: { intake: LoadResult; e2e: E2eResult; memoryMB: Record<string, number>; cpuPercent: Record<string, number> } | null | undefined, b: typeof a) => ({
    intakeThroughput: ratio(a?.intake.rps, b?.intake.rps),
    intakeP99: ratio(a?.intake.p99, b?.intake.p99),
    e2eThroughput: ratio(a?.e2e.casesPerSecond, b?.e2e.casesPerSecond),
    e2eP50: ratio(a?.e2e.p50, b?.e2e.p50),
    e2eP99: ratio(a?.e2e.p99, b?.e2e.p99),
    gatewayMemory: ratio(sum(a?.memoryMB, 'gateway'), sum(b?.memoryMB, 'gateway')),
    gatewayCpu: ratio(sum(a?.cpuPercent, 'gateway'), sum(b?.cpuPercent, 'gateway')),
  });
  return {
    embedded: intl.embedded && gm.embedded ? { ...of(intl.embedded, gm.embedded), pacedE2eP99: ratio(intl.embedded.paced.e2e.p99, gm.embedded.paced.e2e.p99) } : null,
    production: intl.production.map((p) => ({ replicas: p.replicas, ...of(p, gm.production.find((q) => q.replicas === p.replicas)) })),
    envelopeSignVerify: ratio(intl.signVerify.microsPerOp, gm.signVerify.microsPerOp),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cytb-bench-'));
  try {
    const runs: SuiteRun[] = [];
    for (const suite of SUITES) runs.push(await runSuite(dir, suite));
    // A yardstick measured in the same run, with the stacks stopped.
    const fastify = await bareFastify(Math.min(SECONDS, 10));

    const machine = {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      date: new Date().toISOString(),
      seconds: SECONDS,
      connections: CONNECTIONS,
      suites: SUITES,
      commit: process.env['BENCH_COMMIT'] ?? gitCommit(),
    };
    const intl = runs.find((r) => r.suite === 'intl');
    const gm = runs.find((r) => r.suite === 'gm');
    const ratios = {
      suites: intl && gm ? suiteRatios(intl, gm) : null,
      perSuite: runs.map((r) => ({
        suite: r.suite,
        intakeToBareFastify: r.embedded ? +(r.embedded.intake.rps / fastify.rps).toFixed(3) : null,
        production: r.production.map((p) => ({
          replicas: p.replicas,
          intakeToEmbedded: r.embedded ? +(p.intake.rps / r.embedded.intake.rps).toFixed(2) : null,
          e2eToEmbedded: r.embedded ? +(p.e2e.casesPerSecond / r.embedded.e2e.casesPerSecond).toFixed(2) : null,
        })),
      })),
    };
    const report = { machine, runs, yardsticks: { bareFastify: fastify }, ratios };
    mkdirSync(join(root, 'bench', 'reports'), { recursive: true });
    writeFileSync(join(root, 'bench', 'reports', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);

    const rows: string[] = [];
    const row = (measure: string, value: string | number) => rows.push(`| ${measure} | ${value} |`);
    for (const run of runs) {
      const s = run.suite;
      if (run.embedded) {
        const { intake, e2e, paced } = run.embedded;
        row(`**${s} embedded** intake throughput (2xx/s)`, intake.rps);
        row(`${s} embedded intake latency p50 / p97.5 / p99 (ms)`, `${intake.p50} / ${intake.p97_5} / ${intake.p99}`);
        row(`${s} embedded intake non-2xx`, `${intake.non2xx} of ${intake.total}`);
        row(`${s} embedded end-to-end cases (accepted CQ → acknowledged by SC agency adapter)`, e2e.cases);
        row(`${s} embedded end-to-end throughput (cases/s)`, e2e.casesPerSecond);
        row(`${s} embedded end-to-end latency p50 / p95 / p99 (ms), saturated`, `${e2e.p50} / ${e2e.p95} / ${e2e.p99}`);
        if (e2e.legsP50) row(`${s} embedded legs p50 (ms): accepted → received at SC, → acknowledged by SC adapter`, `${e2e.legsP50.forwarding}, ${e2e.legsP50.agency}`);
        row(`${s} embedded end-to-end latency p50 / p95 / p99 (ms) at ${paced.offeredPerSecond}/s offered (${paced.intake.rps}/s accepted, ${paced.e2e.cases} cases)`, `${paced.e2e.p50} / ${paced.e2e.p95} / ${paced.e2e.p99}`);
        row(`${s} embedded memory, peak RSS (MB)`, memoryLine(run.embedded.memoryMB));
        row(`${s} embedded CPU during the saturated run (% of one core)`, memoryLine(run.embedded.cpuPercent));
      }
      for (const p of run.production) {
        row(`**${s} production ×${p.replicas}** intake throughput (2xx/s)`, p.intake.rps);
        row(`${s} production ×${p.replicas} intake latency p50 / p97.5 / p99 (ms)`, `${p.intake.p50} / ${p.intake.p97_5} / ${p.intake.p99}`);
        row(`${s} production ×${p.replicas} intake non-2xx`, `${p.intake.non2xx} of ${p.intake.total}`);
        row(`${s} production ×${p.replicas} end-to-end throughput (cases/s, ${p.e2e.cases} cases)`, p.e2e.casesPerSecond);
        row(`${s} production ×${p.replicas} end-to-end latency p50 / p95 / p99 (ms), saturated`, `${p.e2e.p50} / ${p.e2e.p95} / ${p.e2e.p99}`);
        if (p.e2e.legsP50) row(`${s} production ×${p.replicas} legs p50 (ms): accepted → received at SC, → acknowledged by SC adapter`, `${p.e2e.legsP50.forwarding}, ${p.e2e.legsP50.agency}`);
        row(`${s} production ×${p.replicas} memory, peak RSS (MB)`, memoryLine(p.memoryMB));
        row(`${s} production ×${p.replicas} CPU during the saturated run (% of one core)`, memoryLine(p.cpuPercent));
      }
      if (run.productionSkipped) row(`${s} production mode`, `skipped: ${run.productionSkipped}`);
      row(`yardstick: envelope ${s === 'gm' ? 'SM2' : 'Ed25519'} sign+verify, libs/signing (ops/s, µs/op)`, `${run.signVerify.opsPerSecond}, ${run.signVerify.microsPerOp}`);
    }
    row('yardstick: bare Fastify route (req/s)', fastify.rps);
    for (const r of ratios.perSuite) {
      if (r.intakeToBareFastify !== null) row(`${r.suite} embedded intake ÷ bare Fastify`, r.intakeToBareFastify);
      for (const p of r.production) row(`${r.suite} production ×${p.replicas} ÷ embedded (intake, end to end)`, `${p.intakeToEmbedded}, ${p.e2eToEmbedded}`);
    }
    const suiteRows: string[] = [];
    if (ratios.suites) {
      const line = (mode: string, x: ReturnType<typeof suiteRatios>['production'][number] | NonNullable<ReturnType<typeof suiteRatios>['embedded']>) =>
        suiteRows.push(`| ${mode} | ${x.intakeThroughput} | ${x.intakeP99} | ${x.e2eThroughput} | ${x.e2eP50} | ${x.e2eP99} | ${x.gatewayMemory} | ${x.gatewayCpu} |`);
      if (ratios.suites.embedded) line('embedded', ratios.suites.embedded);
      for (const p of ratios.suites.production) line(`production ×${p.replicas}`, p);
    }
    const md = [
      `# Benchmark (${machine.date.slice(0, 10)}, commit ${machine.commit})`,
      '',
      `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, Node ${machine.node}; the load generator and every process on the same machine; ${SECONDS} s per saturated run, ${CONNECTIONS} connections; suites ${SUITES.join(', ')}.`,
      '',
      '| measure | value |',
      '|---|---|',
      ...rows,
      '',
      ...(suiteRows.length > 0
        ? [
            '**gm ÷ intl** (throughput below 1 and latency above 1 mean gm costs more; memory and CPU are the gateways\' sums)',
            '',
            '| mode | intake /s | intake p99 | end-to-end /s | end-to-end p50 | end-to-end p99 | gateway RSS | gateway CPU |',
            '|---|---|---|---|---|---|---|---|',
            ...suiteRows,
            '',
            `Envelope sign+verify alone: gm ÷ intl ${ratios.suites?.envelopeSignVerify ?? '–'} (µs per operation).`,
            '',
          ]
        : []),
    ].join('\n');
    writeFileSync(join(root, 'bench', 'reports', 'latest.md'), md);
    say(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});
