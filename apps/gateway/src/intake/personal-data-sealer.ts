import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { GatewayError } from '#core';
import { splitPersonal, type ServiceRequest } from '#contracts';
import { agencyEncryptionKeys, importSealingKey, sealFor, type Federation, type SealingKey } from '#signing';
import { FEDERATION } from '../federation/federation.token.js';

/**
 * Seals a request's personal fields (ID numbers, names, phones, addresses, bank accounts) for
 * each agency that needs them, with that agency's encryption key from the signed federation, so
 * that both gateways store, log and pass on ciphertext only; only the agency's adapter can open
 * its copy. Keys are imported once at start.
 */
@Injectable()
export class PersonalDataSealer implements OnModuleInit {
  private readonly keys = new Map<string, SealingKey>();

  constructor(@Inject(FEDERATION) private readonly federation: Federation) {}

  async onModuleInit(): Promise<void> {
    for (const node of this.federation.nodes) {
      for (const agency of node.agencies ?? []) {
        const [first] = agencyEncryptionKeys(this.federation, agency.code);
        if (first) this.keys.set(agency.code, await importSealingKey(first));
      }
    }
  }

  /**
   * The open part of a request and its personal fields sealed for each agency.
   *
   * @example const { open, sealed } = await sealer.seal(request, ['SC.card']);
   */
  async seal(request: ServiceRequest, agencies: readonly string[]): Promise<{ open: ServiceRequest; sealed: Record<string, string> }> {
    const { open, personal } = splitPersonal(request);
    const sealed: Record<string, string> = {};
    for (const agency of new Set(agencies)) {
      const key = this.keys.get(agency);
      if (!key) throw new GatewayError('ROUTE_UNKNOWN', { detail: `the federation lists no encryption key for ${agency}` });
      sealed[agency] = await sealFor(key.key, personal, { kid: key.kid });
    }
    return { open: open as unknown as ServiceRequest, sealed };
  }
}
