import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { GatewayError, isNodeCode, type NodeCode } from '#core';
import type { DatabaseOptions } from '#persistence';
import { DEFAULT_CIRCUIT_OPTIONS, DEFAULT_RELAY_OPTIONS, DEFAULT_RETRY_POLICY, type CircuitOptions, type RetryPolicy } from '#delivery';
import { INTL_SUITE, suiteNamed, type CryptoSuite } from '#signing';

/** Everything a gateway node needs, read once at start and validated. */
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

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the node's configuration from the environment. Refuses to start, naming every bad
 * variable at once, rather than failing later on the first one used.
 *
 * @example loadGatewayConfig({ NODE_CODE: 'SC', HTTP_PORT: '7101', ... })
 */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const problems: string[] = [];
  const str = (name: string, fallback?: string): string => {
    const value = env[name] ?? fallback;
    if (value === undefined || value === '') {
      problems.push(`${name} is required`);
      return '';
    }
    return value;
  };
  const int = (name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return value;
  };
  const port = (name: string, fallback?: number) => int(name, fallback ?? -1, 0, 65535);
  const retryPolicies = parseRetryPolicies(env['RETRY_POLICIES'], problems);

  const nodeRaw = str('NODE_CODE');
  if (nodeRaw && !isNodeCode(nodeRaw)) problems.push('NODE_CODE must be SC or CQ');
  const node = (isNodeCode(nodeRaw) ? nodeRaw : 'SC');
  const dataDir = resolve(env['DATA_DIR'] ?? 'data');
  const nodeDir = resolve(dataDir, node.toLowerCase());

  const databaseUrl = env['DATABASE_URL'];
  let database: DatabaseOptions;
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be a postgres:// URL');
    database = { kind: 'postgres', url: databaseUrl };
  } else {
    database = { kind: 'sqlite', file: resolve(env['SQLITE_FILE'] ?? resolve(nodeDir, 'gateway.db')) };
  }

  const config: GatewayConfig = {
    node,
    http: { host: env['HTTP_HOST'] ?? '127.0.0.1', port: port('HTTP_PORT') },
    statusListener: { host: env['STATUS_HOST'] ?? '127.0.0.1', port: port('STATUS_PORT', env['AMQP_URL'] ? 0 : undefined) },
    adapter: { host: env['ADAPTER_HOST'] ?? '127.0.0.1', port: port('ADAPTER_PORT', env['AMQP_URL'] ? 0 : undefined) },
    agencyLinkSecret: str('AGENCY_LINK_SECRET'),
    cryptoSuite: suiteNamed(env['CRYPTO_SUITE'] ?? INTL_SUITE.name) ?? INTL_SUITE,
    amqp: env['AMQP_URL'] ? { url: env['AMQP_URL'], queuePrefix: env['AMQP_QUEUE_PREFIX'] ?? 'cytb' } : null,
    database,
    migrateOnStart: (env['MIGRATE_ON_START'] ?? 'true') === 'true',
    keyDir: resolve(env['KEY_DIR'] ?? resolve(nodeDir, 'keys')),
    federationFile: resolve(env['FEDERATION_FILE'] ?? resolve(dataDir, 'federation.jws')),
    federationAuthorityJwksFile: resolve(env['FEDERATION_AUTHORITY_JWKS'] ?? resolve(dataDir, 'federation-authority.jwks.json')),
    federationStateFile: resolve(env['FEDERATION_STATE_FILE'] ?? resolve(nodeDir, 'federation.accepted.json')),
    holidaysFile: resolve(env['HOLIDAYS_FILE'] ?? resolve(dataDir, 'holidays.json')),
    demoCredentialsFile: env['DEMO_CREDENTIALS_FILE'] ? resolve(env['DEMO_CREDENTIALS_FILE']) : null,
    envelopeTtlSeconds: int('ENVELOPE_TTL_SECONDS', 7 * 24 * 3600, 60),
    deathClaimWindowDays: int('DEATH_CLAIM_WINDOW_DAYS', 30, 1),
    idempotencyKeyTtlHours: int('IDEMPOTENCY_KEY_TTL_HOURS', 24, 1, 24 * 30),
    maxClockSkewSeconds: int('MAX_CLOCK_SKEW_SECONDS', 120, 0, 3600),
    peerBodyLimitBytes: int('PEER_BODY_LIMIT_BYTES', 256 * 1024, 1024),
    intakeBodyLimitBytes: int('INTAKE_BODY_LIMIT_BYTES', 64 * 1024, 1024),
    peerTimeoutMs: int('PEER_TIMEOUT_MS', 10_000, 100),
    agencyTimeoutMs: int('AGENCY_TIMEOUT_MS', 10_000, 100),
    relayIdleMs: int('RELAY_IDLE_MS', 250, 1),
    relayLeaseMs: int('RELAY_LEASE_MS', DEFAULT_RELAY_OPTIONS.leaseMs, 100),
    // PostgreSQL: batches overlap their database round trips. SQLite runs in the process, with no
    // round trip to hide: more batches at once only take CPU from intake on the same machine.
    relayBatchesInFlight: int('RELAY_BATCHES_IN_FLIGHT', database.kind === 'postgres' ? 4 : 1, 1),
    intakeBusyRequests: int('INTAKE_BUSY_REQUESTS', 8, 1),
    maxOutboxBacklog: int('MAX_OUTBOX_BACKLOG', 20_000, 1),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 10_000, 0),
    retryPolicies,
    rateLimit: { ratePerSecond: int('RATE_LIMIT_PER_SECOND', 50, 1), burst: int('RATE_LIMIT_BURST', 100, 1) },
    authFailures: {
      perCredential: int('AUTH_FAILURES_PER_CREDENTIAL', 5, 1, 1000),
      perAddress: int('AUTH_FAILURES_PER_ADDRESS', 20, 1, 100_000),
      windowMs: int('AUTH_FAILURE_WINDOW_SECONDS', 900, 1, 86_400) * 1000,
    },
    credentialTtlDays: int('CREDENTIAL_TTL_DAYS', 365, 1, 3650),
    credentialExpiryWarningDays: int('CREDENTIAL_EXPIRY_WARNING_DAYS', 14, 0, 365),
    trustProxy: parseTrustProxy(env['TRUST_PROXY'], problems),
    circuit: {
      failureThreshold: int('CIRCUIT_FAILURE_THRESHOLD', DEFAULT_CIRCUIT_OPTIONS.failureThreshold, 1),
      openMs: int('CIRCUIT_OPEN_MS', DEFAULT_CIRCUIT_OPTIONS.openMs, 10),
      maxOpenMs: int('CIRCUIT_MAX_OPEN_MS', DEFAULT_CIRCUIT_OPTIONS.maxOpenMs, 10),
    },
    logLevel: env['LOG_LEVEL'] ?? 'info',
    contractsDir: resolve(env['CONTRACTS_DIR'] ?? 'contracts'),
    logCheckpointIntervalMs: int('LOG_CHECKPOINT_INTERVAL_MS', 60_000, 0, 24 * 3600_000),
  };
  if (config.http.port < 0) problems.push('HTTP_PORT is required');
  // Below a second a checkpoint per head change is a signature per few messages, for no more evidence.
  if (config.logCheckpointIntervalMs > 0 && config.logCheckpointIntervalMs < 1000) problems.push('LOG_CHECKPOINT_INTERVAL_MS must be 0 (off) or at least 1000');
  if (config.agencyLinkSecret && config.agencyLinkSecret.length < 32) problems.push('AGENCY_LINK_SECRET must be at least 32 characters');
  if (suiteNamed(env['CRYPTO_SUITE'] ?? INTL_SUITE.name) === undefined) problems.push('CRYPTO_SUITE must be intl or gm');
  if (config.amqp && !/^amqps?:\/\//.test(config.amqp.url)) problems.push('AMQP_URL must be an amqp:// URL');
  if (config.statusListener.port < 0) problems.push('STATUS_PORT is required');
  if (config.adapter.port < 0) problems.push('ADAPTER_PORT is required');
  if (config.circuit.openMs > config.circuit.maxOpenMs) problems.push('CIRCUIT_OPEN_MS must not exceed CIRCUIT_MAX_OPEN_MS');
  if (problems.length > 0) {
    throw new GatewayError('CONFIG_INVALID', { detail: problems.join('; ') });
  }
  return config;
}

