import { Inject, Injectable } from '@nestjs/common';
import { personalDataHash } from '#signing';

/** Injection token of this node's secret for the applicant index (created on first start, 0600). */
export const PERSONAL_DATA_SECRET = Symbol('PERSONAL_DATA_SECRET');

/**
 * Finds a window's cases by an applicant's ID number without keeping the number: cases store an
 * HMAC-SHA-256 of it under this node's own secret. A plain hash would not do: ID numbers have
 * so little entropy (region, birth date, sequence) that every one can be tried.
 */
@Injectable()
export class ApplicantIndex {
  constructor(@Inject(PERSONAL_DATA_SECRET) private readonly secret: Uint8Array) {}

  /** The index key of an ID number (normalised: trimmed, upper-case X). */
  keyOf(idNumber: string): string {
    return personalDataHash(idNumber, this.secret);
  }
}
