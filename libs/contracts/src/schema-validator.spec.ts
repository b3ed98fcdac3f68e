import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isGatewayError } from '#core';
import type { ServiceRequest } from './canonical.js';
import { cardRequest } from './canonical.fixtures.js';
import { SERVICE_CATALOGUE } from './service-catalogue.js';
import { checkServiceRules, type RuleContext } from './service-rules.js';
import { validateContract } from './validate.js';
import type { ServiceCode } from './canonical.js';

/**
 * The schema validators give windows the answers the class-validator classes gave: every golden
 * example, every validate.spec case and a systematic set of one-fault mutations of each valid
 * example run through both, and the code and the fields (path and field code) must be the same.
 */
type Verdict = 'valid' | { code: string; fields: string[] };

const DEFAULT_CONTEXT: RuleContext = { today: '2026-11-23', deathClaimWindowDays: 30 };

function verdictOf(run: () => ServiceRequest, context: RuleContext): Verdict {
  try {
    checkServiceRules(run(), context);
    return 'valid';
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    return { code: error.code, fields: error.fields.map((f) => `${f.field}:${f.code}`).sort() };
  }
}

function both(service: ServiceCode, body: unknown, context: RuleContext = DEFAULT_CONTEXT): { classes: Verdict; schema: Verdict } {
  const definition = SERVICE_CATALOGUE[service];
  return {
    classes: verdictOf(() => validateContract<ServiceRequest>(definition.dto, body), context),
    schema: verdictOf(() => definition.contract.validate(body), context),
  };
}

interface Example {
  readonly expect: string;
  readonly context?: RuleContext;
  readonly body: Record<string, unknown>;
}
const root = join(process.cwd(), 'contracts');
const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as { services: Record<string, string> };
const examples = Object.entries(index.services).flatMap(([service, path]) => {
  const folder = path.replace(/^schemas\//, '').replace(/\.schema\.json$/, '');
  return readdirSync(join(root, 'examples', folder)).map((file) => ({
    name: `${folder}/${file}`,
    service: service as ServiceCode,
    example: JSON.parse(readFileSync(join(root, 'examples', folder, file), 'utf8')) as Example,
  }));
});

describe('schema validators answer the golden examples as the classes do', () => {
  it.each(examples.map((e) => [e.name, e] as const))('%s', (_name, { service, example }) => {
    const { classes, schema } = both(service, example.body, example.context ?? DEFAULT_CONTEXT);
    expect({ agree: agree(classes, schema), classes, schema }).toEqual({ agree: true, classes, schema });
    expect(schema === 'valid' ? 'valid' : schema.code).toBe(example.expect);
  });
});

/** Every leaf and object of a body, by path segments. */
function paths(node: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(node)) node.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (node !== null && typeof node === 'object') for (const [key, value] of Object.entries(node)) paths(value, [...prefix, key], out);
  return out;
}

function edited(body: unknown, path: readonly (string | number)[], edit: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  edit(parent, path.at(-1)!);
  return copy;
}

const REPLACEMENTS: readonly [string, unknown][] = [
  ['null', null],
  ['a number', 7],
  ['a fraction', 2026.5],
  ['true', true],
  ['an empty string', ''],
  ['blanks', '   '],
  ['a short word', 'x'],
  ['a long string', 'x'.repeat(300)],
  ['an object', {}],
  ['an array', []],
  ['an array of a string', ['x']],
  ['a padded word', '  abcdef  '],
  ['a control character', 'ab\u0000cd'],
  ['an unknown region', '519999'],
  ['a date that is no day', '2026-02-30'],
];

/** One-fault mutations of each valid example: each field removed or replaced, an unknown field added to each object. */
const mutations = examples
  .filter((e) => e.example.expect === 'valid')
  .flatMap(({ name, service, example }) =>
    paths(example.body).flatMap((path) => {
      const at = path.join('.');
      const out = [
        { name: `${name} ${at} removed`, service, body: edited(example.body, path, (p, k) => (Array.isArray(p) ? p.splice(Number(k), 1) : delete p[k])) },
        ...REPLACEMENTS.map(([what, value]) => ({ name: `${name} ${at} = ${what}`, service, body: edited(example.body, path, (p, k) => (p[k] = structuredClone(value))) })),
      ];
      const value = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], example.body);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        out.push({ name: `${name} ${at} + unknown field`, service, body: edited(example.body, [...path, 'extra'], (p, k) => (p[k] = 1)) });
      }
      return out;
    }),
  );

