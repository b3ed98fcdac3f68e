import { Logger } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { GatewayError } from '#core';
import { RpcProblemFilter, toLinkError } from './rpc-problem.filter.js';

const invalid = () =>
  new GatewayError('CONTRACT_INVALID', {
    detail: '2 field(s) at fault',
    fields: [
      { field: 'stage', code: 'NOT_ALLOWED_VALUE', message: 'must be one of the stages' },
      { field: 'detail.waybill', code: 'BAD_FORMAT', message: 'must be 13 digits' },
      { field: 'stage', code: 'TOO_LONG', message: 'too long' },
    ],
  });

describe('toLinkError and RpcProblemFilter', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('names each field at fault once, by name only, in a refusal for good', () => {
    expect(toLinkError(invalid())).toEqual({ code: 'CONTRACT_INVALID', message: '2 field(s) at fault', permanent: true, fields: ['stage', 'detail.waybill'] });
  });

  it('answers an unexpected error as INTERNAL, transient, with no fields and nothing of the error', () => {
    expect(toLinkError(new Error('row 510104199001011234 locked'))).toEqual({ code: 'INTERNAL', message: 'Internal error', permanent: false });
  });

  it('sends a message handler’s error across the link exactly as toLinkError maps it', async () => {
    const sent = await firstValueFrom(new RpcProblemFilter().catch(invalid())).catch((e: unknown) => e);
    expect(sent).toEqual(toLinkError(invalid()));
    expect(sent).toMatchObject({ fields: ['stage', 'detail.waybill'] });
  });
});
