import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '#core';
import { GatewayDatabase } from '#persistence';
import { FileKeyStore, type RotationStep } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { FederationHolder } from '../trust/federation-holder.js';
import type { Principal } from '../auth/credentials.service.js';

/**
 * Rotation of this node's signing key as an operator action, in two audited steps:
 *
 * 1. prepare: a next key is created and published at once in this node's JWKS
 *    (`/.well-known/jwks.json`), which peers read when they first see its kid;
 * 2. activate (a day later at the earliest, so every peer's cache has it): the next key signs,
 *    the old one stays published for verification until every envelope it signed has expired.
 *
 * Where the federation gives this node no JWKS URL, peers learn keys only from the signed
 * federation: activation then also requires that document to list the next key.
 */
@Injectable()
export class KeyRotationService {
  private readonly logger = new Logger('KeyRotation');

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly federation: FederationHolder,
    private readonly keys: FileKeyStore,
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
  ) {}

  async rotate(operator: Principal, reason: string): Promise<RotationStep> {
    const self = this.federation.current.nodes.find((n) => n.node === this.config.node);
    const publishedKids = self?.jwksUrl === undefined ? (self?.keys ?? []).map((k) => k.kid) : undefined;
    const step = await this.keys.rotate(publishedKids === undefined ? {} : { publishedKids });
    await this.db.transaction((tx) =>
      tx.audit.append({
        action: `key-${step.action}`,
        subject: step.kid,
        operatorId: operator.credentialId,
        reason,
        detailJson: JSON.stringify(step),
        at: this.clock.nowMs(),
      }),
    );
    this.logger.log({ msg: `signing key ${step.action}`, kid: step.kid, operator: operator.credentialId });
    return step;
  }
}
