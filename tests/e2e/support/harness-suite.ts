import type { SuiteName } from '#signing';

/**
 * The cryptographic suite the e2e harnesses issue their federation in: `CYTB_SUITE=gm` for the gm
 * suite (SM2 signatures, SM3 hashes), anything else (or nothing) for intl.
 */
export function harnessSuite(): SuiteName {
  return process.env.CYTB_SUITE === 'gm' ? 'gm' : 'intl';
}
