import { join } from 'node:path';
import { GatewayError, SystemClock, type Clock } from '#core';
import {
  mergePersonal,
  serviceDefinition,
  validateContract,
  type AgencyDelivery,
  type Applicant,
  type ForwardedRequest,
  type ServiceRequest,
  type TransferContactLetterMessage,
} from '#contracts';
import { AgencyKeyStore, INTL_SUITE, openSealed, type SuiteName } from '#signing';

/**
 * Opens the personal fields the accepting node sealed for this adapter's agencies, and puts them
 * back into the request: the only place outside the agency systems where they exist in clear.
 * Each agency's decryption keys live in `<agencyKeyDir>/<agency>` (created on first start, 0600;
 * the federation publishes their public halves), X25519 under the `intl` suite, SM2 under `gm`;
 * a sealed copy is opened under the profile of that suite only.
 */
export class SealedDataOpener {
  private constructor(private readonly stores: ReadonlyMap<string, AgencyKeyStore>) {}

  /**
   * Opens (creating on first start) the key store of each agency, of `suite` (`intl` unless given).
   *
   * @example const opener = await SealedDataOpener.open('data/sc/agency-keys', ['SC.card', 'SC.pension']);
   * @example const gm = await SealedDataOpener.open(dir, ['SC.card'], clock, 'gm'); // SM2 keys, SM2-ECDH-ES + SM4-CTR-HS3
   */
  static async open(agencyKeyDir: string, agencies: readonly string[], clock: Clock = new SystemClock(), suite: SuiteName = INTL_SUITE.name): Promise<SealedDataOpener> {
    const stores = new Map<string, AgencyKeyStore>();
    for (const agency of agencies) stores.set(agency, await AgencyKeyStore.open(join(agencyKeyDir, agency), agency, clock, { suite }));
    return new SealedDataOpener(stores);
  }

  /**
   * The delivery with its request whole again: a version 2 request's sealed personal fields
   * opened with the agency's key, merged into the open part, and the result checked against the
   * service's own contract. A version 1 (clear) request passes as it is. Refuses with
   * SEALED_DATA_INVALID (no copy for this agency, or one that does not open) or CONTRACT_INVALID.
   */
  async open(delivery: AgencyDelivery): Promise<AgencyDelivery> {
    if (delivery.contactLetter?.sealed !== undefined) return { ...delivery, contactLetter: await this.openLetter(delivery.agency, delivery.contactLetter) };
    const forwarded = delivery.forwarded;
    if (!forwarded?.sealed) return delivery;
    const store = this.stores.get(delivery.agency);
    const copy = forwarded.sealed[delivery.agency];
    if (!store || copy === undefined) {
      throw new GatewayError('SEALED_DATA_INVALID', { detail: `no sealed copy for ${delivery.agency}` });
    }
    const personal = await openSealed(copy, store, { suite: store.suite });
    const definition = serviceDefinition(forwarded.service);
    if (!definition) throw new GatewayError('CONTRACT_INVALID', { detail: 'no such service' });
    const merged = mergePersonal(forwarded.request as unknown as Record<string, unknown>, personal);
    const request = validateContract<ServiceRequest>(definition.dto, merged, 'CONTRACT_INVALID', { forbidUnknown: false });
    const { sealed: _opened, ...rest } = forwarded;
    const whole: ForwardedRequest = { ...rest, request };
    return { ...delivery, forwarded: whole };
  }

  /**
   * A pension transfer's contact letter whole again: the request's personal fields were sealed
   * for this transfer-out agency; the applicant and this conversation's person number go back
   * into the letter (the other places' numbers stay out). Refuses with SEALED_DATA_INVALID.
   */
  private async openLetter(agency: string, letter: TransferContactLetterMessage): Promise<TransferContactLetterMessage> {
    const store = this.stores.get(agency);
    if (!store || letter.sealed === undefined || letter.transferOut.agency !== agency) {
      throw new GatewayError('SEALED_DATA_INVALID', { detail: `no sealed copy for ${agency}` });
    }
    const personal = (await openSealed(letter.sealed, store, { suite: store.suite })) as { applicant?: Partial<Applicant>; transferOut?: ({ personNumber?: unknown } | null)[] };
    const applicant = personal.applicant;
    const personNumber = personal.transferOut?.[letter.conversation - 1]?.personNumber;
    const text = (v: unknown) => typeof v === 'string' && v.length > 0;
    if (!applicant || !text(applicant.idNumber) || !text(applicant.name) || !text(applicant.phone) || !text(personNumber)) {
      throw new GatewayError('SEALED_DATA_INVALID', { detail: 'the sealed part does not carry the applicant and this place\'s person number' });
    }
    const { sealed: _opened, ...rest } = letter;
    return {
      ...rest,
      applicant: { idNumber: applicant.idNumber as string, name: applicant.name as string, phone: applicant.phone as string },
      transferOut: { ...letter.transferOut, personNumber: personNumber as string },
    };
  }
}
