import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { agencyLinkQueues, linkServerOptions } from '#delivery';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SystemClock, type Clock } from '#core';
import { GatewayDatabase } from '#persistence';
import { FileKeyStore, jwksSourcesOf, openPersonalDataSecret, suitePolicyOf, suitesOf, TrustStore, trustedKeysOf, type Federation } from '#signing';
import type { GatewayConfig } from './config/gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import { assertListsNode, auditFederationAtStart, loadNodeFederation } from './federation/node-federation.js';
import { frameworkErrorOptions } from './http/framework-errors.js';
import { registerJoseBodies } from './http/jose-body.js';
import { ProblemJsonFilter } from './http/problem-json.filter.js';
import { CredentialsService, type IssuedCredential } from './auth/credentials.service.js';
import { PinoNestLogger } from '#logging';
import { RelayService } from './delivery/relay.service.js';
import { FEDERATION_RELOAD_BODY_LIMIT_BYTES, FEDERATION_RELOAD_PATH } from './operator/federation-reload-request.dto.js';

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
    const federation = options.federation ?? (await loadNodeFederation(config));
    // The node signs in the federation's suite (issue 17), with keys made on first start of that
    // suite; during a move between suites it holds, and publishes, the other suite's keys too.
    const keys = await FileKeyStore.open(config.keyDir, config.node, clock, { suite: federation.suite ?? 'intl' });
    for (const suite of suitesOf(federation)) if (suite !== keys.suite) await keys.prepareSuite(suite);
    assertListsNode(federation, config);
    if (!options.federation) await db.transaction((tx) => auditFederationAtStart(tx, federation, clock));
    // Peers' keys from the signed federation; a peer that lists a JWKS URL may publish a rotated
    // key there, fetched on first sight of its kid (never a key of another node).
    const sources = jwksSourcesOf(federation, config.node);
    // Always with a fetcher: a reloaded federation may list JWKS sources this one does not.
    const trust = await TrustStore.create(trustedKeysOf(federation), { sources, fetch: (url, init) => fetch(url, init), clock }, suitePolicyOf(federation));
    const personalDataSecret = await openPersonalDataSecret(config.keyDir, config.cryptoSuite);

    // Behind TRUST_PROXY balancers, request.ip is the client X-Forwarded-For names (the failure limit per address counts it).
    // Errors Fastify and Node's parser answer on their own are problem+json too (http/framework-errors.ts).
    // A `__proto__` key or a `constructor.prototype` is refused while parsing (MALFORMED_JSON):
    // Fastify's default, stated so it is never relaxed, so no such object is ever built here.
    // validateContract refuses both too, by path, for bodies parsed elsewhere (peer, agency link).
    const adapter = new FastifyAdapter({
      bodyLimit: config.intakeBodyLimitBytes,
      onProtoPoisoning: 'error',
      onConstructorPoisoning: 'error',
      ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
      ...frameworkErrorOptions(),
    });
    // The federation reload carries a whole signed federation: its route has its own, larger limit.
    adapter.getInstance().addHook('onRoute', (route) => {
      if (route.url === FEDERATION_RELOAD_PATH) route.bodyLimit = FEDERATION_RELOAD_BODY_LIMIT_BYTES;
    });
    // Peer bodies are compact JWS (RFC 7515 §9.2.1 application/jose), handed over as the raw bytes
    // that arrived so that receipts hash exactly those; the peer face takes no other content type.
    registerJoseBodies(adapter.getInstance(), { bodyLimit: config.peerBodyLimitBytes });
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
