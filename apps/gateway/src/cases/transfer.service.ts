import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, GatewayError, parseInstant, toShanghaiIso, type NodeCode } from '#core';
import {
  aggregateTransferStage,
  conversationStep,
  TRANSFER_CONVERSATION_STAGES,
  type AgencyStatusAck,
  type AgencyStatusReport,
  type ContactLetter,
  type ConversationState,
  type ForwardedRequest,
  type PensionTransferRequest,
  type TransferContactLetterMessage,
  type TransferConversationStage,
  type TransferInformationSheet,
  type TransferReplyMessage,
} from '#contracts';
import type { CaseRecord, ConversationRecord, ConversationSide, GatewayStores } from '#persistence';
import { checkInformationSheet } from '#pension';
import { routeRegion } from '#routing';
import { NODE_CODE } from '../config/config.token.js';
import { CaseRecorder } from './case-recorder.js';
import { ServiceHookRegistry } from './service-hook-registry.js';

/**
 * The pension transfer conversation (国办发〔2009〕66号), one per transfer-out place, between the
 * transfer-in agency (legs 1 and 3) and a transfer-out agency (leg 2), carried by the nodes:
 *
 * 1. The transfer-in agency issues the contact letter, or refuses; the transfer-in node sends the
 *    letter to the transfer-out place's node (`pension.transfer.contact-letter`).
 * 2. The transfer-out agency answers the information sheet (funds remitted), or refuses; its
 *    node checks that the sheet adds up before sending it (`pension.transfer.reply`). A sheet
 *    that does not is held for operators and never passed on.
 * 3. The transfer-in agency receives the funds and merges the account; the case completes when
 *    every conversation has ended.
 *
 * Each step is a note on the case's timeline carrying `detail.conversation`; the case's stage
 * sums the conversations up (aggregateTransferStage).
 */
@Injectable()
export class TransferService {
  private readonly logger = new Logger('PensionTransfer');

  constructor(
    @Inject(NODE_CODE) private readonly node: NodeCode,
    private readonly recorder: CaseRecorder,
    private readonly clock: Clock,
    hooks: ServiceHookRegistry,
  ) {
    hooks.register('pension.transfer', {
      received: (tx, record, forwarded) => this.start(tx, record, forwarded),
      conversationReport: (tx, report) => this.onAgencyReport(tx, report),
    });
  }

  /** A transfer arrived at its transfer-in node: one conversation per transfer-out place, at leg 1. */
  async start(tx: GatewayStores, record: CaseRecord, forwarded: ForwardedRequest): Promise<void> {
    const request = forwarded.request as PensionTransferRequest;
    const now = this.clock.nowMs();
    for (const [i, place] of request.transferOut.entries()) {
      const out = routeRegion({ region: place.region, agencyFunction: 'pension', field: `transferOut[${i}].region` });
      await tx.conversations.insert({
        caseId: record.caseId,
        conversation: i + 1,
        side: 'in',
        state: 'leg1-review',
        leg: 1,
        legStartedAt: now,
        inNode: this.node,
        inAgency: record.agency,
        outNode: out.node,
        outAgency: out.agency,
        outRegion: out.region,
        placeJson: JSON.stringify(place),
        letterJson: null,
        sheetJson: null,
        problemJson: null,
        lastEventId: null,
        updatedAt: now,
      });
    }
  }

  /** A conversation step the agency reported (transfer-in agency: legs 1 and 3; transfer-out agency: leg 2). */
  async onAgencyReport(tx: GatewayStores, report: AgencyStatusReport & { conversation: number }): Promise<AgencyStatusAck> {
    const step = report.stage as TransferConversationStage;
    const parsed = parseInstant(report.at);
    const at = Number.isNaN(parsed) ? this.clock.nowMs() : parsed;
    if (!(TRANSFER_CONVERSATION_STAGES as readonly string[]).includes(step)) {
      throw new GatewayError('CASE_TRANSITION_INVALID', { detail: `${report.stage} is not a pension transfer step` });
    }
    const row = await this.reportedSide(tx, report, step);
    if (!row) throw new GatewayError('STATUS_NOT_ALLOWED', { detail: 'no conversation of this case with this agency here' });
    // The pump repeats at most its last report after a crash: answer it as a duplicate.
    if (row.lastEventId === report.eventId) return { eventId: report.eventId, duplicate: true };
    if (row.side === 'in') await this.inStep(tx, row, step, at, report);
    else await this.outStep(tx, row, step, at, report);
    return { eventId: report.eventId, duplicate: false };
  }

