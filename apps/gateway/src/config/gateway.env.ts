import { isIP } from 'node:net';
import { bool, custom, int, NODE_CODES, oneOf, path, port, text, url, type EnvParse } from '#core';
import { DEFAULT_CIRCUIT_OPTIONS, DEFAULT_RELAY_OPTIONS, DEFAULT_RETRY_POLICY, type RetryPolicy } from '#delivery';
import { LOG_LEVELS } from '#logging';
import { SUITE_NAMES } from '#signing';

const TCP_LINK_PORT = 'required, unless `AMQP_URL` is set';
const QUEUE_PREFIX = { pattern: /^[A-Za-z0-9._-]+$/, patternDoc: 'letters, digits, `.`, `_` or `-`' };

/**
 * Every environment variable a gateway node reads, declared once: loadGatewayConfig reads this
 * table, and docs/configuration.md is generated from it (`npm run docs:config`). A variable is
 * added here, with its type, default, range and one line of description, or not at all.
 */
export const GATEWAY_ENV = {
  // Identity and faces
  NODE_CODE: oneOf(NODE_CODES, { required: true, doc: 'Which province this node is: the same code runs as Sichuan (`SC`) or Chongqing (`CQ`).' }),
  HTTP_HOST: text({ default: '127.0.0.1', doc: 'Address the HTTP server (intake, peer, operator, health, metrics) listens on.' }),
  HTTP_PORT: port({ required: true, zero: 'any free port', doc: 'Port of the HTTP server.' }),
  // Agency link
  STATUS_HOST: text({ default: '127.0.0.1', doc: 'Address of the TCP listener that takes status reports from this province’s adapters.' }),
  STATUS_PORT: port({ derived: TCP_LINK_PORT, zero: 'any free port', doc: 'Port of that listener; unused on RabbitMQ.' }),
  ADAPTER_HOST: text({ default: '127.0.0.1', doc: 'Address of this province’s agency adapter (TCP link).' }),
  ADAPTER_PORT: port({ derived: TCP_LINK_PORT, doc: 'Port of this province’s agency adapter (TCP link); unused on RabbitMQ.' }),
  CRYPTO_SUITE: oneOf(SUITE_NAMES, { default: 'intl', doc: 'The suite of this node’s agency-link proofs and applicant index (HMAC-SHA-256 or HMAC-SM3); its adapters’ must be the same. The federation document chooses the suite of signatures and sealing.' }),
  AGENCY_LINK_SECRET: text({ required: true, minLength: 32, doc: 'Secret shared with the adapters: proves who sent an agency-link message. Keep it out of logs.' }),
  AMQP_URL: url({ derived: 'none: the agency link is TCP', schemes: ['amqp', 'amqps'], doc: 'RabbitMQ for the agency link (production mode).' }),
  AMQP_QUEUE_PREFIX: text({ default: 'cytb', ...QUEUE_PREFIX, doc: 'Prefix of the agency-link queue names on RabbitMQ; the adapters must use the same.' }),
  // Storage
  DATA_DIR: path({ default: 'data', doc: 'Folder under which the defaults of the other paths lie (per node: `<DATA_DIR>/<node>/`).' }),
  DATABASE_URL: url({ derived: 'none: SQLite in `SQLITE_FILE`', schemes: ['postgres', 'postgresql'], doc: 'PostgreSQL database of this node (production mode, several replicas).' }),
  SQLITE_FILE: path({ derived: '`<DATA_DIR>/<node>/gateway.db`', doc: 'SQLite database file of the embedded default (without `DATABASE_URL`).' }),
  MIGRATE_ON_START: bool({ default: true, doc: 'Whether the node applies pending database migrations when it starts (else `npm run migrate` does).' }),
  KEY_DIR: path({ derived: '`<DATA_DIR>/<node>/keys`', doc: 'Folder of this node’s signing keys and applicant-index secret (created on first start, mode 0700).' }),
  FEDERATION_FILE: path({ derived: '`<DATA_DIR>/federation.jws`', doc: 'The federation configuration signed by the federation authority (compact JWS).' }),
  FEDERATION_AUTHORITY_JWKS: path({ derived: '`<DATA_DIR>/federation-authority.jwks.json`', doc: 'The federation authority’s public keys (JWKS): the only signer of the federation this node trusts.' }),
  FEDERATION_STATE_FILE: path({ derived: '`<DATA_DIR>/<node>/federation.accepted.json`', doc: 'Where the node remembers the serial of the last federation it accepted (a lower one is a rollback).' }),
  HOLIDAYS_FILE: path({ derived: '`<DATA_DIR>/holidays.json`', doc: 'Yearly State Council holiday arrangements an operator loaded, over the calendar built in; absent is fine.' }),
  DEMO_CREDENTIALS_FILE: path({ derived: 'none: no demo credentials', doc: 'If set, demo window and operator credentials are created on first start and written here.' }),
  CONTRACTS_DIR: path({ default: 'contracts', doc: 'Folder of the JSON Schemas served at `/api/v1/contracts`.' }),
  // Peer face and envelopes
  ENVELOPE_TTL_SECONDS: int({ default: 7 * 24 * 3600, min: 60, unit: 's', doc: 'Lifetime of a signed envelope; a peer refuses one older than this.' }),
  MAX_CLOCK_SKEW_SECONDS: int({ default: 120, min: 0, max: 3600, unit: 's', doc: 'How far a peer’s clock may be off when envelopes and receipts are checked.' }),
  PEER_BODY_LIMIT_BYTES: int({ default: 256 * 1024, min: 1024, unit: 'bytes', doc: 'Largest request body the peer face takes.' }),
  INTAKE_BODY_LIMIT_BYTES: int({ default: 64 * 1024, min: 1024, unit: 'bytes', doc: 'Largest request body intake and the operator API take.' }),
  PEER_TIMEOUT_MS: int({ default: 10_000, min: 100, unit: 'ms', doc: 'How long a call to the other node may take.' }),
  AGENCY_TIMEOUT_MS: int({ default: 10_000, min: 100, unit: 'ms', doc: 'How long a hand-over to the agency adapter may take.' }),
  // Delivery (outbox relay)
  RELAY_IDLE_MS: int({ default: DEFAULT_RELAY_OPTIONS.idleMs, min: 1, unit: 'ms', doc: 'How long the relay sleeps when nothing is due (a new message wakes it at once).' }),
  RELAY_LEASE_MS: int({ default: DEFAULT_RELAY_OPTIONS.leaseMs, min: 100, unit: 'ms', doc: 'How long a claimed outbox message stays with one relay before another replica may take it.' }),
  RELAY_BATCHES_IN_FLIGHT: int({ derived: '4 on PostgreSQL, 1 on SQLite', min: 1, doc: 'How many claimed outbox batches the relay sends at once.' }),
  INTAKE_BUSY_REQUESTS: int({ default: 8, min: 1, doc: 'From this many applications being accepted at once, the relay sends one batch at a time.' }),
  MAX_OUTBOX_BACKLOG: int({ default: 20_000, min: 1, doc: 'Intake answers 503 with `Retry-After` while more messages than this wait in the outbox.' }),
  RETRY_POLICIES: custom({
    default: {},
    type: 'JSON',
    allowed: 'object: destination (`peer:*`, `peer:CQ`, `agency:*`, `agency:SC.card`, `self`) → partial policy (`baseDelayMs`, `maxDelayMs`, `jitter` 0 – 1, `maxAttempts`, `maxAgeMs`)',
    show: () => {
      const p = DEFAULT_RETRY_POLICY;
      return `none: every destination ${p.baseDelayMs} ms doubling to ${p.maxDelayMs} ms, jitter ${p.jitter}, at most ${p.maxAttempts} attempts within ${p.maxAgeMs} ms`;
    },
    parse: parseRetryPolicies,
    doc: 'Retry policy per destination pattern, each merged over the default.',
  }),
  CIRCUIT_FAILURE_THRESHOLD: int({ default: DEFAULT_CIRCUIT_OPTIONS.failureThreshold, min: 1, doc: 'Failures in a row after which a destination’s circuit opens (the relay stops trying it for a while).' }),
  CIRCUIT_OPEN_MS: int({ default: DEFAULT_CIRCUIT_OPTIONS.openMs, min: 10, unit: 'ms', doc: 'First wait of an open circuit before a probe; it doubles up to `CIRCUIT_MAX_OPEN_MS`, with jitter.' }),
  CIRCUIT_MAX_OPEN_MS: int({ default: DEFAULT_CIRCUIT_OPTIONS.maxOpenMs, min: 10, unit: 'ms', doc: 'Longest wait of an open circuit between probes; not below `CIRCUIT_OPEN_MS`.' }),
  // Windows, operators and credentials
  RATE_LIMIT_PER_SECOND: int({ default: 50, min: 1, doc: 'Requests a second (on average) allowed per window or operator credential.' }),
  RATE_LIMIT_BURST: int({ default: 100, min: 1, doc: 'Requests allowed in a burst per window or operator credential.' }),
  AUTH_FAILURES_PER_CREDENTIAL: int({ default: 5, min: 1, max: 1000, doc: 'Failed authentications allowed per credential id within the window (counted per replica).' }),
  AUTH_FAILURES_PER_ADDRESS: int({ default: 20, min: 1, max: 100_000, doc: 'Failed authentications allowed per client address within the window (counted per replica).' }),
  AUTH_FAILURE_WINDOW_SECONDS: int({ default: 900, min: 1, max: 86_400, unit: 's', doc: 'The window over which failed authentications are counted.' }),
  CREDENTIAL_TTL_DAYS: int({ default: 365, min: 1, max: 3650, unit: 'days', doc: 'Lifetime of a credential issued or reissued without an explicit one.' }),
  CREDENTIAL_EXPIRY_WARNING_DAYS: int({ default: 14, min: 0, max: 365, unit: 'days', doc: 'Who-am-i warns this many days before a credential expires.' }),
  TRUST_PROXY: custom({
    default: null as string | null,
    type: 'list',
    allowed: 'comma-separated IPv4 or IPv6 addresses, each with an optional `/prefix`',
    show: () => 'none: the connection’s peer is the client',
    parse: parseTrustProxy,
    doc: 'The load balancers whose `X-Forwarded-For` names the client (the per-address failure limit counts that client).',
  }),
  IDEMPOTENCY_KEY_TTL_HOURS: int({ default: 24, min: 1, max: 24 * 30, unit: 'h', doc: 'How long a window’s `Idempotency-Key` and its answer are kept.' }),
  // Local service rules and housekeeping
  DEATH_CLAIM_WINDOW_DAYS: int({ default: 30, min: 1, unit: 'days', doc: 'Days after a death within which the death benefit may be claimed (local service rule).' }),
  // Below a second a checkpoint per head change is a signature per few messages, for no more evidence.
  LOG_CHECKPOINT_INTERVAL_MS: int({ default: 60_000, min: 1000, max: 24 * 3600_000, zero: 'off', unit: 'ms', doc: 'How often the node signs its message log’s head and has each peer countersign it, when the head changed.' }),
  SHUTDOWN_GRACE_MS: int({ default: 10_000, min: 0, unit: 'ms', doc: 'How long a stopping node waits for work in flight before it exits.' }),
  LOG_LEVEL: oneOf(LOG_LEVELS, { default: 'info', doc: 'Least level logged (JSON lines on standard output).' }),
};

