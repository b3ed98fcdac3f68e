import { ERROR_CODES } from '#core';
import { AgencyCallError, GatewayAnswerInvalid } from './agency-errors.js';

/** Codes an adapter sends on the agency link are the gateway's public codes: operators look them up in one registry. */
describe('agency-side error codes', () => {
  it.each([
    ['AGENCY_REFUSED', true],
    ['AGENCY_UNAVAILABLE', false],
    ['AGENCY_CASE_UNKNOWN', false],
  ] as const)('%s is a registry code of agency origin whose table entry says whether it is permanent (%s)', (code, permanent) => {
    const error = new AgencyCallError(code, 'detail');
    const info = ERROR_CODES[error.code];
    expect(info).toMatchObject({ origin: 'agency', retryable: !permanent });
    expect(error.permanent).toBe(permanent);
  });

  it('GATEWAY_BAD_ACK (a gateway answer that does not match the batch) is a registry code, transient', () => {
    const info = ERROR_CODES[new GatewayAnswerInvalid().code];
    expect(info).toBeDefined();
    expect(info.status).toBeGreaterThanOrEqual(500);
  });
});
