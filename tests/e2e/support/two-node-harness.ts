import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ManualClock, NODE_NAMES, type NodeCode } from '#core';
import type { AdapterHandle } from '#adapter-kit';
import { harnessSuite } from './harness-suite.js';
import { issueLocalFederation, writeTextAtomically, type Federation, type LocalFederationNode, type SuiteName } from '#signing';
import { federationMessageTypes } from '#contracts';
import { createSichuanAdapter } from '../../../apps/adapter-sichuan/src/sichuan-adapter.js';
import { createChongqingAdapter } from '../../../apps/adapter-chongqing/src/chongqing-adapter.js';
import { createSimulatorApp } from '../../../apps/agency-simulator/src/simulator-app.js';
import type { ProvinceSimulators } from '../../../apps/agency-simulator/src/province-simulators.js';
import type { TransferSeeds } from '../../../apps/agency-simulator/src/pension-office.simulator.js';
import { loadGatewayConfig, type GatewayConfig } from '../../../apps/gateway/src/config/gateway.config.js';
import { createGatewayApp, type GatewayHandle } from '../../../apps/gateway/src/gateway-app.js';
import type { IssuedCredential } from '../../../apps/gateway/src/auth/credentials.service.js';
import { eventually, freePort, retryOnPortClash } from './free-port.js';
import { FaultProxy } from '../../faults/support/fault-proxy.js';

export interface NodeUnderTest {
  readonly node: NodeCode;
  readonly config: GatewayConfig;
  gateway: GatewayHandle;
  readonly simulatorApp: NestFastifyApplication;
  /** The province's agency systems: `simulator.card`, `.medical`, `.pension`; `caseCount` and `stats` span all three. */
  readonly simulator: ProvinceSimulators;
  adapter: INestMicroservice;
  /** The adapter's status pumps (one per agency); `pumpOnce()` drains every feed. */
  pump: Pick<AdapterHandle, 'pumps' | 'pumpOnce'>;
  readonly credentials: readonly IssuedCredential[];
  /** `Bearer <token>` of the node's first demo window. */
  readonly window: string;
  readonly otherWindow: string;
  readonly operator: string;
  url(path: string): string;
}

export const SIM_STEP_MS = 60_000;

/** Test-only agency-link secrets (each province has its own). */
export function linkSecretOf(node: NodeCode): string {
  return `test-agency-link-secret-of-${node}-0123456789`;
}

export interface HarnessOptions {
  readonly notInsured?: readonly string[];
  /** IDs whose biometric check fails at the pension offices. */
  readonly biometricFail?: readonly string[];
  /** IDs whose pension payment the pension offices suspended before the run. */
  readonly suspendedPensioners?: readonly string[];
  /** Seeded conditions of the pension offices as transfer-out sides (ID numbers): terminated, unsuspended, arrears, drawingPension, wrongSums. */
  readonly transfer?: TransferSeeds;
  /** Production mode: each province on its own PostgreSQL database, the agency link on RabbitMQ. */
  readonly production?: { readonly databaseUrls: Record<NodeCode, string>; readonly amqpUrl: string; readonly queuePrefix: string };
  /** Keep each gateway's JSON logs (debug level) in `<dir>/<node>-gateway.log`. */
  readonly gatewayLogs?: boolean;
  /** Put a front door (a switchable proxy, as a load balancer) before each node's peer URL. */
  readonly frontDoors?: boolean;
  /** The suite of the first federation (default: CYTB_SUITE, see harness-suite.ts). */
  readonly suite?: SuiteName;
}

/**
 * Both provinces in one test process over real transports: two gateway nodes (HTTP between
 * them, TCP to their adapters), two adapters, two agency simulators, one frozen clock.
 */
