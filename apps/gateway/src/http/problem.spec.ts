import { GatewayError } from '#core';
import { toProblem } from './problem.js';

describe('toProblem', () => {
  it('keeps the code, origin and fields of a GatewayError', () => {
    const problem = toProblem(GatewayError.field('ID_NUMBER_INVALID', 'applicant.idNumber', 'bad check digit'), '/api/v1/applications');
    expect(problem).toEqual({
      type: 'urn:cytb:problem:id-number-invalid',
      title: 'The citizen ID number is not valid (GB 11643)',
      status: 400,
      code: 'ID_NUMBER_INVALID',
      origin: 'window',
      detail: 'bad check digit',
      instance: '/api/v1/applications',
      errors: [{ field: 'applicant.idNumber', code: 'ID_NUMBER_INVALID', message: 'bad check digit' }],
    });
  });

  it('maps body-parser failures to their own codes', () => {
    expect(toProblem({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(toProblem({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }).code).toBe('PAYLOAD_TOO_LARGE');
    expect(toProblem(Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 })).code).toBe('MALFORMED_JSON');
    expect(toProblem({ code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 }).code).toBe('REQUEST_MALFORMED');
  });

  it('maps the router’s refusals to their codes without the URL their messages quote', () => {
    const badUrl = toProblem({ code: 'FST_ERR_BAD_URL', statusCode: 400, message: "'/api/v1/applications/%E0%A4%A' is not a valid url component" });
    expect(badUrl).toMatchObject({ status: 400, code: 'URL_MALFORMED' });
    const tooLong = toProblem({ code: 'FST_ERR_MAX_PARAM_LENGTH', statusCode: 414, message: "'/api/v1/applications/xxxx' is exceeding the max param length" });
    expect(tooLong).toMatchObject({ status: 414, code: 'URL_TOO_LONG' });
    expect(JSON.stringify([badUrl, tooLong])).not.toContain('/api/v1');
  });

  it('turns anything unknown into INTERNAL without its message', () => {
    const problem = toProblem(new TypeError('cannot read 510104198503121234'));
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(problem)).not.toContain('510104');
  });
});
