import type { Clock } from '#core';
import { canWithdraw, type AgencyStage, type RejectionReason } from '#contracts';
import { StateJournal } from './state-journal.js';

/**
 * SIMULATOR — the engine shared by the stand-in agency systems (card centre, medical insurance,
 * pension office), for demos and tests only. Real agencies run their own systems. Each system
 * keeps a neutral internal model (canonical stage names and reason codes); each province's HTTP
 * controller speaks that province's own vocabulary, which the adapters translate.
 *
 * What every system does the same way:
 * - a new case is idempotent on the business key (业务协同编号) and counted per key, so a
 *   repeated agency action shows as a count of 2; with `idempotent: false` (SIM_IDEMPOTENT=false)
 *   a system plays an agency that is not: a repeated create is a second case, with a reference of
 *   its own, counted in `created` and in `stats.repeats` (it is not processed further, so the
 *   feed stays the first case's story);
 * - a case can be looked up by its business key (`lookUp`), which is how an adapter asks whether
 *   a hand-over in doubt reached the system;
 * - follow-ups (withdrawal, supplement) are idempotent on the request id;
 * - stages advance on the injected clock: `tick()` moves every case whose stage has lasted
 *   `stepMs` by one stage;
 * - every stage is an event in the system's own feed; each change is appended to the state's
 *   journal before it is answered (state-journal.ts), so a kill -9 loses nothing acknowledged.
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
  // Read-only outside the base class: every change goes through it (move, quietly, setFlag), so
  // that it reaches the journal.
  readonly stage: AgencyStage;
  readonly stageSince: number;
  /** Material supplied after a request for it (补正). */
  readonly supplied: readonly SimMaterial[];
  /** Free flags a system keeps on a case (lifted, superseded, ...); set with `setFlag`. */
  readonly flags: Readonly<Record<string, SimFlag>>;
  /**
   * A part of a case with a key of its own (a pension transfer's conversation): its events name
   * the case number `caseId` and the `conversation`, while `businessKey` stays unique.
   */
  readonly caseId?: string;
  readonly conversation?: number;
}

export type SimFlag = string | number | boolean;

/** The system a reference letter stands for, as the agencies are named (`SC.card`). */
const SYSTEM_OF_REF_LETTER: Readonly<Record<string, string>> = { K: 'card', Y: 'medical', P: 'pension' };

/** A case as the base class changes it. */
type WritableCase<D> = { -readonly [K in keyof SimCase<D>]: SimCase<D>[K] } & { supplied: SimMaterial[]; flags: Record<string, SimFlag> };

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
  /** False plays an agency that is not idempotent: a repeated create is a second case (SIM_IDEMPOTENT). */
  readonly idempotent?: boolean;
  /** Where the system's decisions are logged, one JSON object per line (the process's JSON logger). */
  readonly log?: SimLog;
}

/** The part of the JSON logger a system uses: a line about a case names its case number, never personal data. */
export interface SimLog {
  info(line: { msg: string; caseNumber?: string } & Record<string, unknown>): void;
  warn(line: { msg: string; caseNumber?: string } & Record<string, unknown>): void;
}

/** Requests, cases and duplicates (repeats answered as the same case), and repeats taken as a second case by a system that is not idempotent. */
export interface SystemStats {
  requests: number;
  cases: number;
  duplicates: number;
  repeats: number;
}

export interface SystemState<D> {
  version: 2;
  cases: SimCase<D>[];
  events: SimEvent[];
  stats: SystemStats;
  /** How many times a case was created per business key. */
  created: Record<string, number>;
  /** Follow-up request ids already handled (idempotency). */
  followUps: Record<string, string>;
  rng: number;
}

/**
 * One journal line: what one operation changed. Cases are written whole (upserted by business
 * key), events are appended by seq, the rest are absolute values: replaying a line twice gives
 * the same state.
 */
interface SystemChange<D> {
  readonly cases?: readonly SimCase<D>[];
  readonly events?: readonly SimEvent[];
  readonly created?: Readonly<Record<string, number>>;
  readonly followUps?: Readonly<Record<string, string>>;
  readonly stats: SystemState<D>['stats'];
  readonly rng: number;
}