  /**
   * The side a step belongs to. The transfer-out agency issues the sheet and refuses at leg 2;
   * the transfer-in agency does the rest. Within one province one agency may be both sides.
   */
  private async reportedSide(tx: GatewayStores, report: AgencyStatusReport & { conversation: number }, step: TransferConversationStage) {
    const inRow = await tx.conversations.get(report.caseId, report.conversation, 'in');
    const outRow = await tx.conversations.get(report.caseId, report.conversation, 'out');
    const mine = (row: ConversationRecord | null, side: ConversationSide) =>
      row && (side === 'in' ? row.inAgency : row.outAgency) === report.agency ? row : null;
    if (step === 'information-sheet-issued') return mine(outRow, 'out');
    if (step === 'transfer-refused') return mine(inRow?.state === 'leg1-review' ? inRow : null, 'in') ?? mine(outRow, 'out');
    return mine(inRow, 'in');
  }

  /** Leg 2 begins at the transfer-out node: keep the conversation and hand the letter to the agency. */
  async onContactLetter(tx: GatewayStores, sender: NodeCode, letter: TransferContactLetterMessage): Promise<void> {
    if (letter.transferIn.node !== sender || letter.transferOut.agency !== `${this.node}.pension`) {
      throw new GatewayError('CONTRACT_INVALID', { detail: 'the contact letter is not from its transfer-in node or not for this node' });
    }
    if (await tx.conversations.get(letter.caseId, letter.conversation, 'out')) {
      throw new GatewayError('ENVELOPE_CONFLICT', { detail: 'this conversation already has a contact letter here' });
    }
    const now = this.clock.nowMs();
    const { agency, ...place } = letter.transferOut;
    await tx.conversations.insert({
      caseId: letter.caseId,
      conversation: letter.conversation,
      side: 'out',
      state: 'letter-received',
      leg: 2,
      legStartedAt: now,
      inNode: letter.transferIn.node,
      inAgency: letter.transferIn.agency,
      outNode: this.node,
      outAgency: agency,
      outRegion: place.region,
      placeJson: JSON.stringify(place),
      letterJson: JSON.stringify(letter.letter),
      sheetJson: null,
      problemJson: null,
      lastEventId: null,
      updatedAt: now,
    });
    await this.recorder.queueAgencyDelivery(tx, agency, letter.caseId, 'pension.transfer.contact-letter', { contactLetter: letter });
  }

  /** Leg 3 begins at the transfer-in node: the sheet (checked again) or the refusal comes back. */
  async onReply(tx: GatewayStores, sender: NodeCode, reply: TransferReplyMessage): Promise<void> {
    const row = await tx.conversations.get(reply.caseId, reply.conversation, 'in');
    const record = await tx.cases.getForUpdate(reply.caseId);
    if (!row || !record || row.outNode !== sender) {
      throw new GatewayError('STATUS_NOT_ALLOWED', { detail: 'the sender does not hold this conversation' });
    }
    const at = this.clock.nowMs();
    const sourceId = `reply:${reply.caseId}:${reply.conversation}`;
    if (reply.outcome === 'refused') {
      if (!reply.reason) throw new GatewayError('CONTRACT_INVALID', { detail: 'a refusal carries its reason' });
      await this.advanceIn(tx, record, row, 'transfer-refused', at, sourceId, { reason: reply.reason, leg: 2 });
      return;
    }
    if (!reply.sheet) throw new GatewayError('CONTRACT_INVALID', { detail: 'an information sheet reply carries the sheet' });
    // Defence in depth: the transfer-out node checked the sums; a sheet that does not add up is
    // refused here too (the sender then holds it as a dead letter for its operators).
    const problems = checkInformationSheet(reply.sheet);
    if (problems.length > 0) {
      throw new GatewayError('CONTRACT_INVALID', { detail: `the information sheet does not add up: ${problems.map((p) => p.code).join(', ')}` });
    }
    await this.advanceIn(tx, record, { ...row, sheetJson: JSON.stringify(reply.sheet) }, 'information-sheet-received', at, sourceId, {
      amounts: sheetAmounts(reply.sheet),
    });
    await this.recorder.queueAgencyDelivery(tx, row.inAgency, reply.caseId, 'pension.transfer.reply', { reply });
  }

