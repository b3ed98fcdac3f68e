import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { GatewayError } from '#core';
import { splitPersonal, type ServiceRequest } from '#contracts';
import { agencyEncryptionKeys, importSealingKey, sealFor, type CryptoSuite, type Federation, type SealingKey } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { FederationHolder } from './federation-holder.js';

/**
 * Seals a request's personal fields (ID numbers, names, phones, addresses, bank accounts) for
 * each agency that needs them, with that agency's encryption key from the signed federation, so
 * that both gateways store, log and pass on ciphertext only; only the agency's adapter can open
 * its copy. Keys are imported at start, and again when an operator reloads the federation.
 */
@Injectable()
export class PersonalDataSealer implements OnModuleInit {
  private keys: ReadonlyMap<string, SealingKey> = new Map();

  constructor(
    private readonly federation: FederationHolder,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'cryptoSuite'>,
  ) {}

  async onModuleInit(): Promise<void> {
    this.use(await PersonalDataSealer.importKeys(this.federation.current, this.config.cryptoSuite));
  }

  /** This node's sealing suite (CRYPTO_SUITE), for a reload to import the next federation's keys with. */
  get sealingSuite(): CryptoSuite {
    return this.config.cryptoSuite;
  }

  /**
   * Every agency's sealing key in a federation, imported (a key that cannot be imported fails the
   * whole set, before anything changes). Sealing follows the node's CRYPTO_SUITE, which its
   * adapters share (docs/operations/suite-migration.md): while a suite move lists an agency's keys
   * of both suites, the one of that suite is chosen, whatever the order; an agency that lists none
   * of it is sealed for with the first key the federation lists.
   */
  static async importKeys(federation: Federation, sealing: Pick<CryptoSuite, 'sealingKey'>): Promise<ReadonlyMap<string, SealingKey>> {
    const keys = new Map<string, SealingKey>();
    for (const node of federation.nodes) {
      for (const agency of node.agencies ?? []) {
        const listed = agencyEncryptionKeys(federation, agency.code);
        const chosen = listed.find((k) => k.kty === sealing.sealingKey.kty && k.crv === sealing.sealingKey.crv) ?? listed[0];
        if (chosen) keys.set(agency.code, await importSealingKey(chosen));
      }
    }
    return keys;
  }

  /** Seals with these keys from now on (at start, and when an operator reloads the federation). */
  use(keys: ReadonlyMap<string, SealingKey>): void {
    this.keys = keys;
  }

  /**
   * The open part of a request and its personal fields sealed for each agency.
   *
   * @example const { open, sealed } = await sealer.seal(request, ['SC.card']);
   */
  async seal(request: ServiceRequest, agencies: readonly string[]): Promise<{ open: ServiceRequest; sealed: Record<string, string> }> {
    // One federation's keys for the whole request: a reload between two awaits below must not
    // seal one agency's copy with the old federation's key and the next with the new one's.
    const keys = this.keys;
    const { open, personal } = splitPersonal(request);
    const sealed: Record<string, string> = {};
    for (const agency of new Set(agencies)) {
      const key = keys.get(agency);
      if (!key) throw new GatewayError('ROUTE_UNKNOWN', { detail: `the federation lists no encryption key for ${agency}` });
      sealed[agency] = await sealFor(key.key, personal, { kid: key.kid });
    }
    return { open: open as unknown as ServiceRequest, sealed };
  }
}