/** TRUST_PROXY='10.0.0.5,10.1.0.0/16': IPv4 or IPv6 addresses, each with an optional prefix length. */
function parseTrustProxy(raw: string | undefined, problems: string[]): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  const entries = raw.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !isIP(e.split('/')[0] ?? '') || !/^[^/]+(\/\d{1,3})?$/.test(e));
  if (bad.length > 0) {
    problems.push('TRUST_PROXY must be addresses or CIDR ranges, comma-separated');
    return null;
  }
  return entries.join(',');
}

const POLICY_KEYS: readonly (keyof RetryPolicy)[] = ['baseDelayMs', 'maxDelayMs', 'jitter', 'maxAttempts', 'maxAgeMs'];

/**
 * RETRY_POLICIES='{"peer:*":{"maxDelayMs":60000},"agency:*":{"maxAttempts":20}}': each entry
 * is merged over the default policy; unknown keys and bad numbers are named.
 */
function parseRetryPolicies(raw: string | undefined, problems: string[]): Record<string, RetryPolicy> {
  if (raw === undefined || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('RETRY_POLICIES must be a JSON object');
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push('RETRY_POLICIES must be a JSON object');
    return {};
  }
  const out: Record<string, RetryPolicy> = {};
  for (const [destination, partial] of Object.entries(parsed as Record<string, unknown>)) {
    if (!/^(peer:(\*|SC|CQ)|agency:(\*|[A-Z]{2}\.[a-z-]+)|self)$/.test(destination)) {
      problems.push(`RETRY_POLICIES: unknown destination pattern ${destination}`);
      continue;
    }
    const policy: Record<string, number> = { ...DEFAULT_RETRY_POLICY };
    for (const [key, value] of Object.entries((partial ?? {}) as Record<string, unknown>)) {
      const valid = typeof value === 'number' && Number.isFinite(value) && value >= 0 && (key !== 'jitter' || value <= 1);
      if (!POLICY_KEYS.includes(key as keyof RetryPolicy) || !valid) {
        problems.push(`RETRY_POLICIES.${destination}.${key} is not a valid setting`);
        continue;
      }
      policy[key] = value;
    }
    out[destination] = policy as unknown as RetryPolicy;
  }
  return out;
}