  private async inStep(tx: GatewayStores, row: ConversationRecord, step: TransferConversationStage, at: number, report: AgencyStatusReport): Promise<void> {
    const record = await tx.cases.getForUpdate(row.caseId);
    if (!record) throw new GatewayError('STATUS_NOT_ALLOWED', { detail: 'no such case here' });
    const sourceId = `agency:${report.eventId}`;
    if (step === 'contact-letter-issued') {
      const letter = report.document?.contactLetter;
      if (!letter) throw new GatewayError('CONTRACT_INVALID', { detail: 'a contact letter step carries the letter' });
      await this.advanceIn(tx, record, { ...row, letterJson: JSON.stringify(letter), lastEventId: report.eventId }, step, at, sourceId, {});
      await this.sendLetter(tx, record, row, letter);
      return;
    }
    if (step === 'transfer-refused' && !report.reason) throw new GatewayError('CONTRACT_INVALID', { detail: 'a refusal carries its reason' });
    await this.advanceIn(tx, record, { ...row, lastEventId: report.eventId }, step, at, sourceId, {
      ...(report.reason ? { reason: report.reason, leg: row.leg } : {}),
      ...(report.detail?.amounts ? { amounts: report.detail.amounts } : {}),
    });
  }

  private async outStep(tx: GatewayStores, row: ConversationRecord, step: TransferConversationStage, at: number, report: AgencyStatusReport): Promise<void> {
    let reply: TransferReplyMessage;
    if (step === 'information-sheet-issued') {
      const sheet = report.document?.informationSheet;
      if (!sheet) throw new GatewayError('CONTRACT_INVALID', { detail: 'an information sheet step carries the sheet' });
      // 5. Money is checked before it is passed on: never silently.
      const problems = checkInformationSheet(sheet);
      if (problems.length > 0) {
        const held = conversationStep('out', row.state as ConversationState, 'information-sheet-invalid');
        await tx.conversations.update(row.caseId, row.conversation, 'out', {
          state: held.state,
          sheetJson: JSON.stringify(sheet),
          problemJson: JSON.stringify({ code: 'SHEET_INVALID', problems }),
          lastEventId: report.eventId,
          updatedAt: this.clock.nowMs(),
        });
        this.logger.warn({ msg: 'information sheet held: it does not add up', caseNumber: row.caseId, conversation: row.conversation, codes: problems.map((p) => p.code) });
        return;
      }
      reply = { caseId: row.caseId, conversation: row.conversation, outcome: 'information-sheet', at: toShanghaiIso(at), sheet };
      await this.moveOut(row, step, report.eventId, tx, { sheetJson: JSON.stringify(sheet), problemJson: null });
    } else if (step === 'transfer-refused') {
      if (!report.reason) throw new GatewayError('CONTRACT_INVALID', { detail: 'a refusal carries its reason' });
      reply = { caseId: row.caseId, conversation: row.conversation, outcome: 'refused', at: toShanghaiIso(at), reason: report.reason };
      await this.moveOut(row, step, report.eventId, tx, { problemJson: JSON.stringify({ code: report.reason.code }) });
    } else {
      throw new GatewayError('CASE_TRANSITION_INVALID', { detail: `a transfer-out agency does not report ${step}` });
    }
    await this.recorder.queueEnvelope(tx, 'pension.transfer.reply', row.inNode as NodeCode, row.caseId, reply);
  }

