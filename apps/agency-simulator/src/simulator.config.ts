import { resolve } from 'node:path';
import { decimal, int, list, NODE_CODES, oneOf, path, port, readEnv, bool, type Env } from '#core';
import { LOG_LEVELS } from '#logging';

const ID_NUMBERS = 'ID numbers';

/**
 * Every environment variable an agency simulator reads (demo and tests only), declared once:
 * loadSimulatorConfig reads this table and docs/configuration.md is generated from it.
 */
export const SIMULATOR_ENV = {
  SIM_PROVINCE: oneOf(NODE_CODES, { required: true, doc: 'Whose agency systems this process plays: Sichuan’s (`SC`) or Chongqing’s (`CQ`).' }),
  SIM_PORT: port({ required: true, doc: 'HTTP port of the simulated agency systems (on 127.0.0.1).' }),
  SIM_STEP_MS: int({ default: 3000, min: 1, unit: 'ms', doc: 'How long each simulated agency stage lasts before a case moves on.' }),
  SIM_REJECT_RATE: decimal({ default: 0.1, min: 0, max: 1, doc: 'Seeded random share of card applications refused (a fifth of that share fails later, in production).' }),
  SIM_SEED: int({ derived: 'the clock’s milliseconds mod 100000', min: 0, doc: 'Seed of the random refusals, for a repeatable run.' }),
  SIM_STATE_FILE: path({ derived: 'none: state in memory only', doc: 'Snapshot and journal of the simulated systems (`<file>.medical.json`, `<file>.pension.json` beside it).' }),
  SIM_AUTO_TICK_MS: int({ default: 500, min: 1, zero: 'off: stages move only when a test ticks', unit: 'ms', doc: 'How often the simulated clock moves cases on.' }),
  SIM_TEMPORARY_LOSS_DAYS: int({ derived: 'Sichuan 5, Chongqing 10', min: 1, unit: 'days', doc: 'How long a temporary card loss report holds.' }),
  SIM_IDEMPOTENT: bool({ default: true, doc: '`false` plays agencies that are not idempotent: a repeated create is a second case.' }),
  SIM_ANSWER_DELAY_MS: int({ default: 0, min: 0, unit: 'ms', doc: 'A slow agency: it acts at once and answers a POST this much later (a crash then lands in between).' }),
  SIM_NOT_INSURED: list({ itemDoc: ID_NUMBERS, doc: 'People not insured at the issuing region: their card applications are refused.' }),
  SIM_BIOMETRIC_FAIL: list({ itemDoc: ID_NUMBERS, doc: 'People whose pension qualification check fails.' }),
  SIM_SUSPENDED_PENSIONERS: list({ itemDoc: ID_NUMBERS, doc: 'Pensioners whose payments are suspended: a passed check resumes them with three months of back-pay.' }),
  SIM_TRANSFER_TERMINATED: list({ itemDoc: ID_NUMBERS, doc: 'The transfer-out office refuses at leg 2: the account is terminated (`ACCOUNT_TERMINATED`).' }),
  SIM_TRANSFER_UNSUSPENDED: list({ itemDoc: ID_NUMBERS, doc: 'The transfer-out office refuses at leg 2: contributions are not suspended (`CONTRIBUTIONS_NOT_SUSPENDED`).' }),
  SIM_TRANSFER_ARREARS: list({ itemDoc: ID_NUMBERS, doc: 'The transfer-out office refuses at leg 2: contributions are in arrears (`CONTRIBUTIONS_IN_ARREARS`).' }),
  SIM_TRANSFER_DRAWING_PENSION: list({ itemDoc: ID_NUMBERS, doc: 'The transfer-out office refuses at leg 2: the person already draws a pension (`ALREADY_DRAWING_PENSION`).' }),
  SIM_TRANSFER_WRONG_SUMS: list({ itemDoc: ID_NUMBERS, doc: 'The transfer-out office states the pooled part one fen off (to exercise the gateway’s check).' }),
  SIM_TRANSFER_TEMPORARY_ACCOUNT: list({ itemDoc: ID_NUMBERS, doc: 'The transfer-in office refuses at leg 1: the applicant holds only a temporary account there.' }),
  LOG_LEVEL: oneOf(LOG_LEVELS, { default: 'info', doc: 'JSON logs: `info` logs every decision, `debug` every request too.' }),
};

/**
 * SIMULATOR settings, read from the environment as SIMULATOR_ENV declares them (demo only).
 * Refuses to start with CONFIG_INVALID, naming every bad variable at once.
 *
 * @example loadSimulatorConfig({ SIM_PROVINCE: 'SC', SIM_PORT: '7121' }).stepMs // 3000
 */
export function loadSimulatorConfig(env: Env = process.env) {
  const v = readEnv(SIMULATOR_ENV, env);
  return {
    province: v.SIM_PROVINCE,
    port: v.SIM_PORT,
    stepMs: v.SIM_STEP_MS,
    rejectRate: v.SIM_REJECT_RATE,
    seed: v.SIM_SEED ?? Date.now() % 100_000,
    stateFile: v.SIM_STATE_FILE !== undefined ? resolve(v.SIM_STATE_FILE) : undefined,
    autoTickMs: v.SIM_AUTO_TICK_MS,
    idempotent: v.SIM_IDEMPOTENT,
    answerDelayMs: v.SIM_ANSWER_DELAY_MS,
    logLevel: v.LOG_LEVEL,
    ...(v.SIM_TEMPORARY_LOSS_DAYS !== undefined ? { temporaryLossDays: v.SIM_TEMPORARY_LOSS_DAYS } : {}),
    notInsured: [...v.SIM_NOT_INSURED],
    biometricFail: [...v.SIM_BIOMETRIC_FAIL],
    suspendedPensioners: [...v.SIM_SUSPENDED_PENSIONERS],
    transfer: {
      terminated: [...v.SIM_TRANSFER_TERMINATED],
      unsuspended: [...v.SIM_TRANSFER_UNSUSPENDED],
      arrears: [...v.SIM_TRANSFER_ARREARS],
      drawingPension: [...v.SIM_TRANSFER_DRAWING_PENSION],
      wrongSums: [...v.SIM_TRANSFER_WRONG_SUMS],
      temporaryAccountOnly: [...v.SIM_TRANSFER_TEMPORARY_ACCOUNT],
    },
  };
}
