import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GatewayError } from '#core';
import type { CredentialsService, Principal } from '../auth/credentials.service.js';
import { PrincipalGuard } from '../auth/principal.guard.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import { PensionController } from './pension.controller.js';

const controller = new PensionController();

const body = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  hukouRegion: '510104',
  birthDate: '1965-03-01',
  sex: 'M',
  places: [
    { region: '500103', periods: [{ from: '1998-01-01', to: '2009-12-31' }] },
    { region: '440305', periods: [{ from: '2015-03-01', to: '2025-02-28' }] },
  ],
  ...over,
});

function refusal(fn: () => unknown): { code: string; fields: string[] } {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return { code: error.code, fields: error.fields.map((f) => `${f.field}:${f.code}`) };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('POST /api/v1/pension/paying-place', () => {
  it('answers the paying place, its rule and reason, and marks the temporary account', () => {
    const answer = controller.payingPlace(body());
    expect(answer.payingPlace).toMatchObject({ region: '500103', rule: 2 });
    expect(answer.payingPlace.reason.zh).toContain('满10年');
    expect(answer.payingPlace.reason.en).toContain('10 or more years');
    expect(answer.places).toEqual([
      expect.objectContaining({ region: '500103', temporaryAccount: false, reasonCode: 'BELOW_AGE_LIMIT', months: 144 }),
      expect.objectContaining({ region: '440305', temporaryAccount: true, reasonCode: 'AGE_LIMIT_AWAY_FROM_HUKOU', ageAtFirstEnrolment: 50 }),
    ]);
  });

  it('takes an approved transfer out of the age limit', () => {
    const places = [
      { region: '500103', periods: [{ from: '1998-01-01', to: '2009-12-31' }] },
      { region: '440305', periods: [{ from: '2015-03-01', to: '2025-02-28' }], approvedTransfer: true },
    ];
    const answer = controller.payingPlace(body({ places }));
    expect(answer.places[1]).toMatchObject({ temporaryAccount: false, reasonCode: 'APPROVED_TRANSFER' });
    expect(answer.payingPlace).toMatchObject({ region: '440305', rule: 2 });
  });

  it('refuses an unknown region with REGION_UNKNOWN and its field path', () => {
    const places = [{ region: '509999', periods: [{ from: '2000-01-01', to: '2001-01-01' }] }];
    expect(refusal(() => controller.payingPlace(body({ places })))).toEqual({ code: 'REGION_UNKNOWN', fields: ['places[0].region:REGION_UNKNOWN'] });
  });

  it('refuses missing and malformed fields with VALIDATION_FAILED, naming each', () => {
    const places = [{ region: '500103', periods: [{ from: '2000-1-1', to: '2001-01-01' }], extra: 1 }];
    const result = refusal(() => controller.payingPlace(body({ sex: 'X', birthDate: undefined, places })));
    expect(result.code).toBe('VALIDATION_FAILED');
    expect(result.fields).toEqual(
      expect.arrayContaining(['sex:NOT_ALLOWED_VALUE', 'birthDate:REQUIRED', 'places[0].periods[0].from:BAD_FORMAT', 'places[0].extra:UNKNOWN_FIELD']),
    );
  });

  it('refuses an empty list of places', () => {
    expect(refusal(() => controller.payingPlace(body({ places: [] })))).toEqual({ code: 'VALIDATION_FAILED', fields: ['places:TOO_FEW'] });
  });

  it('refuses a non-object body', () => {
    expect(refusal(() => controller.payingPlace([1, 2]))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses impossible dates, reversed periods and insurance before birth with DATE_INVALID', () => {
    const places = [
      { region: '500103', periods: [{ from: '2001-02-30', to: '2002-01-01' }, { from: '2005-01-01', to: '2004-12-31' }] },
      { region: '440305', periods: [{ from: '1960-01-01', to: '1970-01-01' }] },
    ];
    expect(refusal(() => controller.payingPlace(body({ places })))).toEqual({
      code: 'DATE_INVALID',
      fields: ['places[0].periods[0].from:DATE_INVALID', 'places[0].periods[1].to:DATE_INVALID', 'places[1].periods[0].from:DATE_INVALID'],
    });
  });
});

describe('window-or-operator guard', () => {
  const principal = (role: Principal['role']): Principal => ({ credentialId: `x-${role}`, role, name: role, region: '510104', agency: null, node: 'SC', expiresAt: null });
  // The pension routes as the guard meets them: the controller's own role metadata.
  const context = (request: object): ExecutionContext =>
    ({ switchToHttp: () => ({ getRequest: () => request }), getHandler: () => PensionController.prototype.payingPlace, getClass: () => PensionController }) as unknown as ExecutionContext;
  const guard = (role: string, taken: string[]) =>
    new PrincipalGuard(
      { authenticate: () => Promise.resolve(principal(role as Principal['role'])) } as unknown as CredentialsService,
      new Reflector(),
      { take: (id: string) => taken.push(id) } as unknown as RateLimiter,
    );

  it.each(['window', 'operator'])('admits a %s credential and counts it against the rate limit', async (role) => {
    const taken: string[] = [];
    const request: { headers: object; principal?: Principal } = { headers: { authorization: 'Bearer x' } };
    await expect(guard(role, taken).canActivate(context(request))).resolves.toBe(true);
    expect(request.principal?.role).toBe(role);
    expect(taken).toEqual([`x-${role}`]);
  });

  it('refuses any other role with FORBIDDEN', async () => {
    await expect(guard('agency', []).canActivate(context({ headers: {} }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('passes on UNAUTHENTICATED from the credentials', async () => {
    const failing = new PrincipalGuard(
      { authenticate: () => Promise.reject(new GatewayError('UNAUTHENTICATED')) } as unknown as CredentialsService,
      new Reflector(),
      { take: () => undefined } as unknown as RateLimiter,
    );
    await expect(failing.canActivate(context({ headers: {} }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
