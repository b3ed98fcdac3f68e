import { Inject, Injectable } from '@nestjs/common';
import { personalDataHash } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

/** Injection token of this node's secret for the applicant index (created on first start, 0600). */
export const PERSONAL_DATA_SECRET = Symbol('PERSONAL_DATA_SECRET');

/**
 * Finds a window's cases by an applicant's ID number without keeping the number: cases store an
 * HMAC of it under this node's own secret (HMAC-SHA-256, or HMAC-SM3 under the gm suite). A plain hash would not do: ID numbers have
 * so little entropy (region, birth date, sequence) that every one can be tried.
 */
@Injectable()
export class ApplicantIndex {
  constructor(
    @Inject(PERSONAL_DATA_SECRET) private readonly secret: Uint8Array,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** The index key of an ID number (normalised: trimmed, upper-case X). */
  keyOf(idNumber: string): string {
    return personalDataHash(idNumber, this.secret, this.config.cryptoSuite);
  }
}