/**
 * The one way the answers may differ where both refuse: a value of the wrong JSON type (a number
 * where a name belongs) is now said to be of the wrong type (NOT_A_STRING...), where
 * class-validator named its last constraint on the field (TOO_LONG, BAD_FORMAT, TOO_MANY). The
 * code of the refusal and the fields named are the same.
 */
function agree(classes: Verdict, schema: Verdict): boolean {
  const TYPE_CODE = /^NOT_AN?_(STRING|INTEGER|NUMBER|BOOLEAN|ARRAY|OBJECT)$/;
  if (JSON.stringify(classes) === JSON.stringify(schema)) return true;
  if (classes === 'valid' || schema === 'valid' || classes.code !== schema.code) return false;
  const split = (f: string) => [f.slice(0, f.lastIndexOf(':')), f.slice(f.lastIndexOf(':') + 1)] as const;
  if (classes.fields.length !== schema.fields.length) return false;
  return classes.fields.every((f, i) => {
    const [field, code] = split(f);
    const [schemaField, schemaCode] = split(schema.fields[i]);
    return field === schemaField && (code === schemaCode || TYPE_CODE.test(schemaCode));
  });
}

const fields = (v: Verdict): string[] => (v === 'valid' ? [] : v.fields);

/**
 * Where the classes answered wrongly, the schema (the published contract) wins. Each rule must
 * still be needed (it matches at least one mutation), so none outlives its reason.
 */
const SCHEMA_WINS: readonly { readonly why: string; readonly applies: (name: string, classes: Verdict, schema: Verdict) => boolean }[] = [
  {
    why: 'an optional field sent as null is refused (IsOptional let it through as if absent)',
    applies: (name, classes, schema) => / = null$/.test(name) && classes === 'valid' && schema !== 'valid',
  },
  {
    why: 'an object where a list belongs is not a list (the classes named its would-be items and TOO_MANY)',
    applies: (name, _classes, schema) => / (materials|transferOut) = an object$/.test(name) && /^\w+:NOT_AN_ARRAY$/.test(fields(schema).join()),
  },
  {
    why: 'a list where an object belongs inside a list is refused at that item (the classes let an empty one through, or named the item inside it)',
    applies: (name, _classes, schema) => / (materials|transferOut)\.\d+ = an array( of a string)?$/.test(name) && /^\w+\[\d+\]:NOT_AN_OBJECT$/.test(fields(schema).join()),
  },
  {
    why: 'a list where an object belongs is named once (the classes named it and its first item)',
    applies: (name, classes, schema) => / = an array of a string$/.test(name) && fields(classes).length === 2 && /^\w+:NOT_AN_OBJECT$/.test(fields(schema).join()),
  },
  {
    why: 'a medical filing without a valid action is not also missing filingRef (which only change and cancel need)',
    applies: (name, classes, schema) =>
      /^medical-filing\.v1\/\S+ action (removed|= .+)$/.test(name) && JSON.stringify([...fields(schema), 'filingRef:REQUIRED'].sort()) === JSON.stringify(fields(classes)),
  },
];

describe('schema validators answer one-fault mutations as the classes do', () => {
  it(`agrees on ${mutations.length} mutations of the valid examples`, () => {
    const disagreements: string[] = [];
    const used = new Set<string>();
    for (const { name, service, body } of mutations) {
      const { classes, schema } = both(service, body);
      if (agree(classes, schema)) continue;
      const rule = SCHEMA_WINS.find((r) => r.applies(name, classes, schema));
      if (rule) used.add(rule.why);
      else disagreements.push(`${name}: classes ${JSON.stringify(classes)}, schema ${JSON.stringify(schema)}`);
    }
    expect(disagreements).toEqual([]);
    expect([...used].sort()).toEqual(SCHEMA_WINS.map((r) => r.why).sort());
  });
});

