import { DEFAULT_ADAPTER_ACK_TIMEOUT_MS, loadAdapterConfig } from './adapter.config.js';

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
    expect(() => loadAdapterConfig({ ...env, ADAPTER_ACK_TIMEOUT_MS: value })).toThrow(/ADAPTER_ACK_TIMEOUT_MS/);
  });

  it('takes the crypto suite of the agency-link proofs from CRYPTO_SUITE (intl when absent) and names a bad one', () => {
    expect(loadAdapterConfig(env).cryptoSuite).toBe('intl');
    expect(loadAdapterConfig({ ...env, CRYPTO_SUITE: 'gm' }).cryptoSuite).toBe('gm');
    expect(() => loadAdapterConfig({ ...env, CRYPTO_SUITE: 'GM' })).toThrow(/CRYPTO_SUITE must be intl or gm/);
  });
});
