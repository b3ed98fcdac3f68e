import { cardApplication } from '../e2e/support/applications.js';
import { GatewayPair } from '../e2e/support/gateway-pair.js';

/**
 * What intake takes, over real HTTP: every unknown field (those named like Object.prototype
 * members too), text with control, replacement or bidi-override characters, and an ID number with
 * blanks are refused with a stable code naming the field, and nothing is stored.
 */
interface Answer {
  status: number;
  code?: string;
  fields: string[];
  fieldCodes: string[];
}

describe('strict intake: unknown fields, hostile characters and blanks are refused over HTTP', () => {
  let pair: GatewayPair;

  beforeAll(async () => {
    pair = await GatewayPair.start();
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  async function post(path: string, body: string | Buffer, who: 'window' | 'operator' = 'window'): Promise<Answer> {
    const response = await fetch(pair.cq.url(path), {
      method: 'POST',
      headers: { authorization: pair.cq[who], 'content-type': 'application/json' },
      body,
    });
    const problem = (await response.json()) as { code?: string; errors?: { field: string; code: string }[] };
    return {
      status: response.status,
      ...(problem.code === undefined ? {} : { code: problem.code }),
      fields: (problem.errors ?? []).map((e) => e.field),
      fieldCodes: (problem.errors ?? []).map((e) => e.code),
    };
  }

  /** The number of this window's cases and of outbox messages: neither may grow on a refusal. */
  async function stored(): Promise<{ cases: number; outbox: number }> {
    const list = await fetch(pair.cq.url('/api/v1/applications'), { headers: { authorization: pair.cq.window } });
    const { items } = (await list.json()) as { items: unknown[] };
    const counts = await pair.cq.gateway.db.read((s) => s.outbox.countsByState());
    return { cases: items.length, outbox: Object.values(counts).reduce((a, b) => a + b, 0) };
  }

  /** A valid card application as JSON text, with `edit` applied to its object first. */
  function application(edit: (app: Record<string, Record<string, unknown>>) => void = () => undefined): string {
    const app = cardApplication() as unknown as Record<string, Record<string, unknown>>;
    edit(app);
    return JSON.stringify(app);
  }

  it('accepts the valid application the refusals below are made from', async () => {
    const before = await stored();
    expect((await post('/api/v1/applications', application())).status).toBe(201);
    expect((await stored()).cases).toBe(before.cases + 1);
  });

  it.each([
    ['NUL in the name', (a: Record<string, Record<string, unknown>>) => (a['applicant']['name'] = '张\u0000三'), 'applicant.name'],
    ['U+0001 in the address', (a: Record<string, Record<string, unknown>>) => (a['deliveryAddress']['line'] = '春熙路\u0001 1 号'), 'deliveryAddress.line'],
    ['a right-to-left override in the name', (a: Record<string, Record<string, unknown>>) => (a['applicant']['name'] = '张\u202e三'), 'applicant.name'],
    ['a C1 control in the address', (a: Record<string, Record<string, unknown>>) => (a['deliveryAddress']['line'] = '春熙路\u0085 1 号'), 'deliveryAddress.line'],
  ])('refuses %s with TEXT_CHARACTERS_INVALID and stores nothing', async (_what, edit, field) => {
    const before = await stored();
    expect(await post('/api/v1/applications', application(edit))).toEqual({
      status: 400,
      code: 'TEXT_CHARACTERS_INVALID',
      fields: [field],
      fieldCodes: ['TEXT_CHARACTERS_INVALID'],
    });
    expect(await stored()).toEqual(before);
  });

  it('refuses a name with invalid UTF-8 bytes (decoded to U+FFFD) and stores nothing', async () => {
    const text = application((a) => (a['applicant']['name'] = 'NAME'));
    const [head, tail] = text.split('NAME') as [string, string];
    // 0xC3 opens a two-byte sequence that 0x28 ('(') does not continue: not UTF-8.
    const raw = Buffer.concat([Buffer.from(`${head}张`, 'utf8'), Buffer.from([0xc3, 0x28]), Buffer.from(`三${tail}`, 'utf8')]);
    const before = await stored();
    expect(await post('/api/v1/applications', raw)).toEqual({
      status: 400,
      code: 'TEXT_CHARACTERS_INVALID',
      fields: ['applicant.name'],
      fieldCodes: ['TEXT_CHARACTERS_INVALID'],
    });
    expect(await stored()).toEqual(before);
  });

  it.each([' ', '\t', '\u3000'])('refuses an ID number with a blank (%j) and stores nothing', async (blank) => {
    const before = await stored();
    const body = application((a) => (a['applicant']['idNumber'] = `${String(a['applicant']['idNumber'])}${blank}`));
    expect(await post('/api/v1/applications', body)).toEqual({
      status: 400,
      code: 'ID_NUMBER_INVALID',
      fields: ['applicant.idNumber'],
      fieldCodes: ['ID_NUMBER_INVALID'],
    });
    expect(await stored()).toEqual(before);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
    'refuses an unknown field named %s, at the top and nested, and stores nothing',
    async (name) => {
      const before = await stored();
      const top = application().replace(/^\{/, `{"${name}":"x",`);
      expect(await post('/api/v1/applications', top)).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: [name], fieldCodes: ['UNKNOWN_FIELD'] });
      const nested = application().replace('"applicant":{', `"applicant":{"${name}":"x",`);
      expect(await post('/api/v1/applications', nested)).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
        fields: [`applicant.${name}`],
        fieldCodes: ['UNKNOWN_FIELD'],
      });
      expect(await stored()).toEqual(before);
    },
  );

  it('refuses a __proto__ key or a constructor.prototype at any depth while parsing, stores nothing and pollutes no prototype', async () => {
    const before = await stored();
    for (const body of [
      application().replace(/^\{/, '{"__proto__":{"polluted":true},'),
      application().replace('"applicant":{', '"applicant":{"__proto__":{"polluted":true},'),
      application().replace('"applicant":{', '"applicant":{"\\u005f_proto__":{"polluted":true},'),
      application().replace('"applicant":{', '"applicant":{"constructor":{"prototype":{"polluted":true}},'),
    ]) {
      // The parser stops before any object exists (gateway-app.ts); validate.spec.ts shows validateContract naming the path.
      expect(await post('/api/v1/applications', body)).toEqual({ status: 400, code: 'MALFORMED_JSON', fields: [], fieldCodes: [] });
    }
    expect(await stored()).toEqual(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('applies the same rules to follow-ups, pension advice and operator requests', async () => {
    const before = await stored();
    const caseId = 'CQ-20261123-0000000000';
    expect(await post(`/api/v1/applications/${caseId}/withdrawal`, JSON.stringify({ reason: '不办了\u0000' }))).toEqual({
      status: 400,
      code: 'TEXT_CHARACTERS_INVALID',
      fields: ['reason'],
      fieldCodes: ['TEXT_CHARACTERS_INVALID'],
    });
    expect(await post(`/api/v1/applications/${caseId}/withdrawal`, '{"reason":"不办了","toString":"x"}')).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['toString'],
      fieldCodes: ['UNKNOWN_FIELD'],
    });
    const supplement = { materials: [{ type: 'id-card-copy', sha256: 'a'.repeat(64) }], note: '补\u202e正' };
    expect(await post(`/api/v1/applications/${caseId}/supplements`, JSON.stringify(supplement))).toEqual({
      status: 400,
      code: 'TEXT_CHARACTERS_INVALID',
      fields: ['note'],
      fieldCodes: ['TEXT_CHARACTERS_INVALID'],
    });
    const advice = '{"hukouRegion":"510104","birthDate":"1970-01-01","sex":"M","places":[{"region":"510104","periods":[{"from":"1990-01-01","to":"2000-12-31","valueOf":1}]}]}';
    expect(await post('/api/v1/pension/paying-place', advice)).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['places[0].periods[0].valueOf'],
      fieldCodes: ['UNKNOWN_FIELD'],
    });
    const audited = async () => ((await (await fetch(pair.cq.url('/api/v1/operator/audit'), { headers: { authorization: pair.cq.operator } })).json()) as { items: unknown[] }).items.length;
    const auditBefore = await audited();
    expect(await post('/api/v1/operator/keys/rotate', JSON.stringify({ reason: 'scheduled\u001b[2J rotation' }), 'operator')).toEqual({
      status: 400,
      code: 'TEXT_CHARACTERS_INVALID',
      fields: ['reason'],
      fieldCodes: ['TEXT_CHARACTERS_INVALID'],
    });
    expect(await post('/api/v1/operator/keys/rotate', '{"reason":"scheduled rotation","hasOwnProperty":1}', 'operator')).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['hasOwnProperty'],
      fieldCodes: ['UNKNOWN_FIELD'],
    });
    expect(await audited()).toBe(auditBefore);
    expect(await stored()).toEqual(before);
  });
});
