import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '#core';
import { canWithdraw, type AgencyStage, type RejectionReason } from '#contracts';

/**
 * SIMULATOR — the engine shared by the stand-in agency systems (card centre, medical insurance,
 * pension office), for demos and tests only. Real agencies run their own systems. Each system
 * keeps a neutral internal model (canonical stage names and reason codes); each province's HTTP
 * controller speaks that province's own vocabulary, which the adapters translate.
 *
 * What every system does the same way:
 * - a new case is idempotent on the business key (业务协同编号) and counted per key, so a
 *   repeated agency action shows as a count of 2;
 * - follow-ups (withdrawal, supplement) are idempotent on the request id;
 * - stages advance on the injected clock: `tick()` moves every case whose stage has lasted
 *   `stepMs` by one stage;
 * - every stage is an event in the system's own feed; the state is persisted after each change.
 */
export type SimService = 'ssc.apply' | 'ssc.loss' | 'medical.filing' | 'pension.qualification' | 'pension.death-benefit' | 'pension.transfer';

/** A material as the system keeps it: its type and the hash of the scan. */
export interface SimMaterial {
  readonly type: string;
  readonly sha256: string;
}

export interface SimCase<D> {
  readonly businessKey: string;
  readonly ref: string;
  readonly service: SimService;
  readonly idNumber: string;
  readonly data: D;
  stage: AgencyStage;
  stageSince: number;
  /** Material supplied after a request for it (补正). */
  supplied: SimMaterial[];
  /** Free flags a system keeps on a case (lifted, superseded, ...). */
  flags: Record<string, string | number | boolean>;
  /**
   * A part of a case with a key of its own (a pension transfer's conversation): its events name
   * the case number `caseId` and the `conversation`, while `businessKey` stays unique.
   */
  readonly caseId?: string;
  readonly conversation?: number;
}

/** 联系函 as the system keeps it. */
export interface SimContactLetter {
  readonly letterNo: string;
  readonly bankName: string;
  readonly accountName: string;
  readonly accountNumber: string;
  /** YYYY-MM-DD. */
  readonly issuedOn: string;
}

/** 信息表 as the system keeps it: amounts in fen (integers), months YYYY-MM. */
export interface SimInformationSheet {
  readonly periods: readonly { readonly from: string; readonly to: string; readonly monthlyBaseFen: number; readonly months: number }[];
  readonly personalAccountBalanceFen: number;
  readonly personalTransferFen: number;
  readonly pooledTransferFen: number;
  readonly totalTransferFen: number;
  /** YYYY-MM-DD. */
  readonly relationEndedOn: string;
  readonly remittanceRef: string;
  /** YYYY-MM-DD. */
  readonly remittedOn: string;
}

export interface SimEvent {
  readonly seq: number;
  readonly businessKey: string;
  readonly ref: string;
  readonly service: SimService;
  readonly stage: AgencyStage;
  readonly at: number;
  readonly reason?: RejectionReason;
  readonly waybill?: string;
  /** YYYY-MM-DD. */
  readonly validUntil?: string;
  /** Amounts in fen (分): integers, so nothing is lost to floating point. */
  readonly amountsFen?: Readonly<Record<string, number>>;
  readonly requestedMaterials?: readonly string[];
  /** The pension transfer conversation the event belongs to. */
  readonly conversation?: number;
  readonly letter?: SimContactLetter;
  readonly sheet?: SimInformationSheet;
}

/** What a stage change carries besides the stage. */
export type SimStep = Omit<SimEvent, 'seq' | 'businessKey' | 'ref' | 'service' | 'at' | 'conversation'>;

export interface SystemOptions {
  readonly province: 'SC' | 'CQ';
  readonly clock: Clock;
  /** How long each stage lasts on the clock. */
  readonly stepMs: number;
  readonly seed: number;
  readonly stateFile?: string;
  /** ID numbers this agency does not insure. */
  readonly notInsured?: readonly string[];
}

interface SystemState<D> {
  version: 2;
  cases: SimCase<D>[];
  events: SimEvent[];
  stats: { requests: number; cases: number; duplicates: number };
  /** How many times a case was created per business key. */
  created: Record<string, number>;
  /** Follow-up request ids already handled (idempotency). */
  followUps: Record<string, string>;
  rng: number;
}

/** A follow-up named a case this system does not have (yet): the caller may try again later. */
export class SimCaseUnknown extends Error {
  constructor(readonly businessKey: string) {
    super(`no case ${businessKey}`);
    this.name = 'SimCaseUnknown';
  }
}

export abstract class AgencySystemSimulator<D> {
  private readonly state: SystemState<D>;
  private readonly byKey = new Map<string, SimCase<D>>();

  /** Ref prefix letter of this system (K card, Y medical, P pension). */
  protected abstract readonly refLetter: string;

  constructor(protected readonly options: SystemOptions) {
    this.state = this.load() ?? {
      version: 2,
      cases: [],
      events: [],
      stats: { requests: 0, cases: 0, duplicates: 0 },
      created: {},
      followUps: {},
      rng: options.seed || 1,
    };
    for (const c of this.state.cases) this.byKey.set(c.businessKey, c);
  }

  get province(): 'SC' | 'CQ' {
    return this.options.province;
  }

