import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, GatewayError, newCaseNumber, shanghaiDay, toShanghaiIso, type NodeCode } from '#core';
import {
  canWithdraw,
  checkServiceRules,
  requestTypeOf,
  serviceDefinition,
  type CaseStage,
  type CaseSupplement,
  type CaseWithdrawal,
  type ForwardedRequest,
  type MaterialRef,
  type PeerMessageType,
  type ServiceRequest,
} from '#contracts';
import type { CaseRecord, GatewayStores } from '#persistence';
import { GatewayDatabase } from '#persistence';
import { handlingRegionOf, routeCase, routeRegion } from '#routing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { viewCase, type CaseView } from '../cases/case-view.js';
import { destinationText, peerDestination } from '../cases/destinations.js';
import { CaseTimeline } from '../cases/case-timeline.js';
import { EnvelopeFactory } from '../cases/envelope-factory.js';
import { ApplicantIndex } from '../cases/applicant-index.js';
import { CaseRecorder } from '../cases/case-recorder.js';
import { PersonalDataSealer } from '../trust/personal-data-sealer.js';
import { CaseClock } from '../cases/case-clock.js';
import { OutboxSignal } from '../runtime/outbox-signal.js';
import { BacklogGauge } from '../delivery/backlog-gauge.js';
import { ShutdownState } from '../runtime/shutdown-state.js';
import type { Principal } from '../auth/credentials.service.js';
import { IntakeLoad } from '../runtime/intake-load.js';
import type { KeepAnswer } from './idempotency.service.js';

/** A request without an Idempotency-Key: nothing is kept. */
const noKey = (): Promise<void> => Promise.resolve();

/** The acceptance receipt (受理回执) a window prints for the applicant. */
export interface AcceptanceReceipt {
  readonly caseId: string;
  readonly service: string;
  readonly kind: string | null;
  readonly acceptedAt: string;
  readonly acceptedBy: { readonly node: string; readonly windowId: string; readonly windowName: string; readonly agency: string | null };
  readonly handledBy: { readonly node: string; readonly agency: string; readonly region: string; readonly regionHistoric: boolean };
  readonly status: string;
}

/** What a window is told when it withdraws a case or supplies material: the request is on its way. */
export interface FollowUpReceipt {
  readonly caseId: string;
  readonly action: 'withdrawal' | 'supplement';
  readonly messageId: string;
  readonly requestedAt: string;
  /** The handling side answers on the case's timeline (`withdrawn` or `withdrawal-refused`; the review resuming). */
  readonly status: 'sent';
}

export interface CaseSummary {
  readonly caseId: string;
  readonly service: string;
  readonly status: string;
  readonly stage: string;
  readonly handlingNode: string;
  readonly acceptedAt: string;
  readonly updatedAt: string;
}

/**
 * Window intake: form check (形式审查) is the DTO; this service routes the case, writes it and its
 * outgoing message in one transaction (the outbox), and lets the relay forward it.
 */
