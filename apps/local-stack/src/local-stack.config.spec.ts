import { loadLocalStackConfig, LOCAL_STACK_ENV } from './local-stack.config.js';

describe('loadLocalStackConfig', () => {
  it('gives every process a 192 MB old-generation heap unless NODE_HEAP_MB says otherwise', () => {
    expect(loadLocalStackConfig({}).heapLimitMb).toBe(192);
    expect(loadLocalStackConfig({ NODE_HEAP_MB: '256' }).heapLimitMb).toBe(256);
  });

  it('issues the federation in the intl suite unless FEDERATION_SUITE says gm, and refuses any other name', () => {
    expect(loadLocalStackConfig({}).federationSuite).toBe('intl');
    expect(loadLocalStackConfig({ FEDERATION_SUITE: 'gm' }).federationSuite).toBe('gm');
    expect(() => loadLocalStackConfig({ FEDERATION_SUITE: 'sm2' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', detail: expect.stringContaining('FEDERATION_SUITE') }));
  });

  it('refuses a heap limit too small to run a gateway, with the setting named', () => {
    expect(() => loadLocalStackConfig({ NODE_HEAP_MB: '16' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', detail: expect.stringContaining('NODE_HEAP_MB') }));
  });
});

describe('loadLocalStackConfig, against its declared table', () => {
  it('names every bad variable at once', () => {
    expect(() => loadLocalStackConfig({ NODE_HEAP_MB: '16', BASE_PORT: '80', SIM_STEP_MS: 'x' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', detail: expect.stringMatching(/BASE_PORT.*SIM_STEP_MS.*NODE_HEAP_MB|NODE_HEAP_MB.*BASE_PORT.*SIM_STEP_MS/) }),
    );
  });

  it('reads no variable its table does not declare, and describes each', () => {
    const read = new Set<string>();
    const spy = new Proxy<Record<string, string | undefined>>({}, {
      get: (target, key: string) => {
        read.add(key);
        return target[key];
      },
    });
    loadLocalStackConfig(spy);
    expect([...read].filter((name) => !(name in LOCAL_STACK_ENV))).toEqual([]);
    for (const variable of Object.values(LOCAL_STACK_ENV)) expect(variable.doc.length).toBeGreaterThan(10);
  });
});
