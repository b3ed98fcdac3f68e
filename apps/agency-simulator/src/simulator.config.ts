import { resolve } from 'node:path';

/**
 * SIMULATOR settings from the environment (demo only): SIM_PROVINCE, SIM_PORT, SIM_STEP_MS,
 * SIM_REJECT_RATE, SIM_SEED, SIM_STATE_FILE, SIM_AUTO_TICK_MS, SIM_TEMPORARY_LOSS_DAYS (days a
 * temporary card loss report holds; Sichuan 5, Chongqing 10 by default), SIM_NOT_INSURED,
 * SIM_BIOMETRIC_FAIL and SIM_SUSPENDED_PENSIONERS (comma-separated ID numbers), and the pension
 * transfer's transfer-out conditions SIM_TRANSFER_TERMINATED, SIM_TRANSFER_UNSUSPENDED,
 * SIM_TRANSFER_ARREARS, SIM_TRANSFER_DRAWING_PENSION and SIM_TRANSFER_WRONG_SUMS, and the
 * transfer-in side's SIM_TRANSFER_TEMPORARY_ACCOUNT (ID numbers), and SIM_IDEMPOTENT (`true`, the
 * default; `false` plays agencies that are not idempotent: a repeated create is a second case),
 * SIM_ANSWER_DELAY_MS (default 0: a slow agency system, which acts at once and answers a
 * POST that much later, so that a crash lands between its action and the adapter's record),
 * and LOG_LEVEL (JSON logs: `info`, the default, logs every decision; `debug` every request too).
 */
export function loadSimulatorConfig(env: Readonly<Record<string, string | undefined>> = process.env) {
  const raw = env['SIM_PROVINCE'];
  if (raw !== 'SC' && raw !== 'CQ') throw new Error('SIM_PROVINCE must be SC or CQ');
  const province: 'SC' | 'CQ' = raw;
  const port = Number(env['SIM_PORT']);
  if (!Number.isInteger(port) || port <= 0) throw new Error('SIM_PORT is required');
  const lossDays = env['SIM_TEMPORARY_LOSS_DAYS'] === undefined ? undefined : Number(env['SIM_TEMPORARY_LOSS_DAYS']);
  if (lossDays !== undefined && (!Number.isInteger(lossDays) || lossDays <= 0))
    throw new Error('SIM_TEMPORARY_LOSS_DAYS must be a whole number of days');
  const idempotent = env['SIM_IDEMPOTENT'] ?? 'true';
  if (idempotent !== 'true' && idempotent !== 'false') throw new Error('SIM_IDEMPOTENT must be true or false');
  const answerDelayMs = Number(env['SIM_ANSWER_DELAY_MS'] ?? 0);
  if (!Number.isInteger(answerDelayMs) || answerDelayMs < 0) throw new Error('SIM_ANSWER_DELAY_MS must be a whole number of milliseconds');
  const logLevel = env['LOG_LEVEL'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new Error('LOG_LEVEL must be one of debug, info, warn, error');
  const list = (name: string) =>
    (env[name] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  return {
    province,
    port,
    stepMs: Number(env['SIM_STEP_MS'] ?? 3000),
    rejectRate: Number(env['SIM_REJECT_RATE'] ?? 0.1),
    seed: Number(env['SIM_SEED'] ?? Date.now() % 100_000),
    stateFile: env['SIM_STATE_FILE'] ? resolve(env['SIM_STATE_FILE']) : undefined,
    autoTickMs: Number(env['SIM_AUTO_TICK_MS'] ?? 500),
    idempotent: idempotent === 'true',
    answerDelayMs,
    logLevel,
    ...(lossDays !== undefined ? { temporaryLossDays: lossDays } : {}),
    notInsured: list('SIM_NOT_INSURED'),
    biometricFail: list('SIM_BIOMETRIC_FAIL'),
    suspendedPensioners: list('SIM_SUSPENDED_PENSIONERS'),
    transfer: {
      terminated: list('SIM_TRANSFER_TERMINATED'),
      unsuspended: list('SIM_TRANSFER_UNSUSPENDED'),
      arrears: list('SIM_TRANSFER_ARREARS'),
      drawingPension: list('SIM_TRANSFER_DRAWING_PENSION'),
      wrongSums: list('SIM_TRANSFER_WRONG_SUMS'),
      temporaryAccountOnly: list('SIM_TRANSFER_TEMPORARY_ACCOUNT'),
    },
  };
}
