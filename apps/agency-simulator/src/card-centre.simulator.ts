import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '#core';

/**
 * SIMULATOR — a stand-in for a province's social-security card centre system, for demos and
 * tests only. It is not part of the product: real agencies run their own systems. It keeps a
 * neutral internal model; each province's HTTP controller speaks that province's vocabulary.
 */
export type SimStage = 'audit' | 'making' | 'made' | 'posted' | 'received' | 'refused' | 'make-failed';
export type SimRefusal = 'in-production' | 'not-insured' | 'photo' | 'identity' | 'bank' | 'no-loss-report';

export interface SimApplication {
  readonly businessKey: string;
  readonly idNumber: string;
  readonly kind: 'new' | 'reissue' | 'replace' | 'renew';
  readonly photoRef: string;
}

interface SimCase {
  readonly businessKey: string;
  readonly ref: string;
  readonly idNumber: string;
  readonly kind: SimApplication['kind'];
  readonly photoRef: string;
  stage: SimStage;
  stageSince: number;
  refusal?: SimRefusal;
  waybill?: string;
}

export interface SimEvent {
  readonly seq: number;
  readonly businessKey: string;
  readonly ref: string;
  readonly stage: SimStage;
  readonly at: number;
  readonly refusal?: SimRefusal;
  readonly waybill?: string;
}

export interface SimulatorOptions {
  readonly province: 'SC' | 'CQ';
  readonly clock: Clock;
  /** How long each stage lasts on the clock. */
  readonly stepMs: number;
  /** Share of applications refused at eligibility for a random realistic reason (0..1). */
  readonly rejectRate: number;
  readonly seed: number;
  readonly stateFile?: string;
  /** ID numbers this agency does not insure at the issuing region. */
  readonly notInsured?: readonly string[];
  /** Real-timer interval that calls tick(); 0 or absent in tests (they call tick()). */
  readonly autoTickMs?: number;
}

interface SimState {
  cases: SimCase[];
  events: SimEvent[];
  stats: { requests: number; cases: number; duplicates: number };
  created: Record<string, number>;
  rng: number;
}

const NEXT: Partial<Record<SimStage, SimStage>> = { making: 'made', made: 'posted', posted: 'received' };
const RANDOM_REFUSALS: readonly SimRefusal[] = ['identity', 'bank', 'photo'];

export class CardCentreSimulator {
  private readonly state: SimState;
  private readonly byKey = new Map<string, SimCase>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: SimulatorOptions) {
    this.state = this.load() ?? {
      cases: [],
      events: [],
      stats: { requests: 0, cases: 0, duplicates: 0 },
      created: {},
      rng: options.seed || 1,
    };
    for (const c of this.state.cases) this.byKey.set(c.businessKey, c);
    if (options.autoTickMs) {
      this.timer = setInterval(() => this.tick(), options.autoTickMs);
      this.timer.unref();
    }
  }

  get province(): 'SC' | 'CQ' {
    return this.options.province;
  }

  /** Takes an application; idempotent on the business key (业务协同编号). */
  submit(application: SimApplication): { ref: string; duplicate: boolean } {
    this.state.stats.requests += 1;
    const existing = this.byKey.get(application.businessKey);
    if (existing) {
      this.state.stats.duplicates += 1;
      this.save();
      return { ref: existing.ref, duplicate: true };
    }
    const now = this.options.clock.nowMs();
    const ref = `${this.options.province}K${String(this.state.stats.cases + 1).padStart(8, '0')}`;
    const c: SimCase = { ...application, ref, stage: 'audit', stageSince: now };
    this.state.cases.push(c);
    this.byKey.set(c.businessKey, c);
    this.state.stats.cases += 1;
    this.state.created[c.businessKey] = (this.state.created[c.businessKey] ?? 0) + 1;
    this.emit(c, now);
    this.save();
    return { ref, duplicate: false };
  }

  /** Moves every case whose stage has lasted stepMs on one stage. */
  tick(): number {
    const now = this.options.clock.nowMs();
    let moved = 0;
    for (const c of this.state.cases) {
      if (now - c.stageSince < this.options.stepMs) continue;
      const next = this.nextStage(c);
      if (!next) continue;
      c.stage = next;
      c.stageSince = now;
      if (next === 'posted') c.waybill = this.waybill();
      this.emit(c, now);
      moved += 1;
    }
    if (moved > 0) this.save();
    return moved;
  }

  eventsAfter(seq: number, limit: number): SimEvent[] {
    return this.state.events.filter((e) => e.seq > seq).slice(0, limit);
  }

  stats(): { requests: number; cases: number; duplicates: number } {
    return { ...this.state.stats };
  }

  /** How many times a case was created for this business key (a repeated agency action shows as 2). */
  caseCount(businessKey: string): number {
    return this.state.created[businessKey] ?? 0;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private nextStage(c: SimCase): SimStage | undefined {
    if (c.stage !== 'audit') {
      if (c.stage === 'making' && this.random() < this.options.rejectRate / 5) return 'make-failed';
      return NEXT[c.stage];
    }
    c.refusal = this.refusalFor(c);
    return c.refusal ? 'refused' : 'making';
  }

  private refusalFor(c: SimCase): SimRefusal | undefined {
    if (this.options.notInsured?.includes(c.idNumber)) return 'not-insured';
    if (c.photoRef.startsWith('PHOTO-INVALID')) return 'photo';
    const inProduction = this.state.cases.some((o) => o !== c && o.idNumber === c.idNumber && (o.stage === 'making' || o.stage === 'made'));
    if (inProduction) return 'in-production';
    if (this.random() < this.options.rejectRate) return RANDOM_REFUSALS[Math.floor(this.random() * RANDOM_REFUSALS.length)];
    return undefined;
  }

  private emit(c: SimCase, at: number): void {
    this.state.events.push({
      seq: this.state.events.length + 1,
      businessKey: c.businessKey,
      ref: c.ref,
      stage: c.stage,
      at,
      ...(c.stage === 'refused' && c.refusal ? { refusal: c.refusal } : {}),
      ...(c.stage === 'posted' && c.waybill ? { waybill: c.waybill } : {}),
    });
  }

  /** EMS-style 13-character waybill number. */
  private waybill(): string {
    return `1100${String(Math.floor(this.random() * 1e9)).padStart(9, '0')}`;
  }

  /** A seeded generator (mulberry32), so a test run is repeatable. */
  private random(): number {
    let t = (this.state.rng += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private load(): SimState | null {
    const file = this.options.stateFile;
    if (!file || !existsSync(file)) return null;
    return JSON.parse(readFileSync(file, 'utf8')) as SimState;
  }

  private save(): void {
    const file = this.options.stateFile;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, file);
  }
}