/** TRUST_PROXY='10.0.0.5,10.1.0.0/16': IPv4 or IPv6 addresses, each with an optional prefix length. */
function parseTrustProxy(name: string, raw: string): EnvParse<string | null> {
  const entries = raw.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !isIP(e.split('/')[0] ?? '') || !/^[^/]+(\/\d{1,3})?$/.test(e));
  return bad.length > 0 ? { problems: [`${name} must be addresses or CIDR ranges, comma-separated`] } : { value: entries.join(',') };
}

const POLICY_KEYS: readonly (keyof RetryPolicy)[] = ['baseDelayMs', 'maxDelayMs', 'jitter', 'maxAttempts', 'maxAgeMs'];

/**
 * RETRY_POLICIES='{"peer:*":{"maxDelayMs":60000},"agency:*":{"maxAttempts":20}}': each entry
 * is merged over the default policy; unknown keys and bad numbers are named.
 */
function parseRetryPolicies(name: string, raw: string): EnvParse<Readonly<Record<string, RetryPolicy>>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { problems: [`${name} must be a JSON object`] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problems: [`${name} must be a JSON object`] };
  const problems: string[] = [];
  const out: Record<string, RetryPolicy> = {};
  for (const [destination, partial] of Object.entries(parsed as Record<string, unknown>)) {
    if (!/^(peer:(\*|SC|CQ)|agency:(\*|[A-Z]{2}\.[a-z-]+)|self)$/.test(destination)) {
      problems.push(`${name}: unknown destination pattern ${destination}`);
      continue;
    }
    const policy: Record<string, number> = { ...DEFAULT_RETRY_POLICY };
    for (const [key, value] of Object.entries((partial ?? {}) as Record<string, unknown>)) {
      const valid = typeof value === 'number' && Number.isFinite(value) && value >= 0 && (key !== 'jitter' || value <= 1);
      if (!POLICY_KEYS.includes(key as keyof RetryPolicy) || !valid) {
        problems.push(`${name}.${destination}.${key} is not a valid setting`);
        continue;
      }
      policy[key] = value;
    }
    out[destination] = policy as unknown as RetryPolicy;
  }
  return problems.length > 0 ? { problems } : { value: out };
}
