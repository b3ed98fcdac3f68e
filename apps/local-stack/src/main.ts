import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { issueLocalFederation, writeTextAtomically } from '#signing';
import { federationMessageTypes } from '#contracts';
import { NODE_NAMES, startFailure, SystemClock } from '#core';
import { loadLocalStackConfig, type LocalNode } from './local-stack.config.js';
import { Supervisor } from './supervisor.js';

/**
 * `npm start`: the whole system on the embedded default. Creates on first start what a fresh
 * machine lacks (signing keys, the local federation file, demo credentials) and reuses it after.
 */
async function main(): Promise<void> {
  const config = loadLocalStackConfig();
  const say = (line: string) => process.stdout.write(`${line}\n`);

  // 1. Keys of both nodes and their agencies (created on first start), and the federation that
  //    lists them with its access rules, signed by a federation authority key of this machine.
  const clock = new SystemClock();
  const { signed, authorityJwks } = await issueLocalFederation({
    nodes: config.nodes.map((n) => ({
      node: n.node,
      name: NODE_NAMES[n.node],
      url: `http://127.0.0.1:${n.httpPort}`,
      keyDir: keyDir(config.dataDir, n),
      agencyKeyDir: agencyKeyDir(config.dataDir, n),
      agencyFunctions: ['card', 'medical', 'pension'],
    })),
    types: federationMessageTypes(),
    authorityDir: join(config.dataDir, 'federation-authority'),
    clock,
    // FEDERATION_SUITE=gm: every node signs SM2 and hashes evidence with SM3; the document is signed by the SM2 authority key.
    suite: config.federationSuite,
    // Each start signs a new document; a node refuses one older than the last it accepted.
    serial: Math.floor(clock.nowMs() / 1000),
  });
  const federationFile = join(config.dataDir, 'federation.jws');
  const authorityJwksFile = join(config.dataDir, 'federation-authority.jwks.json');
  writeTextAtomically(federationFile, `${signed}\n`);
  writeTextAtomically(authorityJwksFile, `${JSON.stringify(authorityJwks, null, 2)}\n`);

  // 2. Agency simulators, adapters, then the gateway nodes.
  const supervisor = new Supervisor(config.childEnv, join(config.dataDir, 'logs'), say, config.heapLimitMb);
  const script = (app: string) => join(config.distDir, 'apps', app, 'src', 'main.js');
  for (const n of config.nodes) {
    const dir = join(config.dataDir, n.node.toLowerCase());
    const linkSecret = ensureSecret(join(dir, 'agency-link.secret'));
    supervisor.start({
      name: `${n.node.toLowerCase()}-agency-simulator`,
      script: script('agency-simulator'),
      env: {
        SIM_PROVINCE: n.node,
        SIM_PORT: String(n.simulatorPort),
        SIM_STEP_MS: String(config.simulatorStepMs),
        SIM_STATE_FILE: join(dir, 'agency-simulator.json'),
        SIM_AUTO_TICK_MS: '500',
      },
    });
    supervisor.start({
      name: `${n.node.toLowerCase()}-adapter`,
      script: script(n.adapterApp),
      env: {
        ADAPTER_PORT: String(n.adapterPort),
        GATEWAY_STATUS_HOST: '127.0.0.1',
        GATEWAY_STATUS_PORT: String(n.statusPort),
        AGENCY_BASE_URL: `http://127.0.0.1:${n.simulatorPort}`,
        ADAPTER_STATE_DIR: join(dir, 'adapter'),
        ADAPTER_POLL_MS: '500',
        AGENCY_LINK_SECRET: linkSecret,
        AGENCY_KEY_DIR: agencyKeyDir(config.dataDir, n),
      },
    });
    supervisor.start({
      name: `${n.node.toLowerCase()}-gateway`,
      script: script('gateway'),
      env: {
        NODE_CODE: n.node,
        HTTP_PORT: String(n.httpPort),
        STATUS_PORT: String(n.statusPort),
        ADAPTER_PORT: String(n.adapterPort),
        DATA_DIR: config.dataDir,
        FEDERATION_FILE: federationFile,
        FEDERATION_AUTHORITY_JWKS: authorityJwksFile,
        DEMO_CREDENTIALS_FILE: demoFile(config.dataDir, n),
        AGENCY_LINK_SECRET: linkSecret,
      },
    });
  }

  const stop = async () => {
    say('stopping…');
    await supervisor.stopAll();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  // 3. Wait until both nodes answer, then say where everything is.
  await Promise.all(config.nodes.map((n) => waitForHttp(`http://127.0.0.1:${n.httpPort}/.well-known/jwks.json`, 60_000)));
  say('');
  say('川渝通办 gateway — embedded default is running');
  for (const n of config.nodes) {
    say(`  ${NODE_NAMES[n.node]} (${n.node}) gateway   http://127.0.0.1:${n.httpPort}   (agency simulator :${n.simulatorPort}, adapter tcp :${n.adapterPort})`);
  }
  say('');
  say('Demo credentials (Authorization: Bearer <token>):');
  for (const n of config.nodes) {
    for (const c of readDemo(config.dataDir, n)) say(`  ${n.node}  ${c.role.padEnd(8)} ${c.name}\n      ${c.token}`);
  }
  say('');
  say(`Data and logs: ${config.dataDir}   ·   npm run demo   ·   Ctrl-C stops everything`);
}

/** A random secret kept in a 0600 file, created on first start and reused after. */
function ensureSecret(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

function keyDir(dataDir: string, n: LocalNode): string {
  return join(dataDir, n.node.toLowerCase(), 'keys');
}

/** The node's agencies' encryption keys: the adapter opens them, the federation publishes their public halves. */
function agencyKeyDir(dataDir: string, n: LocalNode): string {
  return join(dataDir, n.node.toLowerCase(), 'agency-keys');
}

function demoFile(dataDir: string, n: LocalNode): string {
  return join(dataDir, n.node.toLowerCase(), 'demo-credentials.json');
}

function readDemo(dataDir: string, n: LocalNode): { role: string; name: string; token: string }[] {
  const file = demoFile(dataDir, n);
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { credentials: { role: string; name: string; token: string }[] }).credentials;
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`local stack failed to start: ${startFailure(error)}\n`);
  process.exit(1);
});