@Injectable()
export class IntakeService {
  private readonly logger = new Logger('Intake');

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: GatewayDatabase,
    private readonly envelopes: EnvelopeFactory,
    private readonly outbox: OutboxSignal,
    private readonly clock: Clock,
    private readonly backlog: BacklogGauge,
    private readonly shutdown: ShutdownState,
    private readonly caseClock: CaseClock,
    private readonly applicants: ApplicantIndex,
    private readonly sealer: PersonalDataSealer,
    private readonly recorder: CaseRecorder,
    private readonly load: IntakeLoad,
    private readonly timeline: CaseTimeline,
  ) {}

  /**
   * Accepts an application (counted by IntakeLoad while it runs, so the relay yields to it).
   * `keep` keeps the receipt for the request's Idempotency-Key, in the case's own transaction.
   */
  submit(window: Principal, request: ServiceRequest, keep: KeepAnswer<AcceptanceReceipt> = noKey): Promise<AcceptanceReceipt> {
    return this.load.during(() => this.accept(window, request, keep));
  }

  private async accept(window: Principal, request: ServiceRequest, keep: KeepAnswer<AcceptanceReceipt>): Promise<AcceptanceReceipt> {
    // 0. Back-pressure: refuse rather than queue without bound.
    this.shutdown.assertAccepting();
    await this.backlog.assertRoom();
    const now = this.clock.nowMs();
    // 1. The service's own rules that span fields or depend on today (形式审查).
    checkServiceRules(request, { today: shanghaiDay(now), deathClaimWindowDays: this.config.deathClaimWindowDays });
    // 2. Route by the case's data (the region the catalogue names), never by the ID number.
    const route = routeCase({ service: request.service, handlingRegion: handlingRegionOf(request) });
    const others = this.routeOtherRegions(request);
    const messageType = requestTypeOf(request.service);
    const definition = serviceDefinition(request.service)!;

    // 3. The forwarded request, its personal fields sealed for every agency that needs them,
    //    signed for the handling node (this node itself for a local case).
    const caseId = newCaseNumber(this.config.node, now);
    const { open, sealed } = await this.sealer.seal(request, [route.agency, ...others.map((o) => o.agency)]);
    const forwarded: ForwardedRequest = {
      caseId,
      service: request.service,
      acceptedAt: toShanghaiIso(now),
      acceptingNode: this.config.node,
      acceptingWindow: { id: window.credentialId, name: window.name, region: window.region },
      route,
      request: open,
      sealed,
    };
    const signed = await this.envelopes.sign(messageType, route.node, caseId, forwarded);
    const receipt: AcceptanceReceipt = {
      caseId,
      service: request.service,
      kind: definition.kindOf(request) ?? null,
      acceptedAt: forwarded.acceptedAt,
      acceptedBy: { node: this.config.node, windowId: window.credentialId, windowName: window.name, agency: window.agency },
      handledBy: { node: route.node, agency: route.agency, region: route.region, regionHistoric: route.regionHistoric },
      status: 'submitted',
    };

    // 4. Case, first timeline entry, outgoing message and the receipt kept for the window's
    //    Idempotency-Key commit together, or not at all: a retry after a crash right after
    //    this commit is answered this receipt, never a second case.
    await this.db.transaction(async (tx) => {
      await this.timeline.open(tx, {
        caseId,
        service: request.service,
        role: 'accepting',
        acceptingNode: this.config.node,
        handlingNode: route.node,
        agency: route.agency,
        windowId: window.credentialId,
        stage: 'submitted',
        status: 'in-progress',
        requestJson: JSON.stringify(forwarded),
        applicantHash: this.applicants.keyOf(definition.subjectIdNumber(request)),
        region: route.region,
        regionHistoric: route.regionHistoric,
        agencyRef: null,
        acceptedAt: now,
        updatedAt: now,
        lastAppliedSeq: 0,
        lastIssuedSeq: 0,
        clockPausedSince: null,
        clockPausedDays: 0,
      }, 'intake');
      await tx.outbox.enqueue({
        messageId: signed.messageId,
        destination: destinationText(peerDestination(route.node, this.config.node)),
        messageType: signed.messageType,
        contractVersion: signed.contractVersion,
        caseId,
        payload: signed.compact,
        nextAttemptAt: now,
        createdAt: now,
      });
      await keep(tx, receipt);
    });
    this.outbox.notify();
    this.logger.log({
      msg: 'application accepted',
      caseNumber: caseId,
      messageId: signed.messageId,
      service: request.service,
      window: window.credentialId,
      handlingNode: route.node,
    });
    return receipt;
  }

  /** Every other region the case will reach (a transfer's transfer-out places), routed: REGION_NOT_SERVED otherwise. */
  private routeOtherRegions(request: ServiceRequest) {
    const definition = serviceDefinition(request.service);
    const others = (definition?.otherRegions)?.(request) ?? [];
    return others.map((other) => routeRegion({ region: other.region, agencyFunction: definition!.agencyFunction, field: other.field }));
  }

  /**
   * Withdraws a case (撤回) the handling side has not decided. The handling side (through its
   * agency) has the last word: the answer comes back on the timeline.
   */
  async withdraw(window: Principal, caseId: string, reason: string, keep: KeepAnswer<FollowUpReceipt> = noKey): Promise<FollowUpReceipt> {
    return this.followUp(window, caseId, 'case.withdrawal', keep, (record, at) => {
      if (!canWithdraw(record.service, record.stage as CaseStage)) {
        throw new GatewayError('CASE_ALREADY_DECIDED', { detail: `the case is at ${record.stage}` });
      }
      const body: CaseWithdrawal = { caseId, requestedAt: at, reason };
      return body;
    });
  }

  /** Sends the supplementary material the handling side asked for (补正). */
  async supplement(
    window: Principal,
    caseId: string,
    materials: readonly MaterialRef[],
    note?: string,
    keep: KeepAnswer<FollowUpReceipt> = noKey,
  ): Promise<FollowUpReceipt> {
    return this.followUp(window, caseId, 'case.supplement', keep, (record, at) => {
      if (record.stage !== 'supplement-requested') {
        throw new GatewayError('CASE_NOT_AWAITING_SUPPLEMENT', { detail: `the case is at ${record.stage}` });
      }
      const body: CaseSupplement = { caseId, suppliedAt: at, materials, ...(note ? { note } : {}) };
      return body;
    });
  }

  /** A follow-up on one of this window's cases, signed for the handling node and sent through the outbox. */
  private async followUp(
    window: Principal,
    caseId: string,
    messageType: Extract<PeerMessageType, 'case.withdrawal' | 'case.supplement'>,
    keep: KeepAnswer<FollowUpReceipt>,
    build: (record: CaseRecord, at: string) => object,
  ): Promise<FollowUpReceipt> {
    this.shutdown.assertAccepting();
    const now = this.clock.nowMs();
    const at = toShanghaiIso(now);
    // The follow-up's message and the receipt kept for its Idempotency-Key commit together.
    const receipt = await this.db.transaction(async (tx) => {
      const record = await tx.cases.getForUpdate(caseId);
      if (!record || !(await this.mayFollow(tx, window, record))) {
        throw new GatewayError('CASE_NOT_FOUND', { detail: 'no case with this number for this window' });
      }
      const messageId = await this.recorder.queueEnvelope(tx, messageType, record.handlingNode as NodeCode, caseId, build(record, at));
      const answer: FollowUpReceipt = { caseId, action: messageType === 'case.withdrawal' ? 'withdrawal' : 'supplement', messageId, requestedAt: at, status: 'sent' };
      await keep(tx, answer);
      return answer;
    });
    this.outbox.notify();
    this.logger.log({ msg: `${messageType} sent`, caseNumber: caseId, messageId: receipt.messageId, window: window.credentialId });
    return receipt;
  }

  /**
   * The cases this window's agency (经办机构) accepted, at this window or another of the same
   * agency, newest first; with an ID number, only that applicant's (matched by hash: the gateway
   * never searches personal data in clear).
   */
  async list(window: Principal, idNumber?: string): Promise<CaseSummary[]> {
    const rows = await this.db.read(async (s) => {
      const windows = new Set(await this.windowsSeenBy(s, window));
      const found = idNumber ? await s.cases.listByApplicant(this.applicants.keyOf(idNumber), 100) : await s.cases.listByWindows([...windows], 100);
      return found.filter((r) => r.windowId !== null && windows.has(r.windowId));
    });
    return rows.map((r) => ({
      caseId: r.caseId,
      service: r.service,
      status: r.status,
      stage: r.stage,
      handlingNode: r.handlingNode,
      acceptedAt: toShanghaiIso(r.acceptedAt),
      updatedAt: toShanghaiIso(r.updatedAt),
    }));
  }

  /** A case as a window of the agency that accepted it sees it. Other agencies' cases are "not found" to it. */
  async view(window: Principal, caseId: string): Promise<CaseView> {
    const found = await this.db.read(async (s) => {
      const record = await s.cases.get(caseId);
      if (!record || !(await this.mayFollow(s, window, record))) return null;
      return { record, events: await s.events.listByCase(caseId) };
    });
    if (!found) throw new GatewayError('CASE_NOT_FOUND', { detail: 'no case with this number for this window' });
    return viewCase(found.record, found.events, this.caseClock);
  }

  /**
   * A window follows (sees, withdraws, supplements) the cases its agency accepted: an applicant
   * may come back to any window of the office where they applied. A window with no agency sees
   * its own cases only.
   */
  private async mayFollow(s: GatewayStores, window: Principal, record: CaseRecord): Promise<boolean> {
    if (record.windowId === null) return false;
    if (record.windowId === window.credentialId) return true;
    return (await this.windowsSeenBy(s, window)).includes(record.windowId);
  }

  private async windowsSeenBy(s: GatewayStores, window: Principal): Promise<string[]> {
    if (window.agency === null) return [window.credentialId];
    const windows = await s.credentials.windowsOfAgency(window.agency);
    return windows.includes(window.credentialId) ? windows : [...windows, window.credentialId];
  }
}