function emptyState<D>(seed: number): SystemState<D> {
  return { version: 2, cases: [], events: [], stats: { requests: 0, cases: 0, duplicates: 0, repeats: 0 }, created: {}, followUps: {}, rng: seed || 1 };
}

/**
 * A system's state as its files hold it: the snapshot with every journaled change replayed.
 * Null when there is none (or the snapshot is of an older simulator version).
 *
 * @example readSystemState('data/agency-simulator.json')?.created['CQ-20261123-7K3F9ZQ2M8'] // 1
 */
export function readSystemState<D = unknown>(file: string, seed = 1): SystemState<D> | null {
  const { snapshot, changes } = StateJournal.read(file);
  const parsed = snapshot as Partial<SystemState<D>> | null;
  // A state file of an older simulator version is not read (the simulator starts afresh).
  if (parsed !== null && parsed.version !== 2) return null;
  if (parsed === null && changes.length === 0) return null;
  const state = parsed === null ? emptyState<D>(seed) : (parsed as SystemState<D>);
  const byKey = new Map(state.cases.map((c) => [c.businessKey, c]));
  for (const change of changes as SystemChange<D>[]) {
    for (const c of change.cases ?? []) {
      const existing = byKey.get(c.businessKey);
      if (existing) Object.assign(existing, c);
      else {
        state.cases.push(c);
        byKey.set(c.businessKey, c);
      }
    }
    for (const event of change.events ?? []) {
      if (event.seq === state.events.length + 1) state.events.push(event);
    }
    Object.assign(state.created, change.created ?? {});
    Object.assign(state.followUps, change.followUps ?? {});
    state.stats = change.stats;
    state.rng = change.rng;
  }
  // A state written before repeats were counted had none.
  state.stats.repeats ??= 0;
  return state;
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
  private readonly journal: StateJournal | null;
  /** What changed since the last journal line. */
  private readonly changedCases = new Set<SimCase<D>>();
  private readonly changedCreated = new Set<string>();
  private readonly changedFollowUps = new Set<string>();
  private journaledEvents: number;

  /** Ref prefix letter of this system (K card, Y medical, P pension). */
  protected abstract readonly refLetter: string;

  constructor(protected readonly options: SystemOptions) {
    const file = options.stateFile;
    this.state = (file ? readSystemState<D>(file, options.seed) : null) ?? emptyState<D>(options.seed);
    for (const c of this.state.cases) this.byKey.set(c.businessKey, c);
    this.journaledEvents = this.state.events.length;
    this.journal = file ? StateJournal.open(file) : null;
    // Start from one snapshot and an empty journal (this also drops a line a crash cut short).
    this.journal?.compact(this.state);
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
    if (existing && this.options.idempotent !== false) {
      this.state.stats.duplicates += 1;
      this.save();
      this.log('info', { msg: 'repeated case answered as the same case', caseNumber: businessKey, ref: existing.ref });
      return { ref: existing.ref, duplicate: true };
    }
    const now = this.options.clock.nowMs();
    const ref = `${this.options.province}${this.refLetter}${String(this.state.stats.cases + 1).padStart(8, '0')}`;
    if (existing) {
      // Not idempotent: the repeat is a second case of its own (counted, never processed).
      this.state.stats.cases += 1;
      this.state.stats.repeats += 1;
      this.state.created[businessKey] = (this.state.created[businessKey] ?? 0) + 1;
      this.changedCreated.add(businessKey);
      this.save();
      this.log('warn', { msg: 'repeated case taken as a second case', caseNumber: businessKey, ref, firstRef: existing.ref });
      return { ref, duplicate: false };
    }
    const c: SimCase<D> = { businessKey, ref, service, idNumber, data, stage: 'accepted', stageSince: now, supplied: [], flags: {}, ...(part ?? {}) };
    this.state.cases.push(c);
    this.byKey.set(businessKey, c);
    this.changedCases.add(c);
    this.state.stats.cases += 1;
    this.state.created[businessKey] = (this.state.created[businessKey] ?? 0) + 1;
    this.changedCreated.add(businessKey);
    const first = this.first(c, now);
    if (first) this.move(c, first, now);
    this.save();
    this.log('info', { msg: 'case opened', caseNumber: c.caseId ?? businessKey, ...(c.conversation !== undefined ? { conversation: c.conversation } : {}), ref, service });
    return { ref, duplicate: false };
  }

  /** The reference of the case kept under this business key, if the system has it (业务查询). */
  lookUp(businessKey: string): { ref: string } | undefined {
    const c = this.byKey.get(businessKey);
    this.log('info', { msg: c ? 'case looked up: found' : 'case looked up: not found', caseNumber: businessKey });
    return c ? { ref: c.ref } : undefined;
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
    this.changedFollowUps.add(requestId);
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
    this.changedFollowUps.add(requestId);
    if (c.stage === 'supplement-requested') {
      this.writable(c).supplied.push(...materials);
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
    // Events are numbered from 1 in order: event `seq` sits at index seq - 1.
    const from = Math.max(0, Math.floor(seq));
    return this.state.events.slice(from, from + Math.max(0, limit));
  }

  stats(): SystemStats {
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

  /** Sets a flag on a case (any case, not only the one being moved); saved with the operation. */
  protected setFlag(c: SimCase<D>, name: string, value: SimFlag): void {
    this.writable(c).flags[name] = value;
  }

  /** The case kept under this key, if any. */
  protected find(businessKey: string): SimCase<D> | undefined {
    return this.byKey.get(businessKey);
  }

  /** Moves a case to a stage the system does not publish (a document it received): no event. */
  protected quietly(c: SimCase<D>, stage: AgencyStage, now: number): void {
    const w = this.writable(c);
    w.stage = stage;
    w.stageSince = now;
    this.save();
  }

  protected move(c: SimCase<D>, step: SimStep, now: number): void {
    const w = this.writable(c);
    w.stage = step.stage;
    w.stageSince = now;
    this.note(c, step, now);
  }

  /** One decision as one JSON line, with the system that took it. */
  protected log(level: 'info' | 'warn', line: { msg: string; caseNumber?: string } & Record<string, unknown>): void {
    this.options.log?.[level]({ system: `${this.options.province}.${SYSTEM_OF_REF_LETTER[this.refLetter] ?? this.refLetter}`, ...line });
  }

  /** The one way to change a case: it is then journaled with the operation. */
  private writable(c: SimCase<D>): WritableCase<D> {
    this.changedCases.add(c);
    return c as WritableCase<D>;
  }

  private note(c: SimCase<D>, step: SimStep, at: number): void {
    this.log('info', {
      msg: 'stage',
      caseNumber: c.caseId ?? c.businessKey,
      ...(c.conversation !== undefined ? { conversation: c.conversation } : {}),
      stage: step.stage,
      ...(step.reason ? { reason: step.reason } : {}),
    });
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

  /**
   * Journals what the operation changed (one appended line), and compacts once the journal has
   * outgrown the snapshot.
   */
  private save(): void {
    if (!this.journal) {
      this.changedCases.clear();
      this.changedCreated.clear();
      this.changedFollowUps.clear();
      return;
    }
    const pick = <T>(keys: Set<string>, from: Record<string, T>) => Object.fromEntries([...keys].map((k) => [k, from[k]]));
    const change: SystemChange<D> = {
      ...(this.changedCases.size > 0 ? { cases: [...this.changedCases] } : {}),
      ...(this.state.events.length > this.journaledEvents ? { events: this.state.events.slice(this.journaledEvents) } : {}),
      ...(this.changedCreated.size > 0 ? { created: pick(this.changedCreated, this.state.created) } : {}),
      ...(this.changedFollowUps.size > 0 ? { followUps: pick(this.changedFollowUps, this.state.followUps) } : {}),
      stats: this.state.stats,
      rng: this.state.rng,
    };
    this.journal.append(change);
    this.changedCases.clear();
    this.changedCreated.clear();
    this.changedFollowUps.clear();
    this.journaledEvents = this.state.events.length;
    if (this.journal.shouldCompact) this.journal.compact(this.state);
  }

  /** Closes the journal (the state stays as journaled). */
  close(): void {
    this.journal?.close();
  }
}
