import { resolve } from 'node:path';
import { int, oneOf, path, port, readEnv, text, url, type Env } from '#core';
import { LOOK_UP_POLICIES } from './delivery-handler.js';
import { DEFAULT_HANDOVER_RETENTION_MS } from './hand-over-journal.js';
import { SUITE_NAMES } from '#signing';
import { DEFAULT_ADAPTER_HEARTBEAT_MS } from './heartbeat.js';

/** How much an adapter logs: `info` logs every hand-over, `warn` only what went wrong. */
export const ADAPTER_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type AdapterLogLevel = (typeof ADAPTER_LOG_LEVELS)[number];

/** How long a status pump waits for the gateway's answer to a report or batch unless ADAPTER_ACK_TIMEOUT_MS says otherwise. */
export const DEFAULT_ADAPTER_ACK_TIMEOUT_MS = 5000;

/**
 * Every environment variable an agency adapter reads (Sichuan's and Chongqing's alike), declared
 * once: loadAdapterConfig reads this table and docs/configuration.md is generated from it.
 */
export const ADAPTER_ENV = {
  ADAPTER_PORT: port({ required: true, doc: 'TCP port on which the adapter takes deliveries from its gateway (the gateway’s `ADAPTER_PORT`).' }),
  GATEWAY_STATUS_HOST: text({ default: '127.0.0.1', doc: 'Address of the gateway’s agency-link listener, where status reports go.' }),
  GATEWAY_STATUS_PORT: port({ required: true, doc: 'Port of that listener (the gateway’s `STATUS_PORT`).' }),
  AGENCY_BASE_URL: url({ required: true, schemes: ['http', 'https'], doc: 'Base URL of the province’s agency systems.' }),
  AGENCY_LINK_SECRET: text({ required: true, minLength: 32, doc: 'Secret shared with the gateway: proves who sent an agency-link message. Keep it out of logs.' }),
  AMQP_URL: url({ derived: 'none: the agency link is TCP', schemes: ['amqp', 'amqps'], doc: 'RabbitMQ for the agency link (production mode): the adapter is then a competing consumer.' }),
  AMQP_QUEUE_PREFIX: text({ default: 'cytb', pattern: /^[A-Za-z0-9._-]+$/, patternDoc: 'letters, digits, `.`, `_` or `-`', doc: 'Prefix of the agency-link queue names; the gateway’s must be the same.' }),
  ADAPTER_STATE_DIR: path({ default: 'data/adapter', doc: 'Folder of the adapter’s own state: the feed cursors and the hand-over journal.' }),
  AGENCY_KEY_DIR: path({ default: 'data/agency-keys', doc: 'Folder of the agencies’ decryption keys (`<dir>/<agency>`), for personal data sealed for them.' }),
  ADAPTER_POLL_MS: int({ default: 1000, min: 10, unit: 'ms', doc: 'How often the agency’s event feed is polled.' }),
  ADAPTER_ACK_TIMEOUT_MS: int({ default: DEFAULT_ADAPTER_ACK_TIMEOUT_MS, min: 1, unit: 'ms', doc: 'How long the status pump waits for the gateway’s answer to a report or batch.' }),
  ADAPTER_LOOK_UP_BEFORE_CREATE: oneOf(LOOK_UP_POLICIES, { default: 'in-doubt', doc: 'Which new cases are first looked up at the agency: those in doubt, or `always` (for competing instances).' }),
  ADAPTER_HANDOVER_RETENTION_HOURS: int({ default: DEFAULT_HANDOVER_RETENTION_MS / 3600_000, min: 1, unit: 'h', doc: 'How long the hand-over journal keeps an outcome (past the gateway’s retry age, with room for a replay).' }),
  ADAPTER_HEARTBEAT_MS: int({ default: DEFAULT_ADAPTER_HEARTBEAT_MS, min: 100, unit: 'ms', doc: 'How often the adapter tells its gateway it is alive and whether each agency answers (/health shows it down after three missed beats).' }),
  CRYPTO_SUITE: oneOf(SUITE_NAMES, { default: 'intl', doc: 'The suite of the agency-link proofs (HMAC-SHA-256 or HMAC-SM3) and of the agencies’ sealing keys (X25519 or SM2); the gateway’s must be the same.' }),
  LOG_LEVEL: oneOf(ADAPTER_LOG_LEVELS, { default: 'info', doc: 'Least level logged: `info` logs every hand-over, `warn` only what went wrong.' }),
};

/**
 * An adapter's settings, read from the environment as ADAPTER_ENV declares them. Refuses to start
 * with CONFIG_INVALID, naming every bad variable at once.
 *
 * @example loadAdapterConfig({ ...env, ADAPTER_ACK_TIMEOUT_MS: '15000' }).ackTimeoutMs // 15000
 */
export function loadAdapterConfig(env: Env = process.env) {
  const v = readEnv(ADAPTER_ENV, env);
  return {
    port: v.ADAPTER_PORT,
    gatewayStatus: { host: v.GATEWAY_STATUS_HOST, port: v.GATEWAY_STATUS_PORT },
    agencyBaseUrl: v.AGENCY_BASE_URL,
    stateDir: resolve(v.ADAPTER_STATE_DIR),
    agencyKeyDir: resolve(v.AGENCY_KEY_DIR),
    pollMs: v.ADAPTER_POLL_MS,
    ackTimeoutMs: v.ADAPTER_ACK_TIMEOUT_MS,
    linkSecret: v.AGENCY_LINK_SECRET,
    amqp: v.AMQP_URL !== undefined ? { url: v.AMQP_URL, queuePrefix: v.AMQP_QUEUE_PREFIX } : null,
    logLevel: v.LOG_LEVEL,
    heartbeatMs: v.ADAPTER_HEARTBEAT_MS,
    cryptoSuite: v.CRYPTO_SUITE,
    lookUpBeforeCreate: v.ADAPTER_LOOK_UP_BEFORE_CREATE,
    handOverRetentionMs: v.ADAPTER_HANDOVER_RETENTION_HOURS * 3600_000,
  };
}