  private async moveOut(row: ConversationRecord, step: TransferConversationStage, eventId: string, tx: GatewayStores, changes: Partial<ConversationRecord>): Promise<void> {
    const next = conversationStep('out', row.state as ConversationState, step);
    await tx.conversations.update(row.caseId, row.conversation, 'out', {
      ...changes,
      state: next.state,
      leg: next.leg,
      lastEventId: eventId,
      updatedAt: this.clock.nowMs(),
    });
  }

  /**
   * One step on the transfer-in side: the conversation moves (its leg clock restarting when the
   * leg changes), the step goes on the case's timeline, and the case's stage follows the sum of
   * its conversations.
   */
  private async advanceIn(
    tx: GatewayStores,
    record: CaseRecord,
    row: ConversationRecord,
    step: TransferConversationStage,
    at: number,
    sourceId: string,
    extra: { reason?: { code: string; message: string }; leg?: number; amounts?: Readonly<Record<string, string>> },
  ): Promise<void> {
    const next = conversationStep('in', row.state as ConversationState, step);
    const now = this.clock.nowMs();
    await tx.conversations.update(row.caseId, row.conversation, 'in', {
      state: next.state,
      leg: next.leg,
      legStartedAt: next.leg !== row.leg ? now : row.legStartedAt,
      letterJson: row.letterJson,
      sheetJson: row.sheetJson,
      lastEventId: row.lastEventId,
      ...(extra.reason ? { problemJson: JSON.stringify({ code: extra.reason.code, leg: extra.leg }) } : {}),
      updatedAt: now,
    });
    const current = await this.recorder.record(tx, record, {
      stage: step,
      at,
      sourceId,
      reason: extra.reason,
      detail: { conversation: row.conversation, ...(extra.amounts ? { amounts: extra.amounts } : {}) },
    });
    const states = (await tx.conversations.listByCase(row.caseId)).filter((c) => c.side === 'in').map((c) => c.state as ConversationState);
    const stage = aggregateTransferStage(states);
    if (stage !== current.stage && current.status === 'in-progress') {
      await this.recorder.record(tx, current, { stage, at, sourceId: `${sourceId}:${stage}` });
    }
  }

  private async sendLetter(tx: GatewayStores, record: CaseRecord, row: ConversationRecord, letter: ContactLetter): Promise<void> {
    const forwarded = JSON.parse(record.requestJson) as ForwardedRequest;
    const request = forwarded.request as PensionTransferRequest;
    const body: TransferContactLetterMessage = {
      caseId: record.caseId,
      conversation: row.conversation,
      transferIn: { node: this.node, agency: row.inAgency as TransferContactLetterMessage['transferIn']['agency'], region: record.region },
      transferOut: { ...(JSON.parse(row.placeJson) as PensionTransferRequest['transferOut'][number]), agency: row.outAgency as TransferContactLetterMessage['transferIn']['agency'] },
      // The applicant travels sealed for the transfer-out agency (version 2 requests), or in clear
      // when the accepting node sent a version 1 request.
      ...(forwarded.sealed?.[row.outAgency] ? { sealed: forwarded.sealed[row.outAgency] } : { applicant: request.applicant }),
      insuranceType: request.insuranceType,
      letter,
    };
    await this.recorder.queueEnvelope(tx, 'pension.transfer.contact-letter', row.outNode as NodeCode, record.caseId, body);
  }
}

/** The transfer's totals as the timeline shows them (exact decimal strings of yuan). */
function sheetAmounts(sheet: TransferInformationSheet): Record<string, string> {
  return { personalTransfer: sheet.personalTransfer, pooledTransfer: sheet.pooledTransfer, totalTransfer: sheet.totalTransfer };
}

