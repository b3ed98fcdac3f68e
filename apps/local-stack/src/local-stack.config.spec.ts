import { loadLocalStackConfig } from './local-stack.config.js';

describe('loadLocalStackConfig', () => {
  it('gives every process a 192 MB old-generation heap unless NODE_HEAP_MB says otherwise', () => {
    expect(loadLocalStackConfig({}).heapLimitMb).toBe(192);
    expect(loadLocalStackConfig({ NODE_HEAP_MB: '256' }).heapLimitMb).toBe(256);
  });

  it('refuses a heap limit too small to run a gateway, with the setting named', () => {
    expect(() => loadLocalStackConfig({ NODE_HEAP_MB: '16' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', detail: expect.stringContaining('NODE_HEAP_MB') }));
  });
});