  /** The first stage of a new case, decided at once; null keeps it `accepted` without an event (its next step comes on the clock). */
  protected abstract first(c: SimCase<D>, now: number): SimStep | null;
  /** The next stage once the current one has lasted stepMs, or undefined to stay. */
  protected abstract next(c: SimCase<D>, now: number): SimStep | undefined;
  /** The stage the review resumes at once the awaited material came. */
  protected abstract resume(c: SimCase<D>, now: number): SimStep;

  /** Takes a new case; idempotent on the business key (业务协同编号). */
  protected open(
    businessKey: string,
    service: SimService,
    idNumber: string,
    data: D,
    part?: { readonly caseId: string; readonly conversation: number },
  ): { ref: string; duplicate: boolean } {
    this.state.stats.requests += 1;
    const existing = this.byKey.get(businessKey);
    if (existing) {
      this.state.stats.duplicates += 1;
      this.save();
      return { ref: existing.ref, duplicate: true };
    }
    const now = this.options.clock.nowMs();
    const ref = `${this.options.province}${this.refLetter}${String(this.state.stats.cases + 1).padStart(8, '0')}`;
    const c: SimCase<D> = { businessKey, ref, service, idNumber, data, stage: 'accepted', stageSince: now, supplied: [], flags: {}, ...(part ?? {}) };
    this.state.cases.push(c);
    this.byKey.set(businessKey, c);
    this.state.stats.cases += 1;
    this.state.created[businessKey] = (this.state.created[businessKey] ?? 0) + 1;
    const first = this.first(c, now);
    if (first) this.move(c, first, now);
    this.save();
    return { ref, duplicate: false };
  }

  /**
   * 撤回: granted (`withdrawn`) while the agency has not decided, otherwise refused
   * (`withdrawal-refused`, CASE_ALREADY_DECIDED). Idempotent on the request id; a case this
   * system does not have throws SimCaseUnknown.
   */
  withdraw(businessKey: string, requestId: string): { ref: string; duplicate: boolean } {
    const c = this.caseOf(businessKey);
    if (this.state.followUps[requestId]) return { ref: c.ref, duplicate: true };
    const now = this.options.clock.nowMs();
    this.state.followUps[requestId] = 'withdrawal';
    // Undecided stages are the service's own (service-catalogue.ts), so agency and gateway agree.
    if (canWithdraw(c.service, c.stage)) this.move(c, { stage: 'withdrawn' }, now);
    else this.note(c, { stage: 'withdrawal-refused', reason: 'CASE_ALREADY_DECIDED' }, now);
    this.save();
    return { ref: c.ref, duplicate: false };
  }

  /** 补正: resumes a case waiting for material; otherwise nothing happens. Idempotent on the request id. */
  supplement(businessKey: string, requestId: string, materials: readonly SimMaterial[]): { ref: string; duplicate: boolean } {
    const c = this.caseOf(businessKey);
    if (this.state.followUps[requestId]) return { ref: c.ref, duplicate: true };
    const now = this.options.clock.nowMs();
    this.state.followUps[requestId] = 'supplement';
    if (c.stage === 'supplement-requested') {
      c.supplied.push(...materials);
      this.move(c, this.resume(c, now), now);
    }
    this.save();
    return { ref: c.ref, duplicate: false };
  }

  /** Moves every case whose stage has lasted stepMs on one stage. */
  tick(): number {
    const now = this.options.clock.nowMs();
    let moved = 0;
    for (const c of this.state.cases) {
      if (now - c.stageSince < this.options.stepMs) continue;
      const step = this.next(c, now);
      if (!step) continue;
      this.move(c, step, now);
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

  protected cases(): readonly SimCase<D>[] {
    return this.state.cases;
  }

  protected caseOf(businessKey: string): SimCase<D> {
    const c = this.byKey.get(businessKey);
    if (!c) throw new SimCaseUnknown(businessKey);
    return c;
  }

  protected notInsured(idNumber: string): boolean {
    return this.options.notInsured?.includes(idNumber) ?? false;
  }

  /** The Beijing calendar day of an instant, YYYY-MM-DD. */
  protected beijingDay(ms: number): string {
    return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
  }

  /** A seeded generator (mulberry32), so a run is repeatable. */
  protected random(): number {
    let t = (this.state.rng += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Saves a change a subclass made to a case outside a stage move. */
  protected persist(): void {
    this.save();
  }

  /** The case kept under this key, if any. */
  protected find(businessKey: string): SimCase<D> | undefined {
    return this.byKey.get(businessKey);
  }

  /** Moves a case to a stage the system does not publish (a document it received): no event. */
  protected quietly(c: SimCase<D>, stage: AgencyStage, now: number): void {
    c.stage = stage;
    c.stageSince = now;
    this.save();
  }

  protected move(c: SimCase<D>, step: SimStep, now: number): void {
    c.stage = step.stage;
    c.stageSince = now;
    this.note(c, step, now);
  }

  private note(c: SimCase<D>, step: SimStep, at: number): void {
    this.state.events.push({
      seq: this.state.events.length + 1,
      businessKey: c.caseId ?? c.businessKey,
      ref: c.ref,
      service: c.service,
      at,
      ...(c.conversation !== undefined ? { conversation: c.conversation } : {}),
      ...step,
    });
  }

  private load(): SystemState<D> | null {
    const file = this.options.stateFile;
    if (!file || !existsSync(file)) return null;
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SystemState<D>>;
    // A state file of an older simulator version is not read (the simulator starts afresh).
    return parsed.version === 2 ? (parsed as SystemState<D>) : null;
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
