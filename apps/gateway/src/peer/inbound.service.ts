import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, GatewayError, newMessageId } from '#core';
import {
  isPeerMessageType,
  isRequestMessageType,
  PEER_MESSAGE_TYPES,
  recipientOf,
  type PeerMessageType,
  validateContract,
  type CaseSupplement,
  type CaseWithdrawal,
  type ForwardedRequest,
  type StatusUpdate,
  type TransferContactLetterMessage,
  type TransferReplyMessage,
} from '#contracts';
import { GatewayDatabase, type GatewayStores } from '#persistence';
import {
  assertMayDeliver,
  FileKeyStore,
  signReceipt,
  TrustStore,
  verifyEnvelope,
  type EnvelopeClaims,
  type VerifiedEnvelope,
} from '#signing';
import { FederationHolder } from '../trust/federation-holder.js';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { HandlingService } from '../cases/handling.service.js';
import { StatusApplier } from '../cases/status-applier.js';
import { TransferService } from '../cases/transfer.service.js';
import { OutboxSignal } from '../runtime/outbox-signal.js';
import { MessageLogService } from '../message-log/message-log.service.js';
import { TransportRegistry } from '../delivery/transport-registry.js';
import { PartyBinding } from './party-binding.service.js';

export interface InboundResult {
  readonly receipt: string;
  readonly duplicate: boolean;
  readonly messageId: string;
  readonly messageType: string;
  readonly caseId: string;
}

/**
 * Takes one envelope from a peer (or from this node, for a local case) and answers a signed
 * receipt bound to the SHA-256 of exactly the bytes received. Written as the checklist it is.
 */
