import { ADAPTER_ENV, DEFAULT_ADAPTER_ACK_TIMEOUT_MS, loadAdapterConfig } from './adapter.config.js';

const env = {
  ADAPTER_PORT: '7111',
  GATEWAY_STATUS_PORT: '7102',
  AGENCY_BASE_URL: 'http://127.0.0.1:7301',
  AGENCY_LINK_SECRET: 'adapter-config-spec-link-secret-0123456789',
};

describe('loadAdapterConfig', () => {
  it('takes how long the status pump waits for the gateway from ADAPTER_ACK_TIMEOUT_MS, 5000 ms when absent', () => {
    expect(loadAdapterConfig(env).ackTimeoutMs).toBe(DEFAULT_ADAPTER_ACK_TIMEOUT_MS);
    expect(DEFAULT_ADAPTER_ACK_TIMEOUT_MS).toBe(5000);
    expect(loadAdapterConfig({ ...env, ADAPTER_ACK_TIMEOUT_MS: '15000' }).ackTimeoutMs).toBe(15000);
  });

  it.each(['0', '-1', 'soon', '1.5'])('refuses to start with ADAPTER_ACK_TIMEOUT_MS=%s and names it', (value) => {
    expect(() => loadAdapterConfig({ ...env, ADAPTER_ACK_TIMEOUT_MS: value })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', detail: expect.stringContaining('ADAPTER_ACK_TIMEOUT_MS') }));
  });
});

describe('loadAdapterConfig, against its declared table', () => {
  it('refuses to start naming every bad variable at once, with the code CONFIG_INVALID', () => {
    const bad = { ADAPTER_POLL_MS: 'soon', GATEWAY_STATUS_PORT: '70000', AGENCY_BASE_URL: 'ftp://agency', AMQP_QUEUE_PREFIX: 'a b', LOG_LEVEL: 'loud', ADAPTER_HANDOVER_RETENTION_HOURS: '0' };
    let detail = '';
    try {
      loadAdapterConfig({ ...env, ...bad });
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      detail = (error as { detail: string }).detail;
    }
    for (const name of Object.keys(bad)) expect(detail).toContain(name);
  });

  it('keeps the documented defaults', () => {
    expect(loadAdapterConfig(env)).toMatchObject({ pollMs: 1000, logLevel: 'info', lookUpBeforeCreate: 'in-doubt', handOverRetentionMs: 168 * 3600_000, amqp: null, gatewayStatus: { host: '127.0.0.1', port: 7102 } });
  });

  it('reads no variable its table does not declare, and describes each', () => {
    const read = new Set<string>();
    const spy = new Proxy<Record<string, string | undefined>>({ ...env, AMQP_URL: 'amqp://mq' }, {
      get: (target, key: string) => {
        read.add(key);
        return target[key];
      },
    });
    loadAdapterConfig(spy);
    expect([...read].filter((name) => !(name in ADAPTER_ENV))).toEqual([]);
    for (const variable of Object.values(ADAPTER_ENV)) expect(variable.doc.length).toBeGreaterThan(10);
  });

  it('takes the crypto suite of the agency-link proofs from CRYPTO_SUITE (intl when absent) and names a bad one', () => {
    expect(loadAdapterConfig(env).cryptoSuite).toBe('intl');
    expect(loadAdapterConfig({ ...env, CRYPTO_SUITE: 'gm' }).cryptoSuite).toBe('gm');
    expect(() => loadAdapterConfig({ ...env, CRYPTO_SUITE: 'GM' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', detail: 'CRYPTO_SUITE must be intl or gm' }));
  });
});
