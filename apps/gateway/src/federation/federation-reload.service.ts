import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, GatewayError } from '#core';
import { GatewayDatabase } from '#persistence';
import { checkSignedFederation, jwksSourcesOf, trustedKeysOf, TrustStore, writeTextAtomically, type Federation } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { TransportRegistry } from '../delivery/transport-registry.js';
import type { Principal } from '../intake/credentials.service.js';
import { PersonalDataSealer } from '../intake/personal-data-sealer.js';
import { FederationHolder } from './federation-holder.js';
import { assertListsNode, federationSummary, loadNodeFederation, readAuthorityJwks } from './node-federation.js';

/** What an operator is told after a reload. */
export interface FederationReloadOutcome {
  /** The serial in force now. */
  readonly serial: number;
  /** The serial before; equal to `serial` when the document was the one already in force. */
  readonly previousSerial: number;
  readonly changed: boolean;
  readonly issuedAt: string;
  readonly nodes: number;
  readonly rules: number;
}

/**
 * Changing the federation as an operator action, without a restart. The new document is either
 * handed over by the operator (the authority's signed text) or already placed at FEDERATION_FILE;
 * either way it must carry the authority's signature and a serial not older than the one in force,
 * and must list this node. Then, all or nothing: peers' keys, agencies' sealing keys, access rules
 * and peer URLs switch together. Every attempt is audited, a refused one with its code.
 *
 * Each process holds its federation in memory: with several replicas, reload each (the answer and
 * `/health` name the serial in force).
 */
@Injectable()
export class FederationReloadService {
  private readonly logger = new Logger('Federation');
  private running: Promise<FederationReloadOutcome> | null = null;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly holder: FederationHolder,
    private readonly trust: TrustStore,
    private readonly sealer: PersonalDataSealer,
    private readonly transports: TransportRegistry,
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
  ) {}

  /** One reload at a time: a second request waits for the first and is then checked on its own. */
  async reload(operator: Principal, reason: string, signedFederation?: string): Promise<FederationReloadOutcome> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.apply(operator, reason, signedFederation);
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = null;
    }
  }

  private async apply(operator: Principal, reason: string, signedFederation?: string): Promise<FederationReloadOutcome> {
    const previous = this.holder.current;
    let next: Federation;
    try {
      if (signedFederation !== undefined) {
        // Checked before it replaces the file, so that a refused document never lands there.
        const checked = await checkSignedFederation(signedFederation, await readAuthorityJwks(this.config), { stateFile: this.config.federationStateFile });
        assertListsNode(checked.federation, this.config);
        writeTextAtomically(this.config.federationFile, signedFederation.trim());
      }
      next = await loadNodeFederation(this.config);
      if ((next.serial ?? 0) < (previous.serial ?? 0)) {
        throw new GatewayError('FEDERATION_ROLLBACK', { detail: `serial ${next.serial ?? 0} is older than the ${previous.serial ?? 0} in force` });
      }
    } catch (error) {
      await this.audit('federation-reload-refused', `federation:${previous.serial ?? 0}`, operator, reason, {
        code: error instanceof GatewayError ? error.code : 'INTERNAL',
        detail: error instanceof GatewayError ? error.detail : undefined,
      });
      throw error;
    }
    const changed = next.serial !== previous.serial;
    if (changed) {
      // Everything that can fail (importing keys) is done before anything switches.
      const sealingKeys = await PersonalDataSealer.importKeys(next);
      await this.trust.replace(trustedKeysOf(next), jwksSourcesOf(next, this.config.node));
      this.sealer.use(sealingKeys);
      this.holder.replace(next);
      this.transports.forgetPeers();
    }
    await this.audit('federation-reloaded', `federation:${next.serial ?? 0}`, operator, reason, {
      previousSerial: previous.serial ?? 0,
      changed,
      ...federationSummary(next),
    });
    this.logger.log({ msg: changed ? 'federation reloaded' : 'federation reload: already in force', serial: next.serial, operator: operator.credentialId });
    return {
      serial: next.serial ?? 0,
      previousSerial: previous.serial ?? 0,
      changed,
      issuedAt: next.issuedAt ?? '',
      nodes: next.nodes.length,
      rules: next.rules?.length ?? 0,
    };
  }

  private async audit(action: string, subject: string, operator: Principal, reason: string, detail: object): Promise<void> {
    await this.db.transaction((tx) =>
      tx.audit.append({ action, subject, operatorId: operator.credentialId, reason, detailJson: JSON.stringify(detail), at: this.clock.nowMs() }),
    );
  }
}
