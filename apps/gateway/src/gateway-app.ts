import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { agencyLinkQueues, linkServerOptions } from '#delivery';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Clock, GatewayError, SystemClock } from '#core';
import { GatewayDatabase } from '#persistence';
import { readFile } from 'node:fs/promises';
import {
  FileKeyStore,
  jwksSourcesOf,
  loadSignedFederation,
  openPersonalDataSecret,
  TrustStore,
  trustedKeysOf,
  type Federation,
} from '#signing';
import type { GatewayConfig } from './config/gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import { ProblemJsonFilter } from './http/problem-json.filter.js';
import { CredentialsService, type IssuedCredential } from './intake/credentials.service.js';
import { PinoNestLogger } from './observability/pino-logger.js';
import { RelayService } from './delivery/relay.service.js';

export interface GatewayOptions {
  /** Tests pass a ManualClock; otherwise the system clock. */
  readonly clock?: Clock;
  /**
   * Tests may pass the federation directly (they made it); otherwise it is read from
   * config.federationFile and accepted only with a valid signature of the federation authority.
   */
  readonly federation?: Federation;
  /** false silences logs (tests); default: JSON logs on stdout. */
  readonly logs?: boolean;
  /** Write the JSON logs to this file instead of stdout (tests that read what a node logged). */
  readonly logFile?: string;
  /**
   * false skips the Swagger UI at /docs (its static files load through a dynamic import that
   * Jest's ESM sandbox cannot follow); the OpenAPI JSON is still served at /docs-json.
   */
  readonly docsUi?: boolean;
}

export interface GatewayHandle {
  readonly app: NestFastifyApplication;
  readonly db: GatewayDatabase;
  readonly relay: RelayService;
  readonly demoCredentials: readonly IssuedCredential[];
  /** Starts the agency-link listener and the HTTP server. */
  listen(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds one gateway node: opens its database (migrating if configured), its keys (created on
 * first start) and its trust store, then the Nest application with the HTTP faces and the
 * agency-link listener. Used by main.ts and by the end-to-end tests alike.
 */
export async function createGatewayApp(config: GatewayConfig, options: GatewayOptions = {}): Promise<GatewayHandle> {
  const clock = options.clock ?? new SystemClock();
  const db = await GatewayDatabase.open(config.database, { migrate: config.migrateOnStart });
  try {
    const keys = await FileKeyStore.open(config.keyDir, config.node, clock);
    const federation = options.federation ?? (await loadNodeFederation(config));
    if (!options.federation) await auditFederation(db, federation, clock);
    if (!federation.nodes.some((n) => n.node === config.node)) {
      throw new GatewayError('CONFIG_INVALID', { detail: `federation: this node ${config.node} is not listed` });
    }
    // Peers' keys from the signed federation; a peer that lists a JWKS URL may publish a rotated
    // key there, fetched on first sight of its kid (never a key of another node).
    const sources = jwksSourcesOf(federation, config.node);
    const trust = await TrustStore.create(
      trustedKeysOf(federation),
      sources.length > 0 ? { sources, fetch: (url, init) => fetch(url, init), clock } : undefined,
    );
    const personalDataSecret = await openPersonalDataSecret(config.keyDir);

    const adapter = new FastifyAdapter({ bodyLimit: config.intakeBodyLimitBytes });
    // Peer envelopes are compact JWS text (RFC 7515 §9.2.1 application/jose), hashed as received.
    adapter.getInstance().addContentTypeParser(
      'application/jose',
      { parseAs: 'string', bodyLimit: config.peerBodyLimitBytes },
      (_request, body, done) => done(null, body),
    );
    const app = await NestFactory.create<NestFastifyApplication>(
      GatewayModule.register({ config, clock, db, keys, trust, federation, personalDataSecret }),
      adapter,
      {
        logger: options.logs === false ? false : new PinoNestLogger({ app: 'gateway', node: config.node }, config.logLevel, options.logFile),
        bufferLogs: false,
      },
    );
    app.useGlobalFilters(new ProblemJsonFilter());
    // OpenAPI for the intake, peer and operator faces, generated from the controllers.
    const openApi = new DocumentBuilder()
      .setTitle(`川渝通办 gateway — ${config.node} node`)
      .setDescription('Window intake, peer envelopes and operator APIs. Errors are application/problem+json (RFC 9457).')
      .setVersion('1')
      .addBearerAuth()
      .build();
    SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), { ui: options.docsUi !== false });
    // The agency link listener: TCP on the embedded default, a RabbitMQ quorum queue in production.
    app.connectMicroservice<MicroserviceOptions>(
      linkServerOptions(
        config.amqp
          ? { kind: 'rmq', url: config.amqp.url, queue: agencyLinkQueues(config.amqp.queuePrefix, config.node).status }
          : { kind: 'tcp', host: config.statusListener.host, port: config.statusListener.port },
      ),
      { inheritAppConfig: true },
    );
    await app.init();
    const demoCredentials = await app.get(CredentialsService).ensureDemoCredentials();
    let closing: Promise<void> | null = null;
    return {
      app,
      db,
      relay: app.get(RelayService),
      demoCredentials,
      async listen() {
        await app.startAllMicroservices();
        await app.listen(config.http.port, config.http.host);
      },
      close() {
        closing ??= (async () => {
          await app.close();
          await db.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** The signed federation this node trusts: refused unless the federation authority signed it, and never an older one. */
async function loadNodeFederation(config: GatewayConfig): Promise<Federation> {
  let authorityJwks: unknown;
  try {
    authorityJwks = JSON.parse(await readFile(config.federationAuthorityJwksFile, 'utf8'));
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: 'FEDERATION_AUTHORITY_JWKS cannot be read as a JWKS file', cause });
  }
  return loadSignedFederation(config.federationFile, authorityJwks, { stateFile: config.federationStateFile });
}

/**
 * A configuration change is an operator-visible event: the first start on a federation serial
 * this node has not run before is written to the audit trail, attributed to the authority key that
 * signed it (the signature was checked on load).
 */
async function auditFederation(db: GatewayDatabase, federation: Federation, clock: Clock): Promise<void> {
  const subject = `federation:${federation.serial ?? 0}`;
  await db.transaction(async (tx) => {
    if ((await tx.audit.list(subject, 1)).length > 0) return;
    await tx.audit.append({
      action: 'federation-accepted',
      subject,
      operatorId: 'federation-authority',
      reason: `signed federation serial ${federation.serial ?? 0} accepted at start`,
      detailJson: JSON.stringify({
        issuedAt: federation.issuedAt,
        nodes: federation.nodes.map((n) => ({ node: n.node, keys: n.keys.map((k) => k.kid), agencies: (n.agencies ?? []).map((a) => a.code) })),
        rules: federation.rules?.length ?? 0,
      }),
      at: clock.nowMs(),
    });
  });
}
