/**
 * Errors on the agency side of an adapter. `permanent` says whether sending the same request
 * again could succeed (it travels back to the gateway, which dead-letters or retries).
 */
export class AgencyCallError extends Error {
  constructor(
    readonly code: 'AGENCY_REFUSED' | 'AGENCY_UNAVAILABLE',
    readonly permanent: boolean,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = 'AgencyCallError';
  }
}

/**
 * The agency reported a status word or reason code the adapter has no mapping for. The adapter
 * stops at that event (it is never turned into an empty field) and says so loudly until the
 * mapping is fixed.
 */
export class UnmappedAgencyValue extends Error {
  readonly code = 'AGENCY_VALUE_UNMAPPED';

  constructor(
    readonly field: string,
    readonly value: string,
    readonly position: number,
  ) {
    super(`no mapping for ${field}=${value} at feed position ${position}`);
    this.name = 'UnmappedAgencyValue';
  }
}
