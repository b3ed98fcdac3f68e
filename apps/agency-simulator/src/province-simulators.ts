import type { Clock } from '#core';
import type { SimLog, SystemStats } from './agency-system.simulator.js';
import { CardCentreSimulator } from './card-centre.simulator.js';
import { MedicalInsuranceSimulator } from './medical-insurance.simulator.js';
import { PensionOfficeSimulator, type TransferSeeds } from './pension-office.simulator.js';

/** SIMULATOR settings of one province's agency systems (demo and tests only). */
export interface SimulatorOptions {
  readonly province: 'SC' | 'CQ';
  readonly clock: Clock;
  /** How long each stage lasts on the clock. */
  readonly stepMs: number;
  /** Share of card applications refused at eligibility for a random realistic reason (0..1). */
  readonly rejectRate: number;
  readonly seed: number;
  /** The card centre's state file; the other systems keep theirs beside it (`<name>.medical.json`, `<name>.pension.json`). */
  readonly stateFile?: string | undefined;
  /** ID numbers these agencies do not insure. */
  readonly notInsured?: readonly string[];
  /** Days a temporary card loss report holds (SIM_TEMPORARY_LOSS_DAYS): Sichuan 5, Chongqing 10 by default. */
  readonly temporaryLossDays?: number;
  /** IDs whose biometric check fails at the pension office. */
  readonly biometricFail?: readonly string[];
  /** IDs whose pension payment was suspended before this run. */
  readonly suspendedPensioners?: readonly string[];
  /** Seeded conditions of the pension transfer's transfer-out side (ID numbers). */
  readonly transfer?: TransferSeeds;
  /** Real-timer interval that calls tick(); 0 or absent in tests (they call tick()). */
  readonly autoTickMs?: number;
  /** False plays agencies that are not idempotent: a repeated create is a second case (SIM_IDEMPOTENT; true when absent). */
  readonly idempotent?: boolean;
  /** Where the systems log their decisions (JSON lines); nowhere when absent. */
  readonly log?: SimLog;
}

/** Each province's own local rules, as the simulator plays them. */
const LOCAL_RULES = {
  SC: {
    temporaryLossDays: 5,
    funeralGrantFen: 200_000,
    fundAccount: { bankName: '中国工商银行成都春熙支行', accountName: '四川省社会保险事业管理局社会保险基金收入户', accountNumber: '4402239009100012345' },
  },
  CQ: {
    temporaryLossDays: 10,
    funeralGrantFen: 150_000,
    fundAccount: { bankName: '中国建设银行重庆市分行营业部', accountName: '重庆市社会保险局社会保险基金收入户', accountNumber: '50001013600050212345' },
  },
} as const;

/**
 * SIMULATOR: one province's three agency systems in one process — card centre, medical
 * insurance (医保) and pension office (社保经办) — each with its own interface, event feed and
 * state, all on one clock.
 */
export class ProvinceSimulators {
  readonly card: CardCentreSimulator;
  readonly medical: MedicalInsuranceSimulator;
  readonly pension: PensionOfficeSimulator;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly options: SimulatorOptions) {
    const rules = LOCAL_RULES[options.province];
    const base = {
      province: options.province,
      clock: options.clock,
      stepMs: options.stepMs,
      seed: options.seed,
      notInsured: options.notInsured ?? [],
      idempotent: options.idempotent !== false,
      ...(options.log ? { log: options.log } : {}),
    };
    const beside = (system: string) => (options.stateFile ? { stateFile: options.stateFile.replace(/(\.json)?$/, `.${system}.json`) } : {});
    this.card = new CardCentreSimulator({
      ...base,
      ...(options.stateFile ? { stateFile: options.stateFile } : {}),
      rejectRate: options.rejectRate,
      temporaryLossDays: options.temporaryLossDays ?? rules.temporaryLossDays,
    });
    this.medical = new MedicalInsuranceSimulator({ ...base, seed: options.seed + 1, ...beside('medical') });
    this.pension = new PensionOfficeSimulator({
      ...base,
      seed: options.seed + 2,
      ...beside('pension'),
      biometricFail: options.biometricFail ?? [],
      suspendedPensioners: options.suspendedPensioners ?? [],
      funeralGrantFen: rules.funeralGrantFen,
      fundAccount: rules.fundAccount,
      transfer: options.transfer ?? {},
    });
    if (options.autoTickMs) {
      this.timer = setInterval(() => this.tick(), options.autoTickMs);
      this.timer.unref();
    }
  }

  get province(): 'SC' | 'CQ' {
    return this.options.province;
  }

  /** Moves every system's cases whose stage has lasted stepMs on one stage. */
  tick(): number {
    return this.card.tick() + this.medical.tick() + this.pension.tick();
  }

  /** How many times a case was created for this business key, in any system (a repeated agency action shows as 2). */
  caseCount(businessKey: string): number {
    return this.card.caseCount(businessKey) + this.medical.caseCount(businessKey) + this.pension.caseCount(businessKey);
  }

  /** Requests, cases, duplicates and repeats over all three systems. */
  stats(): SystemStats {
    const all = [this.card.stats(), this.medical.stats(), this.pension.stats()];
    return {
      requests: all.reduce((n, s) => n + s.requests, 0),
      cases: all.reduce((n, s) => n + s.cases, 0),
      duplicates: all.reduce((n, s) => n + s.duplicates, 0),
      repeats: all.reduce((n, s) => n + s.repeats, 0),
    };
  }

  /** Stops the clock timer and closes the state journals (called once the HTTP server has closed). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.card.close();
    this.medical.close();
    this.pension.close();
  }
}
