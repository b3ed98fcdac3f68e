import { resolve } from 'node:path';

/** SIMULATOR settings from the environment (demo only). */
export function loadSimulatorConfig(env: Readonly<Record<string, string | undefined>> = process.env) {
  const raw = env['SIM_PROVINCE'];
  if (raw !== 'SC' && raw !== 'CQ') throw new Error('SIM_PROVINCE must be SC or CQ');
  const province: 'SC' | 'CQ' = raw;
  const port = Number(env['SIM_PORT']);
  if (!Number.isInteger(port) || port <= 0) throw new Error('SIM_PORT is required');
  return {
    province,
    port,
    stepMs: Number(env['SIM_STEP_MS'] ?? 3000),
    rejectRate: Number(env['SIM_REJECT_RATE'] ?? 0.1),
    seed: Number(env['SIM_SEED'] ?? Date.now() % 100_000),
    stateFile: env['SIM_STATE_FILE'] ? resolve(env['SIM_STATE_FILE']) : undefined,
    autoTickMs: Number(env['SIM_AUTO_TICK_MS'] ?? 500),
  };
}
