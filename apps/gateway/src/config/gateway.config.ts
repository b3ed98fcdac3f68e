import { resolve } from 'node:path';
import { readEnv, type Env, type NodeCode } from '#core';
import type { DatabaseOptions } from '#persistence';
import type { CircuitOptions, RetryPolicy } from '#delivery';
import { suiteNamed, INTL_SUITE, type CryptoSuite } from '#signing';
import { GATEWAY_ENV } from './gateway.env.js';

/** Everything a gateway node needs, read once at start and validated (each variable: GATEWAY_ENV, docs/configuration.md). */
export interface GatewayConfig {
  readonly node: NodeCode;
  readonly http: { readonly host: string; readonly port: number };
  /** TCP endpoint where this node takes status reports from its agency adapters. */
  readonly statusListener: { readonly host: string; readonly port: number };
  /** TCP endpoint of this province's agency adapter. */
  readonly adapter: { readonly host: string; readonly port: number };
  /** RabbitMQ for the agency link (production mode); null = TCP (embedded default). */
  readonly amqp: { readonly url: string; readonly queuePrefix: string } | null;
  /** Shared by this node and its adapters: proves who sent an agency-link message. */
  readonly agencyLinkSecret: string;
  /**
   * The suite of this node's own keyed hashes (CRYPTO_SUITE, `intl` or `gm`, default `intl`):
   * HMAC-SHA-256 or HMAC-SM3 for the applicant index and the agency-link proofs. Its adapters
   * must name the same one.
   */
  readonly cryptoSuite: CryptoSuite;
  readonly database: DatabaseOptions;
  readonly migrateOnStart: boolean;
  /** Folder of this node's signing keys (created on first start, mode 0700). */
  readonly keyDir: string;
  /** The federation configuration, signed by the federation authority (compact JWS): every node, its keys, agencies and access rules. */
  readonly federationFile: string;
  /** The federation authority's public keys (a JWKS file): the only signer of the federation this node trusts. */
  readonly federationAuthorityJwksFile: string;
  /** Where this node remembers the serial of the last federation it accepted (a lower one is a rollback). */
  readonly federationStateFile: string;
  /**
   * The yearly State Council holiday arrangements an operator loaded (HOLIDAYS_FILE, JSON), read at
   * start and on reload, over the calendar built into the release. Absent is fine: no year loaded.
   */
  readonly holidaysFile: string;
  /** If set, demo window and operator credentials are created on first start and written here. */
  readonly demoCredentialsFile: string | null;
  readonly envelopeTtlSeconds: number;
  readonly maxClockSkewSeconds: number;
  readonly peerBodyLimitBytes: number;
  readonly intakeBodyLimitBytes: number;
  readonly peerTimeoutMs: number;
  readonly agencyTimeoutMs: number;
  readonly relayIdleMs: number;
  /** How long a claimed outbox message stays with one relay before another replica may take it. */
  readonly relayLeaseMs: number;
  /** How many claimed outbox batches the relay sends at once (RELAY_BATCHES_IN_FLIGHT; 4 on PostgreSQL, 1 on SQLite). */
  readonly relayBatchesInFlight: number;
  /** From this many applications being accepted at once, the relay sends one batch at a time (IntakeLoad). */
  readonly intakeBusyRequests: number;
  /** Intake answers 503 while more messages than this wait in the outbox. */
  readonly maxOutboxBacklog: number;
  /**
   * Retry policy per destination pattern (`peer:*`, `agency:*`, `peer:CQ`, `self`), from
   * RETRY_POLICIES, a JSON object of partial policies merged over the default.
   */
  readonly retryPolicies: Readonly<Record<string, RetryPolicy>>;
  readonly circuit: CircuitOptions;
  /**
   * Failed authentications allowed within `windowMs`, per credential id (AUTH_FAILURES_PER_CREDENTIAL,
   * 5) and per source address (AUTH_FAILURES_PER_ADDRESS, 20), over AUTH_FAILURE_WINDOW_SECONDS (900).
   * Counted in memory, per replica.
   */
  readonly authFailures: { readonly perCredential: number; readonly perAddress: number; readonly windowMs: number };
  /** Lifetime of a credential issued or reissued without an explicit one (CREDENTIAL_TTL_DAYS, 365). */
  readonly credentialTtlDays: number;
  /** Who-am-i warns this many days before a credential expires (CREDENTIAL_EXPIRY_WARNING_DAYS, 14). */
  readonly credentialExpiryWarningDays: number;
  /**
   * The load balancers whose X-Forwarded-For names the client (TRUST_PROXY: addresses or CIDR
   * ranges, comma-separated); null = the connection's peer is the client. The per-address
   * failure limit counts that client.
   */
  readonly trustProxy: string | null;
  /** Requests a second (average) and burst allowed per window or operator credential. */
  readonly rateLimit: { readonly ratePerSecond: number; readonly burst: number };
  /** How long a stopping node waits for work in flight before it exits. */
  readonly shutdownGraceMs: number;
  readonly logLevel: string;
  /** The /contracts folder whose JSON Schemas are served at /api/v1/contracts. */
  readonly contractsDir: string;
  /** Local service rules: days after a death within which the death benefit may be claimed (30). */
  readonly deathClaimWindowDays: number;
  /**
   * How often this node signs a checkpoint of its message log's head and has each peer
   * countersign it, when the head changed (LOG_CHECKPOINT_INTERVAL_MS, 60 s; 0 turns it off).
   */
  readonly logCheckpointIntervalMs: number;
  /** How long a window's Idempotency-Key and its answer are kept (IDEMPOTENCY_KEY_TTL_HOURS, 24). */
  readonly idempotencyKeyTtlHours: number;
}

