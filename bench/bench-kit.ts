/**
 * What both benchmark modes share: the load generator (autocannon on 127.0.0.1, bounded in time),
 * the generated applications, per-process memory, percentiles and the latency summary of cases.
 */
import { readFileSync, readdirSync } from 'node:fs';
import autocannon from 'autocannon';
import { idCheckCharacter } from '#codes';

export const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 60);
export const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoadResult {
  rps: number;
  p50: number;
  /** autocannon's histogram has no p95; p97.5 is the nearest it reports. */
  p97_5: number;
  p99: number;
  non2xx: number;
  total: number;
}

export interface E2eResult {
  /** Median ms of each leg: accepted at CQ → received by SC (peer forwarding), → acknowledged by SC's adapter. */
  legsP50?: { forwarding: number; agency: number };
  cases: number;
  casesPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  drainSeconds: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function load(
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: () => string },
  seconds: number,
  options: { connections?: number; rate?: number } = {},
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: init.method,
    connections: options.connections ?? CONNECTIONS,
    duration: seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
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

/** Several load generators at once (one per replica), summed; latencies are the worst of them. */
export function combine(results: readonly LoadResult[]): LoadResult {
  return {
    rps: results.reduce((n, r) => n + r.rps, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p97_5: Math.max(...results.map((r) => r.p97_5)),
    p99: Math.max(...results.map((r) => r.p99)),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    total: results.reduce((n, r) => n + r.total, 0),
  };
}

/** A different valid ID number per request, so the simulated agency never refuses a duplicate person. */
let counter = 0;
export function application(): string {
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

/** RSS (MB) of our node processes whose command line contains `pattern`, named by app, node and replica. */
export function rssOf(pattern: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, name] of namesOf(pattern)) {
    try {
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      out[name] = Math.round(rss / 1024);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Keeps the highest RSS seen per process while `work` runs (sampled every second). */
export async function peakRss<T>(pattern: string, work: () => Promise<T>): Promise<{ result: T; peakMB: Record<string, number>; cpuPercent: Record<string, number> }> {
  const peak: Record<string, number> = {};
  const sample = () => {
    for (const [name, mb] of Object.entries(rssOf(pattern))) peak[name] = Math.max(peak[name] ?? 0, mb);
  };
  const timer = setInterval(sample, 1000);
  const cpuBefore = cpuSecondsOf(pattern);
  const started = Date.now();
  try {
    const result = await work();
    sample();
    return { result, peakMB: peak, cpuPercent: cpuPercentSince(cpuBefore, cpuSecondsOf(pattern), (Date.now() - started) / 1000) };
  } finally {
    clearInterval(timer);
  }
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system) each process of the stack has used so far, by the same names as
 * `rssOf`, keyed also by pid so that a process restarted meanwhile is not subtracted from another.
 */
export function cpuSecondsOf(pattern: string): Map<string, { name: string; seconds: number }> {
  const out = new Map<string, { name: string; seconds: number }>();
  const names = namesOf(pattern);
  for (const [pid, name] of names) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The fields after the command name in parentheses (which may hold spaces): utime is the 14th field, stime the 15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, { name, seconds: (Number(fields[11]) + Number(fields[12])) / USER_HZ });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Each named process's CPU use between two samples, in % of one core (100 = one core busy all the time). */
export function cpuPercentSince(before: Map<string, { name: string; seconds: number }>, after: Map<string, { name: string; seconds: number }>, wallSeconds: number): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [pid, now] of after) used[now.name] = (used[now.name] ?? 0) + now.seconds - (before.get(pid)?.seconds ?? 0);
  const out: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(used)) out[name] = Math.round((100 * seconds) / Math.max(wallSeconds, 0.001));
  return out;
}

/** The pids of the stack's processes and their names (as `rssOf` names them). */
function namesOf(pattern: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const match = cmd.includes(pattern) ? /dist\/apps\/([\w-]+)\//.exec(cmd) : null;
      if (!match) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const node = /NODE_CODE=(\w+)/.exec(env)?.[1] ?? /SIM_PROVINCE=(\w+)/.exec(env)?.[1] ?? /BENCH_NODE=(\w+)/.exec(env)?.[1] ?? '';
      const replica = /BENCH_REPLICA=(\w+)/.exec(env)?.[1];
      out.set(pid, `${match[1]}${node ? ` ${node}` : ''}${replica ? ` #${replica}` : ''}`.trim());
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(500);
  }
}

/** Throughput and latency of cases from acceptance (ms) to acknowledgement by the handling agency adapter (ms). */
export function e2eOf(acceptedAt: ReadonlyMap<string, number>, acked: readonly { case_id: string; at: number }[], drainSeconds: number): E2eResult {
  const latencies = acked.map((r) => Number(r.at) - (acceptedAt.get(r.case_id) ?? Number(r.at))).sort((a, b) => a - b);
  const first = Math.min(...acceptedAt.values());
  const last = Math.max(...acked.map((r) => Number(r.at)));
  return {
    cases: acked.length,
    casesPerSecond: Math.round(acked.length / Math.max(1, (last - first) / 1000)),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    drainSeconds,
  };
}

/** Median of each leg, from the handling side's `received` events (case id → ms). */
export function legsOf(acceptedAt: ReadonlyMap<string, number>, receivedAt: ReadonlyMap<string, number>, acked: readonly { case_id: string; at: number }[]): { forwarding: number; agency: number } {
  const forwarding: number[] = [];
  const agency: number[] = [];
  for (const r of acked) {
    const accepted = acceptedAt.get(r.case_id);
    const received = receivedAt.get(r.case_id);
    if (accepted === undefined || received === undefined) continue;
    forwarding.push(received - accepted);
    agency.push(Number(r.at) - received);
  }
  return { forwarding: percentile(forwarding.sort((a, b) => a - b), 50), agency: percentile(agency.sort((a, b) => a - b), 50) };
}

/**
 * A case's hand-over to its agency adapter, acknowledged: a condition on the handling node's
 * outbox (the 'agency-received' event is left out when the agency's own feed reported a first
 * stage before the acknowledgement was recorded, so it cannot be what is counted).
 */
export const AGENCY_HAND_OVER = "destination LIKE 'agency:%' AND message_type LIKE '%.request' AND state = 'delivered'";
