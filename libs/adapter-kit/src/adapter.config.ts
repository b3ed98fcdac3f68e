import { resolve } from 'node:path';
import { LOOK_UP_POLICIES, type LookUpPolicy } from './delivery-handler.js';
import { DEFAULT_HANDOVER_RETENTION_MS } from './hand-over-journal.js';
import { SUITE_NAMES, type SuiteName } from '#signing';

/** How much an adapter logs: `info` logs every hand-over, `warn` only what went wrong. */
export const ADAPTER_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type AdapterLogLevel = (typeof ADAPTER_LOG_LEVELS)[number];

/** How long a status pump waits for the gateway's answer to a report or batch unless ADAPTER_ACK_TIMEOUT_MS says otherwise. */
export const DEFAULT_ADAPTER_ACK_TIMEOUT_MS = 5000;

/**
 * An adapter's settings, from the environment (ADAPTER_PORT, GATEWAY_STATUS_HOST/PORT,
 * AGENCY_BASE_URL, ADAPTER_STATE_DIR, AGENCY_KEY_DIR, ADAPTER_POLL_MS, ADAPTER_ACK_TIMEOUT_MS
 * (default 5000: how long the status pump waits for the gateway's answer), LOG_LEVEL,
 * ADAPTER_LOOK_UP_BEFORE_CREATE (`in-doubt`, the default, or `always` for competing instances),
 * ADAPTER_HANDOVER_RETENTION_HOURS (default 168: how long the hand-over journal keeps an
 * outcome), ADAPTER_HEARTBEAT_MS (default 5000: how often the adapter tells its gateway it is
 * alive), CRYPTO_SUITE (`intl` or `gm`, default `intl`: the HMAC of the agency-link proofs and
 * the kind of the agencies' sealing keys; the gateway's must be the same)); names every bad one.
 *
 * @example loadAdapterConfig({ ...env, ADAPTER_ACK_TIMEOUT_MS: '15000' }).ackTimeoutMs // 15000
 */
export function loadAdapterConfig(env: Readonly<Record<string, string | undefined>> = process.env) {
  const problems: string[] = [];
  const port = (name: string) => {
    const value = Number(env[name]);
    if (!Number.isInteger(value) || value <= 0 || value > 65535) problems.push(`${name} must be a port number`);
    return value;
  };
  const config = {
    port: port('ADAPTER_PORT'),
    gatewayStatus: { host: env['GATEWAY_STATUS_HOST'] ?? '127.0.0.1', port: port('GATEWAY_STATUS_PORT') },
    agencyBaseUrl: env['AGENCY_BASE_URL'] ?? '',
    stateDir: resolve(env['ADAPTER_STATE_DIR'] ?? 'data/adapter'),
    agencyKeyDir: resolve(env['AGENCY_KEY_DIR'] ?? 'data/agency-keys'),
    pollMs: Number(env['ADAPTER_POLL_MS'] ?? 1000),
    ackTimeoutMs: Number(env['ADAPTER_ACK_TIMEOUT_MS'] ?? DEFAULT_ADAPTER_ACK_TIMEOUT_MS),
    heartbeatMs: Number(env['ADAPTER_HEARTBEAT_MS'] ?? 5000),
    linkSecret: env['AGENCY_LINK_SECRET'] ?? '',
    amqp: env['AMQP_URL'] ? { url: env['AMQP_URL'], queuePrefix: env['AMQP_QUEUE_PREFIX'] ?? 'cytb' } : null,
    logLevel: (env['LOG_LEVEL'] ?? 'info') as AdapterLogLevel,
    lookUpBeforeCreate: (env['ADAPTER_LOOK_UP_BEFORE_CREATE'] ?? 'in-doubt') as LookUpPolicy,
    handOverRetentionMs:
      env['ADAPTER_HANDOVER_RETENTION_HOURS'] === undefined ? DEFAULT_HANDOVER_RETENTION_MS : Number(env['ADAPTER_HANDOVER_RETENTION_HOURS']) * 3600_000,
    cryptoSuite: (env['CRYPTO_SUITE'] ?? 'intl') as SuiteName,
  };
  if (!LOOK_UP_POLICIES.includes(config.lookUpBeforeCreate)) problems.push(`ADAPTER_LOOK_UP_BEFORE_CREATE must be one of ${LOOK_UP_POLICIES.join(', ')}`);
  if (!Number.isInteger(config.handOverRetentionMs) || config.handOverRetentionMs <= 0) {
    problems.push('ADAPTER_HANDOVER_RETENTION_HOURS must be a positive whole number of hours');
  }
  if (!SUITE_NAMES.includes(config.cryptoSuite)) problems.push('CRYPTO_SUITE must be intl or gm');
  if (!Number.isInteger(config.ackTimeoutMs) || config.ackTimeoutMs <= 0) problems.push('ADAPTER_ACK_TIMEOUT_MS must be a positive whole number of milliseconds');
  if (!Number.isInteger(config.heartbeatMs) || config.heartbeatMs < 1000) problems.push('ADAPTER_HEARTBEAT_MS must be a whole number of milliseconds, at least 1000');
  if (!ADAPTER_LOG_LEVELS.includes(config.logLevel)) problems.push(`LOG_LEVEL must be one of ${ADAPTER_LOG_LEVELS.join(', ')}`);
  if (!/^https?:\/\//.test(config.agencyBaseUrl)) problems.push('AGENCY_BASE_URL must be an http(s) URL');
  if (config.linkSecret.length < 32) problems.push('AGENCY_LINK_SECRET must be at least 32 characters');
  if (problems.length > 0) throw new Error(`invalid configuration: ${problems.join('; ')}`);
  return config;
}
