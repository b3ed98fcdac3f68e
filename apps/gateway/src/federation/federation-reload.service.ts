import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, GatewayError, isGatewayError } from '#core';
import { GatewayDatabase } from '#persistence';
import { checkSignedFederation, FileKeyStore, jwksSourcesOf, recordAcceptedFederation, suitePolicyOf, suitesOf, trustedKeysOf, TrustStore, writeTextAtomically, type Federation, type VerifiedFederation } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import type { Principal } from '../auth/credentials.service.js';
import { PersonalDataSealer } from '../trust/personal-data-sealer.js';
import { FederationHolder } from '../trust/federation-holder.js';
import { assertListsNode, federationSummary, readAuthorityJwks } from './node-federation.js';

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
 * either way, in this order:
 * 1. it must carry the authority's signature (FEDERATION_SIGNATURE_INVALID), a serial not older
 *    than the one in force (FEDERATION_ROLLBACK), list this node and hold keys this node can
 *    import (FEDERATION_INVALID, with `signedFederation` as the field when it came in the body);
 * 2. only then is it written to FEDERATION_FILE and recorded as accepted, so a restart runs on it;
 * 3. then peers' keys, agencies' sealing keys, access rules and peer URLs switch together.
 * Nothing is written or switched when a check fails. Every attempt that reaches the service is
 * audited, a refused one with its code and the serial and SHA-256 of what was offered.
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
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
    private readonly keys: FileKeyStore,
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
    const field = signedFederation === undefined ? undefined : 'signedFederation';
    let verified: VerifiedFederation | undefined;
    let prepared: Awaited<ReturnType<typeof PersonalDataSealer.importKeys>> | undefined;
    try {
      // The authority's keys and the file are the node's own configuration: their faults stay CONFIG_INVALID.
      const authority = await readAuthorityJwks(this.config);
      const text = signedFederation ?? (await this.readFederationFile());
      try {
        verified = await checkSignedFederation(text, authority, { stateFile: this.config.federationStateFile });
        const next = verified.federation;
        assertListsNode(next, this.config);
        // Keys of every suite the document uses exist before it is checked against them (a suite
        // met for the first time makes its first key, as a first start does).
        for (const suite of suitesOf(next)) await this.keys.prepareSuite(suite);
        this.assertPeersCanVerifyUs(next);
        if ((next.serial ?? 0) < (previous.serial ?? 0)) {
          throw new GatewayError('FEDERATION_ROLLBACK', { detail: `serial ${next.serial ?? 0} is older than the ${previous.serial ?? 0} in force` });
        }
        if (next.serial !== previous.serial) {
          // Everything that can fail on the document's content (importing keys) before anything is written.
          prepared = await PersonalDataSealer.importKeys(next, this.sealer.sealingSuite);
          await TrustStore.create(trustedKeysOf(next), undefined, suitePolicyOf(next));
        }
      } catch (error) {
        throw documentError(error, field);
      }
      if (signedFederation !== undefined) writeTextAtomically(this.config.federationFile, signedFederation.trim());
      await recordAcceptedFederation(this.config.federationStateFile, verified);
    } catch (error) {
      await this.audit('federation-reload-refused', `federation:${previous.serial ?? 0}`, operator, reason, {
        code: isGatewayError(error) ? error.code : 'INTERNAL',
        detail: isGatewayError(error) ? error.detail : undefined,
        ...(verified ? { offeredSerial: verified.serial, offeredSha256: verified.sha256 } : {}),
      });
      throw error;
    }
    const next = verified.federation;
    const changed = prepared !== undefined;
    if (prepared) {
      // Accept the new suite policy first, then sign in the document's suite: a move between
      // suites is audited below with both suites named.
      await this.trust.replace(trustedKeysOf(next), jwksSourcesOf(next, this.config.node), suitePolicyOf(next));
      await this.keys.useSuite(next.suite ?? 'intl');
      this.sealer.use(prepared);
      // The holder tells its listeners: the transports drop the peer URLs of the old one.
      this.holder.replace(next);
    }
    await this.audit('federation-reloaded', `federation:${next.serial ?? 0}`, operator, reason, {
      previousSerial: previous.serial ?? 0,
      changed,
      sha256: verified.sha256,
      previousSuite: previous.suite ?? 'intl',
      // With the suite and its overlap.
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

  /**
   * Peers verify this node's envelopes with the keys the federation lists for it (or fetch them
   * from its JWKS URL): a document without this node's signing key and without a JWKS URL would
   * make every peer refuse what this node sends from the moment they load it.
   */
  private assertPeersCanVerifyUs(next: Federation): void {
    const self = next.nodes.find((n) => n.node === this.config.node);
    // The key it will sign with under the document's suite.
    const suite = next.suite ?? 'intl';
    const kid = (this.keys.activeOf(suite) ?? this.keys.current()).kid;
    if (self && self.jwksUrl === undefined && !self.keys.some((k) => k.kid === kid)) {
      throw new GatewayError('FEDERATION_INVALID', { detail: `the federation does not list this node's signing key ${kid}, nor a JWKS URL for it` });
    }
  }

  private async readFederationFile(): Promise<string> {
    try {
      return await readFile(this.config.federationFile, 'utf8');
    } catch (cause) {
      throw new GatewayError('CONFIG_INVALID', { detail: 'the signed federation file cannot be read', cause });
    }
  }

  private async audit(action: string, subject: string, operator: Principal, reason: string, detail: object): Promise<void> {
    await this.db.transaction((tx) =>
      tx.audit.append({ action, subject, operatorId: operator.credentialId, reason, detailJson: JSON.stringify(detail), at: this.clock.nowMs() }),
    );
  }
}

/**
 * A fault of the offered document (not of this node's configuration) as the operator's error: a
 * signed document that does not list this node, or whose content or keys cannot be used, is
 * FEDERATION_INVALID (422), not an internal error; each refusal names the field when the
 * document came in the body.
 */
function documentError(error: unknown, field: string | undefined): unknown {
  if (!isGatewayError(error)) return error;
  const code = error.code === 'CONFIG_INVALID' ? 'FEDERATION_INVALID' : error.code;
  if (code === error.code && (field === undefined || error.fields.length > 0)) return error;
  const detail = error.detail ?? error.message;
  return field === undefined ? new GatewayError(code, { detail }) : GatewayError.field(code, field, detail);
}
