import { loadGatewayConfig } from './gateway.config.js';
import { GATEWAY_ENV } from './gateway.env.js';

describe('loadGatewayConfig', () => {
  it('names every bad variable at once', () => {
    expect(() => loadGatewayConfig({ NODE_CODE: 'XX', HTTP_PORT: 'eighty', STATUS_PORT: '7102' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        detail: expect.stringMatching(/NODE_CODE must be SC or CQ.*HTTP_PORT must be 0 \(any free port\) or an integer between 1 and 65535.*ADAPTER_PORT is required/),
      }),
    );
  });

  it('defaults to the embedded SQLite database under the data folder', () => {
    const config = loadGatewayConfig({ NODE_CODE: 'CQ', HTTP_PORT: '7201', STATUS_PORT: '7202', ADAPTER_PORT: '7211', DATA_DIR: '/tmp/x', AGENCY_LINK_SECRET: 'x'.repeat(32) });
    expect(config.database).toEqual({ kind: 'sqlite', file: '/tmp/x/cq/gateway.db' });
    expect(config.keyDir).toBe('/tmp/x/cq/keys');
    // One relay batch at a time: SQLite has no round trip for a second batch to overlap.
    expect(config.relayBatchesInFlight).toBe(1);
  });

  it('merges per-destination retry policies over the default and names bad ones', () => {
    const base = { NODE_CODE: 'SC', HTTP_PORT: '1', STATUS_PORT: '2', ADAPTER_PORT: '3', AGENCY_LINK_SECRET: 'x'.repeat(32) };
    const config = loadGatewayConfig({ ...base, RETRY_POLICIES: '{"peer:*":{"maxDelayMs":2000,"maxAttempts":5}}' });
    expect(config.retryPolicies['peer:*']).toMatchObject({ maxDelayMs: 2000, maxAttempts: 5, baseDelayMs: 500 });
    expect(() => loadGatewayConfig({ ...base, RETRY_POLICIES: '{"peer:*":{"maxDelay":1},"mail:*":{}}' })).toThrow(
      expect.objectContaining({ detail: expect.stringMatching(/unknown destination pattern mail:\*.*|peer:\*\.maxDelay is not a valid setting/) }),
    );
  });

  it('checkpoints the message log every 60 s by default, never below a second, and 0 turns it off', () => {
    const base = { NODE_CODE: 'SC', HTTP_PORT: '1', STATUS_PORT: '2', ADAPTER_PORT: '3', AGENCY_LINK_SECRET: 'x'.repeat(32) };
    expect(loadGatewayConfig(base).logCheckpointIntervalMs).toBe(60_000);
    expect(loadGatewayConfig({ ...base, LOG_CHECKPOINT_INTERVAL_MS: '0' }).logCheckpointIntervalMs).toBe(0);
    expect(() => loadGatewayConfig({ ...base, LOG_CHECKPOINT_INTERVAL_MS: '500' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', detail: 'LOG_CHECKPOINT_INTERVAL_MS must be 0 (off) or an integer between 1000 and 86400000' }));
    expect(() => loadGatewayConfig({ ...base, LOG_CHECKPOINT_INTERVAL_MS: 'soon' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('switches to PostgreSQL when DATABASE_URL is set', () => {
    const config = loadGatewayConfig({
      NODE_CODE: 'SC', HTTP_PORT: '1', STATUS_PORT: '2', ADAPTER_PORT: '3', DATABASE_URL: 'postgres://localhost/test', AGENCY_LINK_SECRET: 'x'.repeat(32),
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://localhost/test' });
    expect(config.relayBatchesInFlight).toBe(4);
  });

  it('reads the credential limits and lifetimes, and names bad ones', () => {
    const base = { NODE_CODE: 'SC', HTTP_PORT: '1', STATUS_PORT: '2', ADAPTER_PORT: '3', AGENCY_LINK_SECRET: 'x'.repeat(32) };
    const config = loadGatewayConfig(base);
    expect(config.authFailures).toEqual({ perCredential: 5, perAddress: 20, windowMs: 900_000 });
    expect([config.credentialTtlDays, config.credentialExpiryWarningDays, config.trustProxy]).toEqual([365, 14, null]);
    expect(loadGatewayConfig({ ...base, TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,::1' }).trustProxy).toBe('10.0.0.5,10.1.0.0/16,::1');
    expect(() => loadGatewayConfig({ ...base, AUTH_FAILURES_PER_CREDENTIAL: '0', CREDENTIAL_TTL_DAYS: 'forever', TRUST_PROXY: 'lb.local' })).toThrow(
      expect.objectContaining({ detail: expect.stringMatching(/AUTH_FAILURES_PER_CREDENTIAL must be.*CREDENTIAL_TTL_DAYS must be.*TRUST_PROXY must be/) }),
    );
  });

  it('defaults to a short relay lease and a circuit that probes a down destination at most every 2.5 s', () => {
    const base = { NODE_CODE: 'SC', HTTP_PORT: '1', STATUS_PORT: '2', ADAPTER_PORT: '3', AGENCY_LINK_SECRET: 'x'.repeat(32) };
    const config = loadGatewayConfig(base);
    expect(config.relayLeaseMs).toBe(8_000);
    expect(config.circuit).toEqual({ failureThreshold: 5, openMs: 1_000, maxOpenMs: 2_500 });
    expect(() => loadGatewayConfig({ ...base, CIRCUIT_OPEN_MS: '5000', CIRCUIT_MAX_OPEN_MS: '2000' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', detail: expect.stringContaining('CIRCUIT_OPEN_MS must not exceed CIRCUIT_MAX_OPEN_MS') }),
    );
  });

  it('takes the crypto suite of its own keyed hashes (applicant index, agency-link proofs) from CRYPTO_SUITE, intl when absent', () => {
    const base = { NODE_CODE: 'SC', HTTP_PORT: '1', STATUS_PORT: '2', ADAPTER_PORT: '3', AGENCY_LINK_SECRET: 'x'.repeat(32) };
    expect(loadGatewayConfig(base).cryptoSuite).toMatchObject({ name: 'intl', hash: 'sha256' });
    expect(loadGatewayConfig({ ...base, CRYPTO_SUITE: 'gm' }).cryptoSuite).toMatchObject({ name: 'gm', hash: 'sm3' });
    expect(() => loadGatewayConfig({ ...base, CRYPTO_SUITE: 'sm' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', detail: 'CRYPTO_SUITE must be intl or gm' }));
  });
});

describe('loadGatewayConfig, against its declared table', () => {
  const base = { NODE_CODE: 'SC', HTTP_PORT: '1', STATUS_PORT: '2', ADAPTER_PORT: '3', AGENCY_LINK_SECRET: 'x'.repeat(32) };

  it('names every bad variable at once, booleans, levels, URLs and prefixes included', () => {
    const bad = { NODE_CODE: 'XX', MIGRATE_ON_START: 'yes', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://db', AMQP_URL: 'http://mq', AMQP_QUEUE_PREFIX: 'a b', RATE_LIMIT_BURST: '0', SHUTDOWN_GRACE_MS: '-1' };
    let detail = '';
    try {
      loadGatewayConfig(bad);
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      detail = (error as { detail: string }).detail;
    }
    for (const name of ['NODE_CODE', 'HTTP_PORT', 'AGENCY_LINK_SECRET', ...Object.keys(bad).filter((n) => n !== 'NODE_CODE')]) expect(detail).toContain(name);
  });

  it('reads no variable its table does not declare', () => {
    const read = new Set<string>();
    const env = new Proxy<Record<string, string | undefined>>({ ...base, AMQP_URL: 'amqp://mq' }, {
      get: (target, key: string) => {
        read.add(key);
        return target[key];
      },
    });
    loadGatewayConfig(env);
    loadGatewayConfig({ ...env, DATABASE_URL: 'postgres://db/x' });
    expect([...read].filter((name) => !(name in GATEWAY_ENV))).toEqual([]);
    expect(read.size).toBeGreaterThan(40);
  });

  it('declares each variable with a type, a default or "required", and a description', () => {
    for (const [name, variable] of Object.entries(GATEWAY_ENV)) {
      expect([name, variable.type.length > 0, variable.default.length > 0, variable.doc.length > 10]).toEqual([name, true, true, true]);
    }
  });

  it('keeps the documented defaults', () => {
    const config = loadGatewayConfig(base);
    expect(config).toMatchObject({
      http: { host: '127.0.0.1', port: 1 },
      migrateOnStart: true,
      logLevel: 'info',
      amqp: null,
      envelopeTtlSeconds: 604_800,
      maxClockSkewSeconds: 120,
      rateLimit: { ratePerSecond: 50, burst: 100 },
      shutdownGraceMs: 10_000,
      idempotencyKeyTtlHours: 24,
      deathClaimWindowDays: 30,
      demoCredentialsFile: null,
    });
    expect(loadGatewayConfig({ ...base, STATUS_PORT: undefined, ADAPTER_PORT: undefined, AMQP_URL: 'amqp://mq' }).amqp).toEqual({ url: 'amqp://mq', queuePrefix: 'cytb' });
    expect(loadGatewayConfig({ ...base, MIGRATE_ON_START: 'false' }).migrateOnStart).toBe(false);
  });

  it.each([
    ['MAX_CLOCK_SKEW_SECONDS', '3601'],
    ['IDEMPOTENCY_KEY_TTL_HOURS', '721'],
    ['ENVELOPE_TTL_SECONDS', '59'],
    ['HTTP_PORT', '65536'],
    ['CREDENTIAL_EXPIRY_WARNING_DAYS', '1.5'],
  ])('refuses %s=%s, outside its range', (name, value) => {
    expect(() => loadGatewayConfig({ ...base, [name]: value })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', detail: expect.stringContaining(name) }));
  });
});
