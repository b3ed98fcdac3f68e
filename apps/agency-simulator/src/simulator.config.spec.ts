import { loadSimulatorConfig, SIMULATOR_ENV } from './simulator.config.js';

const env = { SIM_PROVINCE: 'SC', SIM_PORT: '7121' };

describe('loadSimulatorConfig', () => {
  it('refuses to start naming every bad variable at once, with the code CONFIG_INVALID', () => {
    const bad = { SIM_PROVINCE: 'XX', SIM_PORT: 'none', SIM_REJECT_RATE: '2', SIM_STEP_MS: 'slow', SIM_IDEMPOTENT: 'maybe', SIM_AUTO_TICK_MS: '-5' };
    let detail = '';
    try {
      loadSimulatorConfig(bad);
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      detail = (error as { detail: string }).detail;
    }
    for (const name of Object.keys(bad)) expect(detail).toContain(name);
  });

  it('keeps the documented defaults and reads comma-separated ID lists', () => {
    const config = loadSimulatorConfig({ ...env, SIM_NOT_INSURED: ' 510100199001011234, ,500100199001011234', SIM_SEED: '7' });
    expect(config).toMatchObject({ province: 'SC', port: 7121, stepMs: 3000, rejectRate: 0.1, seed: 7, autoTickMs: 500, idempotent: true, answerDelayMs: 0, logLevel: 'info', stateFile: undefined });
    expect(config.notInsured).toEqual(['510100199001011234', '500100199001011234']);
    expect('temporaryLossDays' in config).toBe(false);
    expect(loadSimulatorConfig({ ...env, SIM_TEMPORARY_LOSS_DAYS: '3' }).temporaryLossDays).toBe(3);
  });

  it('reads no variable its table does not declare, and describes each', () => {
    const read = new Set<string>();
    const spy = new Proxy<Record<string, string | undefined>>({ ...env }, {
      get: (target, key: string) => {
        read.add(key);
        return target[key];
      },
    });
    loadSimulatorConfig(spy);
    expect([...read].filter((name) => !(name in SIMULATOR_ENV))).toEqual([]);
    for (const variable of Object.values(SIMULATOR_ENV)) expect(variable.doc.length).toBeGreaterThan(10);
  });
});
