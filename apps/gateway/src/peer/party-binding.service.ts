import { Inject, Injectable } from '@nestjs/common';
import { caseNumberNode, GatewayError, type NodeCode } from '#core';
import {
  isRequestMessageType,
  type CaseSupplement,
  type CaseWithdrawal,
  type ForwardedRequest,
  type PeerMessageType,
  type StatusUpdate,
  type TransferContactLetterMessage,
  type TransferReplyMessage,
} from '#contracts';
import type { GatewayStores } from '#persistence';
import { NODE_CODE } from '../config/config.token.js';
import { FederationHolder } from '../trust/federation-holder.js';

/**
 * Binds every peer message to the parties of its case, so that a node speaks only for its own
 * part of a case (issue 14):
 *
 * - a request (case creation), a withdrawal or a supplement comes only from the accepting node,
 *   which is the node its case number names (`SC-…` is Sichuan's, whoever signs);
 * - a status update comes only from the case's handling node, to its accepting node;
 * - a transfer contact letter comes only from the case's transfer-in (handling) node, and a reply
 *   only from the transfer-out node of that conversation;
 * - a route (a request's, a contact letter's) names the receiver and one of the receiver's own
 *   agencies as the federation lists them.
 *
 * A valid signature proves who sent a message, not that the sender may speak for this case:
 * without these checks a peer could reuse the number of a case accepted here and take it over.
 * Everything is refused before the inbox stores the message, with CASE_PARTY_MISMATCH or
 * ROUTE_NOT_RECEIVER.
 */
@Injectable()
export class PartyBinding {
  constructor(
    @Inject(NODE_CODE) private readonly node: NodeCode,
    private readonly federation: FederationHolder,
  ) {}

  /**
   * What the envelope and its body decide alone: the case number's node, the parties the body
   * names, and the route. Called before the access rules and before any transaction.
   */
  checkAddress(sender: NodeCode, type: PeerMessageType, body: object): void {
    if (isRequestMessageType(type)) {
      const request = body as ForwardedRequest;
      if (request.route.node !== this.node) throw routeNotReceiver('route.node', 'the route names another node');
      if (!this.isOwnAgency(request.route.agency)) throw routeNotReceiver('route.agency', 'the route names an agency that is not the receiver’s');
      // Only the node the case number names may create the case, and it says so in the body.
      if (caseNumberNode(request.caseId) !== sender) throw partyMismatch('caseId', 'the case number names another accepting node than the sender');
      if (request.acceptingNode !== sender) throw partyMismatch('acceptingNode', 'the request names another accepting node than the sender');
    } else if (type === 'status-update') {
      // Status updates go to the accepting node, which is the one its case number names.
      if (caseNumberNode((body as StatusUpdate).caseId) !== this.node) throw partyMismatch('caseId', 'this node did not accept the case');
    } else if (type === 'case.withdrawal' || type === 'case.supplement') {
      if (caseNumberNode((body as CaseWithdrawal | CaseSupplement).caseId) !== sender) throw partyMismatch('caseId', 'the case number names another accepting node than the sender');
    } else if (type === 'pension.transfer.contact-letter') {
      const letter = body as TransferContactLetterMessage;
      if (letter.transferIn.node !== sender) throw partyMismatch('transferIn.node', 'the letter names another transfer-in node than the sender');
      if (!this.isOwnAgency(letter.transferOut.agency)) throw routeNotReceiver('transferOut.agency', 'the letter names an agency that is not the receiver’s');
    }
    // A transfer reply names no party of its own: its conversation is checked in `checkCase`.
  }

  /**
   * The sender against the case as this node holds it, in the caller's transaction and before
   * the inbox row is written. A repeat of a message already taken passes as it did the first time
   * (the parties of a case never change), so it still gets its original receipt.
   */
  async checkCase(tx: GatewayStores, sender: NodeCode, type: PeerMessageType, body: object): Promise<void> {
    if (isRequestMessageType(type)) {
      const existing = await tx.cases.getForUpdate((body as ForwardedRequest).caseId);
      // A case here already has its accepting node; for a case accepted at this node's windows
      // that is this node, so no peer may hand it over (the take-over of issue 14).
      if (existing && existing.acceptingNode !== sender) throw partyMismatch('caseId', 'the case exists here with another accepting node');
    } else if (type === 'status-update') {
      const record = await tx.cases.getForUpdate((body as StatusUpdate).caseId);
      if (!record || record.role !== 'accepting' || record.handlingNode !== sender) throw partyMismatch('caseId', 'the sender does not handle this case for this node');
    } else if (type === 'case.withdrawal' || type === 'case.supplement') {
      const record = await tx.cases.getForUpdate((body as CaseWithdrawal | CaseSupplement).caseId);
      if (!record || record.role === 'accepting' || record.acceptingNode !== sender) throw partyMismatch('caseId', 'the sender did not forward this case here');
    } else if (type === 'pension.transfer.contact-letter') {
      const caseId = (body as TransferContactLetterMessage).caseId;
      const record = await tx.cases.get(caseId);
      // The transfer-in node is the case's handling node. A case this node does not hold is not
      // one it accepted either: the accepting node holds every case its number names.
      if (record ? record.handlingNode !== sender : caseNumberNode(caseId) === this.node) {
        throw partyMismatch('caseId', 'the sender does not handle this case');
      }
    } else if (type === 'pension.transfer.reply') {
      const reply = body as TransferReplyMessage;
      const record = await tx.cases.getForUpdate(reply.caseId);
      const row = await tx.conversations.get(reply.caseId, reply.conversation, 'in');
      if (!record || record.handlingNode !== this.node || row?.outNode !== sender) {
        throw partyMismatch('conversation', 'the sender does not hold this conversation of a case handled here');
      }
    } else {
      // Deny by default: a message type added without its parties is refused, not let through.
      throw new GatewayError('CONTRACT_UNKNOWN', { detail: 'no party binding for this message type' });
    }
  }

  private isOwnAgency(agency: string): boolean {
    const self = this.federation.current.nodes.find((n) => n.node === this.node);
    return (self?.agencies ?? []).some((a) => a.code === agency);
  }
}

function partyMismatch(field: string, message: string): GatewayError {
  return GatewayError.field('CASE_PARTY_MISMATCH', field, message);
}

function routeNotReceiver(field: string, message: string): GatewayError {
  return GatewayError.field('ROUTE_NOT_RECEIVER', field, message);
}
