import { Inject, Injectable } from '@nestjs/common';
import { Clock, newMessageId, type NodeCode } from '#core';
import { CURRENT_VERSION, type PeerMessageType } from '#contracts';
import { FileKeyStore, signEnvelope } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

export interface SignedMessage {
  readonly messageId: string;
  readonly messageType: PeerMessageType;
  readonly contractVersion: number;
  readonly compact: string;
}

/** Builds and signs the envelopes this node sends (to a peer, or to itself for a local case). */
@Injectable()
export class EnvelopeFactory {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly keys: FileKeyStore,
    private readonly clock: Clock,
  ) {}

  async sign(messageType: PeerMessageType, receiver: NodeCode, caseId: string, body: unknown): Promise<SignedMessage> {
    const nowMs = this.clock.nowMs();
    const iat = Math.floor(nowMs / 1000);
    const messageId = newMessageId(nowMs);
    const contractVersion = CURRENT_VERSION[messageType];
    const compact = await signEnvelope(this.keys.current(), {
      jti: messageId,
      iss: this.config.node,
      aud: receiver,
      iat,
      exp: iat + this.config.envelopeTtlSeconds,
      case: caseId,
      mtype: messageType,
      ver: contractVersion,
      body,
    });
    return { messageId, messageType, contractVersion, compact };
  }
}
