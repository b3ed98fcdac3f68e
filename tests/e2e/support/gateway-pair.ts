import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, NODE_NAMES, type NodeCode } from '#core';
import { harnessSuite } from './harness-suite.js';
import { issueLocalFederation, writeTextAtomically, type Federation } from '#signing';
import { federationMessageTypes } from '#contracts';
import { loadGatewayConfig, type GatewayConfig } from '../../../apps/gateway/src/config/gateway.config.js';
import { createGatewayApp, type GatewayHandle } from '../../../apps/gateway/src/gateway-app.js';
import { freePort, retryOnPortClash } from './free-port.js';

export interface PairNode {
  readonly node: NodeCode;
  readonly config: GatewayConfig;
  gateway: GatewayHandle;
  readonly window: string;
  readonly operator: string;
  url(path: string): string;
}

/**
 * Two gateway nodes over real HTTP with no agency adapters behind them: enough to exercise the
 * intake and peer faces (hand-overs to the absent adapters simply wait in the outbox).
 */
export class GatewayPair {
  readonly clock = new ManualClock(Date.UTC(2026, 10, 23, 1, 0, 0));
  readonly dir = mkdtempSync(join(tmpdir(), 'cytb-pair-'));
  readonly nodes = {} as Record<NodeCode, PairNode>;
  federation!: Federation;

  /** `env` adds to (or overrides) each node's environment. */
  static async start(env: Readonly<Record<string, string>> = {}): Promise<GatewayPair> {
    return retryOnPortClash(async () => {
      const pair = new GatewayPair();
      try {
        return await GatewayPair.boot(pair, env);
      } catch (error) {
        await pair.stop().catch(() => undefined);
        throw error;
      }
    });
  }

  private static async boot(pair: GatewayPair, env: Readonly<Record<string, string>>): Promise<GatewayPair> {
    const ports = { SC: await freePort(), CQ: await freePort() };
    const codes: NodeCode[] = ['SC', 'CQ'];
    // The signed federation, read from files the way a production node reads it.
    const issued = await issueLocalFederation({
      nodes: codes.map((node) => ({
        node,
        name: NODE_NAMES[node],
        url: `http://127.0.0.1:${ports[node]}`,
        keyDir: join(pair.dir, node, 'keys'),
        agencyKeyDir: join(pair.dir, node, 'agency-keys'),
        agencyFunctions: ['card', 'medical', 'pension'],
      })),
      types: federationMessageTypes(),
      authorityDir: join(pair.dir, 'federation-authority'),
      clock: pair.clock,
      serial: 1,
      // CYTB_SUITE=gm runs the same specs in the gm suite (SM2, SM3): `npm run test:e2e:gm`.
      suite: harnessSuite(),
    });
    pair.federation = issued.federation;
    writeTextAtomically(join(pair.dir, 'federation.jws'), issued.signed);
    writeTextAtomically(join(pair.dir, 'federation-authority.jwks.json'), JSON.stringify(issued.authorityJwks));
    for (const node of codes) {
      const config = loadGatewayConfig({
        NODE_CODE: node,
        HTTP_PORT: String(ports[node]),
        STATUS_PORT: String(await freePort()),
        ADAPTER_PORT: String(await freePort()),
        DATA_DIR: pair.dir,
        KEY_DIR: join(pair.dir, node, 'keys'),
        DEMO_CREDENTIALS_FILE: join(pair.dir, node, 'demo-credentials.json'),
        RELAY_IDLE_MS: '20',
        PEER_TIMEOUT_MS: '2000',
        AGENCY_TIMEOUT_MS: '500',
        // Tests poll status many times a second; the rate limit has its own unit test.
        AGENCY_LINK_SECRET: `test-agency-link-secret-of-${node}-0123456789`,
        RATE_LIMIT_PER_SECOND: '100000',
        RATE_LIMIT_BURST: '100000',
        ...env,
      });
      const gateway = await createGatewayApp(config, { clock: pair.clock, logs: false, docsUi: false });
      await gateway.listen().catch(async (error: unknown) => {
        await gateway.close();
        throw error;
      });
      const token = (role: string) => `Bearer ${gateway.demoCredentials.find((c) => c.role === role)!.token}`;
      pair.nodes[node] = {
        node,
        config,
        gateway,
        window: token('window'),
        operator: token('operator'),
        url: (path: string) => `http://127.0.0.1:${ports[node]}${path}`,
      };
    }
    return pair;
  }

  /** Stops one node's gateway (same database, keys and port kept for restart). */
  async stopNode(node: NodeCode): Promise<void> {
    await this.nodes[node].gateway.close();
  }

  async restartNode(node: NodeCode): Promise<void> {
    const n = this.nodes[node];
    n.gateway = await createGatewayApp(n.config, { clock: this.clock, logs: false, docsUi: false });
    await n.gateway.listen();
  }

  get sc(): PairNode {
    return this.nodes.SC;
  }

  get cq(): PairNode {
    return this.nodes.CQ;
  }

  async stop(): Promise<void> {
    for (const n of Object.values(this.nodes)) await n.gateway.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
