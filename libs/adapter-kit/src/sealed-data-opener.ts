import { join } from 'node:path';
import { GatewayError, SystemClock, type Clock } from '#core';
import { mergePersonal, serviceDefinition, validateContract, type AgencyDelivery, type ForwardedRequest, type ServiceRequest } from '#contracts';
import { AgencyKeyStore, openSealed } from '#signing';

/**
 * Opens the personal fields the accepting node sealed for this adapter's agencies, and puts them
 * back into the request: the only place outside the agency systems where they exist in clear.
 * Each agency's decryption keys live in `<agencyKeyDir>/<agency>` (created on first start, 0600;
 * the federation publishes their public halves).
 */
export class SealedDataOpener {
  private constructor(private readonly stores: ReadonlyMap<string, AgencyKeyStore>) {}

  /**
   * Opens (creating on first start) the key store of each agency.
   *
   * @example const opener = await SealedDataOpener.open('data/sc/agency-keys', ['SC.card', 'SC.pension']);
   */
  static async open(agencyKeyDir: string, agencies: readonly string[], clock: Clock = new SystemClock()): Promise<SealedDataOpener> {
    const stores = new Map<string, AgencyKeyStore>();
    for (const agency of agencies) stores.set(agency, await AgencyKeyStore.open(join(agencyKeyDir, agency), agency, clock));
    return new SealedDataOpener(stores);
  }

  /**
   * The delivery with its request whole again: a version 2 request's sealed personal fields
   * opened with the agency's key, merged into the open part, and the result checked against the
   * service's own contract. A version 1 (clear) request passes as it is. Refuses with
   * SEALED_DATA_INVALID (no copy for this agency, or one that does not open) or CONTRACT_INVALID.
   */
  async open(delivery: AgencyDelivery): Promise<AgencyDelivery> {
    const forwarded = delivery.forwarded;
    if (!forwarded?.sealed) return delivery;
    const store = this.stores.get(delivery.agency);
    const copy = forwarded.sealed[delivery.agency];
    if (!store || copy === undefined) {
      throw new GatewayError('SEALED_DATA_INVALID', { detail: `no sealed copy for ${delivery.agency}` });
    }
    const personal = await openSealed(copy, store);
    const definition = serviceDefinition(forwarded.service);
    if (!definition) throw new GatewayError('CONTRACT_INVALID', { detail: 'no such service' });
    const merged = mergePersonal(forwarded.request as unknown as Record<string, unknown>, personal);
    const request = validateContract<ServiceRequest>(definition.dto, merged, 'CONTRACT_INVALID', { forbidUnknown: false });
    const { sealed: _opened, ...rest } = forwarded;
    const whole: ForwardedRequest = { ...rest, request };
    return { ...delivery, forwarded: whole };
  }
}