export class TwoNodeHarness {
  readonly clock = new ManualClock(Date.UTC(2026, 10, 23, 1, 0, 0)); // Monday 09:00 in Shanghai
  readonly dir = mkdtempSync(join(tmpdir(), 'cytb-e2e-'));
  nodes = {} as Record<NodeCode, NodeUnderTest>;
  private readonly pumps: Pick<AdapterHandle, 'pumpOnce'>[] = [];
  private federation!: Federation;
  /** The nodes as the federation authority lists them (keys, agencies, URLs), for the next document. */
  private localNodes: LocalFederationNode[] = [];

  static async start(options: HarnessOptions = {}): Promise<TwoNodeHarness> {
    return retryOnPortClash(async () => {
      const harness = new TwoNodeHarness();
      try {
        await harness.boot(options);
      } catch (error) {
        await harness.stop().catch(() => undefined);
        throw error;
      }
      return harness;
    });
  }

  get sc(): NodeUnderTest {
    return this.nodes.SC;
  }

  get cq(): NodeUnderTest {
    return this.nodes.CQ;
  }

  private production: HarnessOptions['production'];
  private gatewayLogs = false;

  private async boot(options: HarnessOptions): Promise<void> {
    this.production = options.production;
    this.gatewayLogs = options.gatewayLogs === true;
    const ports = {
      SC: { http: await freePort(), status: await freePort(), adapter: await freePort() },
      CQ: { http: await freePort(), status: await freePort(), adapter: await freePort() },
    };
    const nodes: NodeCode[] = ['SC', 'CQ'];
    // The federation as an authority would issue it: keys, agencies' encryption keys, access rules.
    const urls: Record<NodeCode, string> = {
      SC: `http://127.0.0.1:${options.frontDoors ? await this.frontDoor('SC', ports.SC.http) : ports.SC.http}`,
      CQ: `http://127.0.0.1:${options.frontDoors ? await this.frontDoor('CQ', ports.CQ.http) : ports.CQ.http}`,
    };
    this.localNodes = nodes.map((node) => ({
      node,
      name: NODE_NAMES[node],
      url: urls[node],
      keyDir: join(this.dir, node, 'keys'),
      agencyKeyDir: join(this.dir, node, 'agency-keys'),
      agencyFunctions: ['card', 'medical', 'pension'],
    }));
    // CYTB_SUITE=gm runs the same specs in the gm suite (SM2, SM3): `npm run test:e2e:gm`.
    this.federation = (await this.issueFederation({ serial: 1, suite: options.suite ?? harnessSuite() })).federation;
    for (const node of nodes) {
      const { app: simulatorApp, simulator } = await createSimulatorApp({
        province: node,
        clock: this.clock,
        stepMs: SIM_STEP_MS,
        rejectRate: 0,
        seed: 7,
        notInsured: options.notInsured ?? [],
        biometricFail: options.biometricFail ?? [],
        suspendedPensioners: options.suspendedPensioners ?? [],
        transfer: options.transfer ?? {},
      });
      await simulatorApp.listen(0, '127.0.0.1');
      const address = simulatorApp.getHttpServer().address();
      const simPort = typeof address === 'object' && address ? address.port : 0;
      const config = loadGatewayConfig({
        NODE_CODE: node,
        HTTP_PORT: String(ports[node].http),
        STATUS_PORT: String(ports[node].status),
        ADAPTER_PORT: String(ports[node].adapter),
        DATA_DIR: this.dir,
        KEY_DIR: join(this.dir, node, 'keys'),
        DEMO_CREDENTIALS_FILE: join(this.dir, node, 'demo-credentials.json'),
        RELAY_IDLE_MS: '20',
        PEER_TIMEOUT_MS: '2000',
        AGENCY_TIMEOUT_MS: '2000',
        // Tests poll status many times a second; the rate limit has its own unit test.
        AGENCY_LINK_SECRET: linkSecretOf(node),
        // The suite of the link proofs and the applicant index: the adapter's too (below).
        CRYPTO_SUITE: harnessSuite(),
        RATE_LIMIT_PER_SECOND: '100000',
        RATE_LIMIT_BURST: '100000',
        ...(options.gatewayLogs ? { LOG_LEVEL: 'debug' } : {}),
        ...(options.production
          ? { DATABASE_URL: options.production.databaseUrls[node], AMQP_URL: options.production.amqpUrl, AMQP_QUEUE_PREFIX: options.production.queuePrefix }
          : {}),
      });
      const partial = {
        node,
        config,
        simulatorApp,
        simulator,
        url: (path: string) => `http://127.0.0.1:${ports[node].http}${path}`,
      };
      this.nodes[node] = { ...partial, ...(await this.startAdapter(node, ports[node], simPort)), ...(await this.startGateway(config)) };
      (this.nodes[node] as { simPort?: number }).simPort = simPort;
    }
  }

