import { Inject, Injectable } from '@nestjs/common';
import { Clock, newMessageId, type NodeCode } from '#core';
import { currentVersion, type PeerMessageType } from '#contracts';
import { FileKeyStore, signEnvelope, type EnvelopeClaims } from '#signing';
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
    const contractVersion = currentVersion(messageType);
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

  /**
   * Signs one of this node's own envelopes again with the key it signs with now, keeping its
   * message id and claims as they are (its expiry too: an expired one is still refused and
   * replayed as `renewIfExpired` says): for an envelope still waiting to be sent in a suite the
   * federation no longer accepts, a suite move whose overlap ended while its receiver was away.
   * Null for an envelope of another node.
   */
  async resignInForce(compact: string): Promise<string | null> {
    const claims = this.claimsOf(compact);
    if (claims.iss !== this.config.node) return null;
    return signEnvelope(this.keys.current(), claims);
  }

  /** The kid and algorithm this node signs with now. */
  signingKey(): { readonly kid: string; readonly alg: string } {
    const { kid, alg } = this.keys.current();
    return { kid, alg };
  }

  private claimsOf(compact: string): EnvelopeClaims {
    const payload = compact.split('.')[1] ?? '';
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as EnvelopeClaims;
  }

  /**
   * Signs one of this node's own envelopes again with a fresh issued-at and expiry, keeping its
   * message id and content: for replaying a message that expired while its receiver was away.
   * Returns null when the envelope has not expired (it is replayed as it is, byte for byte).
   */
  async renewIfExpired(compact: string): Promise<string | null> {
    const claims = this.claimsOf(compact);
    const nowS = Math.floor(this.clock.nowMs() / 1000);
    if (claims.exp - this.config.maxClockSkewSeconds > nowS || claims.iss !== this.config.node) return null;
    return signEnvelope(this.keys.current(), { ...claims, iat: nowS, exp: nowS + this.config.envelopeTtlSeconds });
  }
}