describe('schema validators answer the validate.spec cases as the classes do', () => {
  const VALID = { ...cardRequest, applicant: { ...cardRequest.applicant, idNumber: '11010519491231002X' } };
  const text = (): string => JSON.stringify(VALID);
  const material = JSON.stringify({ ...VALID, materials: [{ type: 'id-card-copy', sha256: 'a'.repeat(64) }] });
  const PROTOTYPE_NAMES = ['constructor', 'toString', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'valueOf', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', '__proto__'];
  const withName = (name: string) => ({ ...VALID, applicant: { ...VALID.applicant, name } });
  const withId = (idNumber: string) => ({ ...VALID, applicant: { ...VALID.applicant, idNumber } });
  const cases: [string, unknown][] = [
    ['the valid card application', JSON.parse(text())],
    ...PROTOTYPE_NAMES.flatMap((n): [string, unknown][] => [
      [`${n} at the top`, JSON.parse(text().replace(/^\{/, `{"${n}":{"polluted":true},`))],
      [`${n} nested`, JSON.parse(text().replace('"applicant":{', `"applicant":{"${n}":"x",`))],
      [`${n} in an array element`, JSON.parse(material.replace('"materials":[{', `"materials":[{"${n}":1,`))],
    ]),
    ['prototype names and other faults together', JSON.parse(text().replace(/^\{/, '{"valueOf":1,"extra":2,').replace('"PHOTO-0001"', '"!"'))],
    ...['王\u0000五', '王\u0001五', '王\n五', '王\t五', '王\u007f五', '王\u0085五', '王\ufffd五', '王\u202e五', '\u202a王五', '王五\u2069', '\u2068王五', '王\ud800五', '王\udc00五', '王\u{2003e}'].map(
      (name): [string, unknown] => [`name ${JSON.stringify(name)}`, withName(name)],
    ),
    ['a control character in the address', { ...VALID, deliveryAddress: { ...VALID.deliveryAddress, line: '春熙路\u0001 1 号' } }],
    ['a text fault with another fault', { ...withName('王\u0000五'), photoRef: '!' }],
    ...[' 11010519491231002X', '11010519491231002X ', '11010519491231002X\n', '110105 19491231002X', '\u300011010519491231002X', '11010519491231002x'].map(
      (id): [string, unknown] => [`ID number ${JSON.stringify(id)}`, withId(id)],
    ),
  ];
  it.each(cases)('%s', (_name, body) => {
    const { classes, schema } = both('ssc.apply', body);
    expect(schema).toEqual(classes);
  });

  it('keeps a lower-case check character upper-case and trims a one-line text, as the classes did', () => {
    const body = { ...withId('11010519491231002x'), deliveryAddress: { ...VALID.deliveryAddress, line: '  春熙路 1 号  ' } };
    const request = SERVICE_CATALOGUE['ssc.apply'].contract.validate(body);
    expect(request.applicant.idNumber).toBe('11010519491231002X');
    expect(request.deliveryAddress.line).toBe('春熙路 1 号');
    // The body itself is left as it came.
    expect(body.applicant.idNumber).toBe('11010519491231002x');
  });

  it('copies a __proto__ key as the own field it is, so it is refused by name and pollutes nothing', () => {
    const body = JSON.parse(text().replace('"applicant":{', '"applicant":{"__proto__":{"isAdmin":true},')) as unknown;
    expect(() => SERVICE_CATALOGUE['ssc.apply'].contract.validate(body)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', fields: [expect.objectContaining({ field: 'applicant.__proto__', code: 'UNKNOWN_FIELD' })] }),
    );
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });

  it('names every field at fault, not only the first', () => {
    const body = { ...VALID, kind: 'lost', photoRef: '!', issuingRegion: '519999', applicant: { ...VALID.applicant, phone: undefined } };
    expect(() => SERVICE_CATALOGUE['ssc.apply'].contract.validate(JSON.parse(JSON.stringify(body)))).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        fields: expect.arrayContaining([
          expect.objectContaining({ field: 'kind', code: 'NOT_ALLOWED_VALUE' }),
          expect.objectContaining({ field: 'photoRef', code: 'BAD_FORMAT' }),
          expect.objectContaining({ field: 'issuingRegion', code: 'REGION_UNKNOWN' }),
          expect.objectContaining({ field: 'applicant.phone', code: 'REQUIRED' }),
        ]),
      }),
    );
  });
});