@Injectable()
export class InboundService {
  private readonly logger = new Logger('Inbound');

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: GatewayDatabase,
    private readonly keys: FileKeyStore,
    private readonly trust: TrustStore,
    private readonly clock: Clock,
    private readonly handling: HandlingService,
    private readonly statuses: StatusApplier,
    private readonly transfers: TransferService,
    private readonly outbox: OutboxSignal,
    private readonly messageLog: MessageLogService,
    private readonly federation: FederationHolder,
    private readonly parties: PartyBinding,
    transports: TransportRegistry,
  ) {
    // A case accepted and handled here is delivered to `self` through these same checks.
    transports.registerSelf(this);
  }

  async receive(compact: string): Promise<InboundResult> {
    // 1. Verify before trusting anything: algorithm, key, signature, sender, receiver, time.
    const verified = await verifyEnvelope(compact, {
      trust: this.trust,
      self: this.config.node,
      nowMs: this.clock.nowMs(),
      maxSkewSeconds: this.config.maxClockSkewSeconds,
      // Both nodes run with the federation's ENVELOPE_TTL_SECONDS: a peer's envelope lives no longer than ours.
      maxLifetimeSeconds: this.config.envelopeTtlSeconds,
    });
    const claims = verified.claims;
    const sha256 = verified.sha256;

    // 2 and 3. The contract, the parties and route, the access rules (`checkMessage`).
    const body = this.checkMessage(claims);

    // 4. The receipt is signed before the transaction so that it is stored with the message.
    const receipt = await signReceipt(this.keys.current(), {
      jti: newMessageId(this.clock.nowMs()),
      iss: this.config.node,
      aud: claims.iss,
      iat: Math.floor(this.clock.nowMs() / 1000),
      msg: claims.jti,
      sha256,
      result: 'accepted',
    });

    // 5. Exactly once: the inbox row and the message's effects commit together.
    const outcome = await this.db.transaction((tx) => this.accept(tx, compact, verified, body, receipt));

    // 6. Whatever the message caused (agency hand-over, status updates) goes out now.
    if (!outcome.duplicate) this.outbox.notify();
    this.logger.log({
      msg: outcome.duplicate ? 'duplicate envelope answered with its original receipt' : 'envelope accepted',
      caseNumber: claims.case,
      messageId: claims.jti,
      type: claims.mtype,
      sender: claims.iss,
    });
    return { ...outcome, messageId: claims.jti, messageType: claims.mtype, caseId: claims.case };
  }

  /**
   * Steps 2 and 3 of `receive`, before anything is stored or reaches an agency:
   * 2. the contract: a known message type and major version, a body that matches it and its
   *    envelope, sent by the party of the case that may send it, routed to this node and one of
   *    its agencies (PartyBinding.checkAddress);
   * 3. the federation's access rules (deny by default): may this sender send this type to the
   *    agency (or node) it is for?
   */
  private checkMessage(claims: EnvelopeClaims): object {
    const body = this.checkContract(claims);
    const type = claims.mtype as PeerMessageType;
    this.checkBody(claims, type, body);
    this.parties.checkAddress(claims.iss, type, body);
    assertMayDeliver(this.federation.current, claims.iss, recipientOf(type, body, this.config.node), claims.mtype);
    return body;
  }

  private checkContract(claims: EnvelopeClaims): object {
    if (!isPeerMessageType(claims.mtype)) {
      throw new GatewayError('CONTRACT_UNKNOWN', { detail: 'unknown message type' });
    }
    const versions: Readonly<Record<number, new () => object>> = PEER_MESSAGE_TYPES[claims.mtype].versions;
    const cls = versions[claims.ver];
    if (!cls) {
      throw new GatewayError('CONTRACT_VERSION_UNSUPPORTED', { detail: `major version ${claims.ver} is not supported` });
    }
    // A known major version: unknown optional fields are tolerated (and dropped), per contracts/README.md.
    return validateContract(cls, claims.body, 'CONTRACT_INVALID', { forbidUnknown: false });
  }

  /** The body says what its envelope says: the same case, the same service, the same side. */
  private checkBody(claims: EnvelopeClaims, type: PeerMessageType, body: object): void {
    if ((body as { caseId: string }).caseId !== claims.case) {
      throw GatewayError.field('CONTRACT_INVALID', 'caseId', 'the body names another case than its envelope');
    }
    if (isRequestMessageType(type)) {
      const request = body as ForwardedRequest;
      if (`${request.service}.request` !== type || request.request.service !== request.service) {
        throw GatewayError.field('CONTRACT_INVALID', 'service', 'the request names another service than its envelope');
      }
    } else if (type === 'status-update' && (body as StatusUpdate).side !== claims.iss) {
      throw GatewayError.field('CONTRACT_INVALID', 'side', 'the status update names another side than its signer');
    }
  }

  /**
   * Steps 2, 3 and 5 of `receive` for an envelope a batch has verified (step 1), inside the
   * batch's transaction, keeping `proof` (this message's share of the batch's one signed receipt)
   * as its receipt. Every check and effect is the one `receive` applies (`accept`).
   */
  async acceptVerifiedInBatch(tx: GatewayStores, compact: string, verified: VerifiedEnvelope, proof: string): Promise<{ receipt: string; duplicate: boolean }> {
    return this.accept(tx, compact, verified, this.checkMessage(verified.claims), proof);
  }

  /**
   * Once per message id: a repeat gets its original receipt (the same id with other content is a
   * conflict); a new message has its effects applied, its inbox row and its receipt written, and
   * both kept in the message log, all in the caller's transaction.
   */
  private async accept(tx: GatewayStores, compact: string, verified: VerifiedEnvelope, body: object, receipt: string): Promise<{ receipt: string; duplicate: boolean }> {
    const { claims, sha256 } = verified;
    // The sender against the case as this node holds it: refused before the inbox row exists.
    await this.parties.checkCase(tx, claims.iss, claims.mtype as PeerMessageType, body);
    // The inbox row next: written only for a new id, and rolled back with the effects if one
    // of them is refused. A repeat is told by the insert, and only then looked up.
    const fresh = await tx.inbox.insertOnce({
      messageId: claims.jti,
      sender: claims.iss,
      messageType: claims.mtype,
      caseId: claims.case,
      sha256,
      receipt,
      receivedAt: this.clock.nowMs(),
    });
    if (!fresh) {
      const seen = await tx.inbox.get(claims.jti);
      if (seen?.sha256 !== sha256) {
        throw new GatewayError('ENVELOPE_CONFLICT', { detail: 'this message id was received with other content' });
      }
      return { receipt: seen.receipt, duplicate: true };
    }
    if (isRequestMessageType(claims.mtype)) {
      await this.handling.acceptForwarded(tx, claims.jti, body as ForwardedRequest);
    } else if (claims.mtype === 'status-update') {
      await this.statuses.apply(tx, claims.iss, body as StatusUpdate);
    } else if (claims.mtype === 'case.withdrawal') {
      await this.handling.acceptWithdrawal(tx, claims.iss, claims.jti, body as CaseWithdrawal);
    } else if (claims.mtype === 'case.supplement') {
      await this.handling.acceptSupplement(tx, claims.iss, claims.jti, body as CaseSupplement);
    } else if (claims.mtype === 'pension.transfer.contact-letter') {
      await this.transfers.onContactLetter(tx, claims.iss, body as TransferContactLetterMessage);
    } else if (claims.mtype === 'pension.transfer.reply') {
      await this.transfers.onReply(tx, claims.iss, body as TransferReplyMessage);
    } else {
      throw new GatewayError('CONTRACT_UNKNOWN', { detail: 'no handler for this message type' });
    }
    await this.messageLog.append(tx, [
      { direction: 'received', kind: 'envelope', messageId: claims.jti, peer: claims.iss, content: compact },
      { direction: 'sent', kind: 'receipt', messageId: claims.jti, peer: claims.iss, content: receipt },
    ]);
    return { receipt, duplicate: false };
  }
}
