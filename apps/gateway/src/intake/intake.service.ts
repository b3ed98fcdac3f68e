import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, GatewayError, newCaseNumber, toShanghaiIso } from '#core';
import { requestTypeOf, type ForwardedRequest, type SscApplyRequest } from '#contracts';
import { GatewayDatabase } from '#persistence';
import { handlingRegionOf, routeCase } from '#routing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { toCaseView, type CaseView } from '../cases/case-view.js';
import { peerDestination } from '../cases/destinations.js';
import { EnvelopeFactory } from '../cases/envelope-factory.js';
import { applicantHash } from '../cases/handling.service.js';
import { CaseClock } from '../cases/case-clock.js';
import { OutboxSignal } from '../delivery/outbox-signal.js';
import { BacklogGauge } from '../delivery/backlog-gauge.js';
import { ShutdownState } from '../delivery/shutdown-state.js';
import type { Principal } from './credentials.service.js';

/** The acceptance receipt (受理回执) a window prints for the applicant. */
export interface AcceptanceReceipt {
  readonly caseId: string;
  readonly service: string;
  readonly kind: string;
  readonly acceptedAt: string;
  readonly acceptedBy: { readonly node: string; readonly windowId: string; readonly windowName: string; readonly agency: string | null };
  readonly handledBy: { readonly node: string; readonly agency: string; readonly region: string; readonly regionHistoric: boolean };
  readonly status: string;
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
  ) {}

  async submit(window: Principal, request: SscApplyRequest): Promise<AcceptanceReceipt> {
    // 0. Back-pressure: refuse rather than queue without bound.
    this.shutdown.assertAccepting();
    await this.backlog.assertRoom();
    const now = this.clock.nowMs();
    // 1. Route by the case's data (the card-issuing region), never by the ID number.
    const route = routeCase({ service: request.service, handlingRegion: handlingRegionOf(request) });
    const messageType = requestTypeOf(request.service);
    if (!messageType) throw GatewayError.field('SERVICE_UNKNOWN', 'service', 'no contract for this service');

    // 2. The forwarded request, signed for the handling node (this node itself for a local case).
    const caseId = newCaseNumber(this.config.node, now);
    const forwarded: ForwardedRequest = {
      caseId,
      service: request.service,
      acceptedAt: toShanghaiIso(now),
      acceptingNode: this.config.node,
      acceptingWindow: { id: window.credentialId, name: window.name, region: window.region },
      route,
      request,
    };
    const signed = await this.envelopes.sign(messageType, route.node, caseId, forwarded);

    // 3. Case, first timeline entry and outgoing message commit together, or not at all.
    await this.db.transaction(async (tx) => {
      await tx.cases.insert({
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
        applicantHash: applicantHash(request.applicant.idNumber),
        region: route.region,
        regionHistoric: route.regionHistoric,
        agencyRef: null,
        acceptedAt: now,
        updatedAt: now,
        lastAppliedSeq: 0,
        lastIssuedSeq: 0,
      });
      await tx.events.insertOnce({
        caseId,
        stage: 'submitted',
        at: now,
        side: this.config.node,
        seq: null,
        reasonCode: null,
        reasonMessage: null,
        detailJson: null,
        sourceId: 'intake',
        recordedAt: now,
      });
      await tx.outbox.enqueue({
        messageId: signed.messageId,
        destination: peerDestination(route.node, this.config.node),
        messageType: signed.messageType,
        contractVersion: signed.contractVersion,
        caseId,
        payload: signed.compact,
        nextAttemptAt: now,
        createdAt: now,
      });
    });
    this.outbox.notify();
    this.logger.log({
      msg: 'application accepted',
      caseId,
      messageId: signed.messageId,
      service: request.service,
      window: window.credentialId,
      handlingNode: route.node,
    });

    return {
      caseId,
      service: request.service,
      kind: request.kind,
      acceptedAt: forwarded.acceptedAt,
      acceptedBy: { node: this.config.node, windowId: window.credentialId, windowName: window.name, agency: window.agency },
      handledBy: { node: route.node, agency: route.agency, region: route.region, regionHistoric: route.regionHistoric },
      status: 'submitted',
    };
  }

  /**
   * The window's own cases, newest first; with an ID number, only that applicant's (matched by
   * hash: the gateway never searches personal data in clear).
   */
  async list(window: Principal, idNumber?: string): Promise<CaseSummary[]> {
    const rows = await this.db.read((s) =>
      idNumber ? s.cases.listByApplicant(applicantHash(idNumber), 100) : s.cases.listByWindow(window.credentialId, 100),
    );
    return rows
      .filter((r) => r.windowId === window.credentialId)
      .map((r) => ({
        caseId: r.caseId,
        service: r.service,
        status: r.status,
        stage: r.stage,
        handlingNode: r.handlingNode,
        acceptedAt: toShanghaiIso(r.acceptedAt),
        updatedAt: toShanghaiIso(r.updatedAt),
      }));
  }

  /** A case as its accepting window sees it. Other windows' cases are "not found" to it. */
  async view(window: Principal, caseId: string): Promise<CaseView> {
    const found = await this.db.read(async (s) => {
      const record = await s.cases.get(caseId);
      if (!record || record.windowId !== window.credentialId) return null;
      return { record, events: await s.events.listByCase(caseId) };
    });
    if (!found) throw new GatewayError('CASE_NOT_FOUND', { detail: 'no case with this number for this window' });
    return toCaseView(found.record, found.events, this.caseClock.of(found.record.service, found.record.acceptedAt));
  }
}