  private async startAdapter(node: NodeCode, ports: { status: number; adapter: number }, simPort: number) {
    const options = {
      port: ports.adapter,
      gatewayStatus: { host: '127.0.0.1', port: ports.status },
      agencyBaseUrl: `http://127.0.0.1:${simPort}`,
      stateDir: join(this.dir, node, 'adapter'),
      pollMs: 0,
      // Heartbeats in real time, a second apart: `/health` sees a started adapter within a second.
      heartbeatMs: 1000,
      clock: this.clock,
      logs: false,
      linkSecret: linkSecretOf(node),
      // Under gm the federation lists SM2 sealing keys only: the adapter opens with those (and HMAC-SM3 on the link).
      cryptoSuite: harnessSuite(),
      agencyKeyDir: join(this.dir, node, 'agency-keys'),
      amqp: this.production ? { url: this.production.amqpUrl, queuePrefix: this.production.queuePrefix } : null,
    };
    const handle = node === 'SC' ? await createSichuanAdapter(options) : await createChongqingAdapter(options);
    await handle.app.listen().catch(async (error: unknown) => {
      await handle.app.close();
      throw error;
    });
    this.pumps.push(handle);
    return { adapter: handle.app, pump: handle, app: handle.app };
  }

  /** Where a node's gateway logs go: nowhere, or a file the test can read. */
  gatewayLogFile(node: NodeCode): string {
    return join(this.dir, `${node.toLowerCase()}-gateway.log`);
  }

  private logOptions(node: NodeCode) {
    return this.gatewayLogs ? { logs: true, logFile: this.gatewayLogFile(node) } : { logs: false };
  }

  private async startGateway(config: GatewayConfig) {
    const gateway = await createGatewayApp(config, { clock: this.clock, federation: this.federation, ...this.logOptions(config.node), docsUi: false });
    await gateway.listen().catch(async (error: unknown) => {
      await gateway.close();
      throw error;
    });
    const credentials = gateway.demoCredentials;
    const bearer = (role: string, index = 0) => `Bearer ${credentials.filter((c) => c.role === role)[index].token}`;
    return { gateway, credentials, window: bearer('window'), otherWindow: bearer('window', 1), operator: bearer('operator') };
  }

  /** Front doors by node: switch `targetPort` to move traffic to another replica. */
  readonly doors = {} as Record<NodeCode, FaultProxy>;

  private async frontDoor(node: NodeCode, target: number): Promise<number> {
    const door = new FaultProxy(target, 0);
    const port = await freePort();
    await door.listen(port);
    this.doors[node] = door;
    return port;
  }

  federationDocument(): Federation {
    return this.federation;
  }

  /**
   * The federation authority issues the next document for these nodes (their keys of every suite
   * it names, made on first use as a node makes them), signed in its suite, and publishes its
   * public keys where both nodes' configuration points (FEDERATION_AUTHORITY_JWKS). The nodes go on
   * with the document in force until an operator reloads the new one; a restart then runs on it.
   *
   * @example const stage = await h.issueFederation({ serial: 2, suite: 'intl', overlap: { suite: 'gm', until } });
   */
  async issueFederation(input: { readonly serial: number; readonly suite: SuiteName; readonly overlap?: { readonly suite: SuiteName; readonly until: string } }) {
    const issued = await issueLocalFederation({
      nodes: this.localNodes,
      types: federationMessageTypes(),
      authorityDir: join(this.dir, 'federation-authority'),
      clock: this.clock,
      ...input,
    });
    // Both nodes share DATA_DIR, so one file is both nodes' authority JWKS.
    writeTextAtomically(join(this.dir, 'federation-authority.jwks.json'), JSON.stringify(issued.authorityJwks));
    this.federation = issued.federation;
    return issued;
  }