/**
 * Reads the node's configuration from the environment, as GATEWAY_ENV declares it. Refuses to
 * start with CONFIG_INVALID, naming every bad variable at once, rather than failing later on the
 * first one used.
 *
 * @example loadGatewayConfig({ NODE_CODE: 'SC', HTTP_PORT: '7101', ... })
 */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const v = readEnv(GATEWAY_ENV, env, (v) => [
    // On RabbitMQ the agency link has no TCP ends; on TCP both are needed.
    v.AMQP_URL === undefined && v.STATUS_PORT === undefined && 'STATUS_PORT is required',
    v.AMQP_URL === undefined && v.ADAPTER_PORT === undefined && 'ADAPTER_PORT is required',
    v.CIRCUIT_OPEN_MS > v.CIRCUIT_MAX_OPEN_MS && 'CIRCUIT_OPEN_MS must not exceed CIRCUIT_MAX_OPEN_MS',
  ]);
  const dataDir = resolve(v.DATA_DIR);
  const nodeDir = resolve(dataDir, v.NODE_CODE.toLowerCase());
  const database: DatabaseOptions = v.DATABASE_URL !== undefined ? { kind: 'postgres', url: v.DATABASE_URL } : { kind: 'sqlite', file: resolve(v.SQLITE_FILE ?? resolve(nodeDir, 'gateway.db')) };
  return {
    node: v.NODE_CODE,
    http: { host: v.HTTP_HOST, port: v.HTTP_PORT },
    statusListener: { host: v.STATUS_HOST, port: v.STATUS_PORT ?? 0 },
    adapter: { host: v.ADAPTER_HOST, port: v.ADAPTER_PORT ?? 0 },
    agencyLinkSecret: v.AGENCY_LINK_SECRET,
    cryptoSuite: suiteNamed(v.CRYPTO_SUITE) ?? INTL_SUITE,
    amqp: v.AMQP_URL !== undefined ? { url: v.AMQP_URL, queuePrefix: v.AMQP_QUEUE_PREFIX } : null,
    database,
    migrateOnStart: v.MIGRATE_ON_START,
    keyDir: resolve(v.KEY_DIR ?? resolve(nodeDir, 'keys')),
    federationFile: resolve(v.FEDERATION_FILE ?? resolve(dataDir, 'federation.jws')),
    federationAuthorityJwksFile: resolve(v.FEDERATION_AUTHORITY_JWKS ?? resolve(dataDir, 'federation-authority.jwks.json')),
    federationStateFile: resolve(v.FEDERATION_STATE_FILE ?? resolve(nodeDir, 'federation.accepted.json')),
    holidaysFile: resolve(v.HOLIDAYS_FILE ?? resolve(dataDir, 'holidays.json')),
    demoCredentialsFile: v.DEMO_CREDENTIALS_FILE !== undefined ? resolve(v.DEMO_CREDENTIALS_FILE) : null,
    contractsDir: resolve(v.CONTRACTS_DIR),
    envelopeTtlSeconds: v.ENVELOPE_TTL_SECONDS,
    maxClockSkewSeconds: v.MAX_CLOCK_SKEW_SECONDS,
    peerBodyLimitBytes: v.PEER_BODY_LIMIT_BYTES,
    intakeBodyLimitBytes: v.INTAKE_BODY_LIMIT_BYTES,
    peerTimeoutMs: v.PEER_TIMEOUT_MS,
    agencyTimeoutMs: v.AGENCY_TIMEOUT_MS,
    relayIdleMs: v.RELAY_IDLE_MS,
    relayLeaseMs: v.RELAY_LEASE_MS,
    // PostgreSQL: batches overlap their database round trips. SQLite runs in the process, with no
    // round trip to hide: more batches at once only take CPU from intake on the same machine.
    relayBatchesInFlight: v.RELAY_BATCHES_IN_FLIGHT ?? (database.kind === 'postgres' ? 4 : 1),
    intakeBusyRequests: v.INTAKE_BUSY_REQUESTS,
    maxOutboxBacklog: v.MAX_OUTBOX_BACKLOG,
    retryPolicies: v.RETRY_POLICIES,
    circuit: { failureThreshold: v.CIRCUIT_FAILURE_THRESHOLD, openMs: v.CIRCUIT_OPEN_MS, maxOpenMs: v.CIRCUIT_MAX_OPEN_MS },
    rateLimit: { ratePerSecond: v.RATE_LIMIT_PER_SECOND, burst: v.RATE_LIMIT_BURST },
    authFailures: { perCredential: v.AUTH_FAILURES_PER_CREDENTIAL, perAddress: v.AUTH_FAILURES_PER_ADDRESS, windowMs: v.AUTH_FAILURE_WINDOW_SECONDS * 1000 },
    credentialTtlDays: v.CREDENTIAL_TTL_DAYS,
    credentialExpiryWarningDays: v.CREDENTIAL_EXPIRY_WARNING_DAYS,
    trustProxy: v.TRUST_PROXY,
    idempotencyKeyTtlHours: v.IDEMPOTENCY_KEY_TTL_HOURS,
    deathClaimWindowDays: v.DEATH_CLAIM_WINDOW_DAYS,
    logCheckpointIntervalMs: v.LOG_CHECKPOINT_INTERVAL_MS,
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    logLevel: v.LOG_LEVEL,
  };
}