  /** One more adapter for a province (a competing consumer in production mode). */
  async startExtraAdapter(node: NodeCode): Promise<{ app: INestMicroservice; pump: Pick<AdapterHandle, 'pumps' | 'pumpOnce'> }> {
    const n = this.nodes[node] as NodeUnderTest & { simPort: number };
    const { app, pump } = await this.startAdapter(node, { status: n.config.statusListener.port, adapter: await freePort() }, n.simPort);
    return { app, pump };
  }

  /** Stops and starts one node's gateway process state (same database, keys and ports). */
  async restartGateway(node: NodeCode): Promise<void> {
    const n = this.nodes[node];
    await n.gateway.close();
    n.gateway = await createGatewayApp(n.config, { clock: this.clock, federation: this.federation, ...this.logOptions(n.node), docsUi: false });
    await n.gateway.listen();
  }

  /** Moves the agencies' clock one stage on and lets every adapter report what changed. */
  /** Reports what the agencies' feeds already hold, without moving their clock on. */
  async pumpAgencies(): Promise<void> {
    for (const pump of this.pumps) await pump.pumpOnce();
  }

  async advanceAgencies(): Promise<void> {
    this.clock.advance(SIM_STEP_MS);
    for (const n of Object.values(this.nodes)) n.simulator.tick();
    for (const pump of this.pumps) await pump.pumpOnce();
  }

  async caseAt(n: NodeUnderTest, caseId: string, auth = n.window): Promise<{ status: string; stage: string; timeline: { stage: string; side: string; reason?: { code: string } }[] }> {
    const response = await fetch(n.url(`/api/v1/${auth === n.operator ? 'operator/cases' : 'applications'}/${caseId}`), {
      headers: { authorization: auth },
    });
    return (await response.json()) as never;
  }

  /** Moves the agencies one stage on and waits (briefly) until the accepting window sees something new. */
  async step(accepting: NodeUnderTest, caseId: string): Promise<Awaited<ReturnType<TwoNodeHarness['caseAt']>>> {
    const before = (await this.caseAt(accepting, caseId)).timeline.length;
    await this.advanceAgencies();
    return eventually(() => this.caseAt(accepting, caseId), (c) => c.timeline.length > before, 5_000).catch(() => this.caseAt(accepting, caseId));
  }

  /**
   * Drives the agencies until the case is done at its accepting window (or gives up). `waitMs`:
   * how long each stage may take to come back over the real transports (more on a loaded machine).
   */
  async runToEnd(accepting: NodeUnderTest, caseId: string, maxSteps = 12, waitMs = 5_000): Promise<Awaited<ReturnType<TwoNodeHarness['caseAt']>>> {
    await eventually(() => this.caseAt(accepting, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'), Math.max(10_000, waitMs));
    for (let step = 0; step < maxSteps; step += 1) {
      const view = await this.caseAt(accepting, caseId);
      if (view.status !== 'in-progress') return view;
      const before = view.timeline.length;
      await this.advanceAgencies();
      await eventually(() => this.caseAt(accepting, caseId), (c) => c.timeline.length > before || c.status !== 'in-progress', waitMs).catch(() => undefined);
    }
    return this.caseAt(accepting, caseId);
  }

  async stop(): Promise<void> {
    for (const n of Object.values(this.nodes)) {
      await n.gateway.close();
      await n.adapter.close();
      await n.simulatorApp.close();
    }
    for (const door of Object.values(this.doors)) await door.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
