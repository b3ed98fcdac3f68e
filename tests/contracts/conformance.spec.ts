import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ClassConstructor } from 'class-transformer';
import { isGatewayError } from '#core';
import { checkCreditCode } from '#codes';
import { checkInformationSheet, type InformationSheet } from '#pension';
import {
  AGENCY_BATCH_LIMITS,
  AGENCY_DELIVER,
  AGENCY_DELIVER_BATCH,
  AGENCY_STAGES,
  AGENCY_STATUS,
  AGENCY_STATUS_BATCH,
  batchItems,
  AgencyStatusReportDto,
  CARD_FUNCTIONS,
  CASE_STAGES,
  CLAIMANT_RELATIONS,
  CLAIMANT_ROLES,
  checkServiceRules,
  DEATH_PROOF_TYPES,
  FREE_TEXT_REFUSED,
  GB_FORMATS,
  LOSS_TYPES,
  MEDICAL_FILING_ACTIONS,
  MEDICAL_FILING_TYPES,
  PEER_MESSAGE_TYPES,
  PENSION_TYPES,
  PLAIN_TEXT_REFUSED,
  QUALIFICATION_METHODS,
  REJECTION_REASONS,
  SERVICE_CATALOGUE,
  SERVICE_CODES,
  SSC_APPLY_KINDS,
  SSC_LOSS_ACTIONS,
  validateContract,
  type RuleContext,
  type ServiceCode,
  type ServiceRequest,
} from '#contracts';

/**
 * The golden examples in /contracts/examples, replayed against both the JSON Schemas (what
 * agencies and the web console code against) and the code's validators: both accept, or both
 * refuse with the code the example names.
 *
 * - Rules a JSON Schema cannot express (the GB 11643 check digit, GB/T 2260 membership, the
 *   date rules of service-rules.ts that compare fields or depend on today) are marked
 *   `schemaCanExpress: false`: the schema accepts, the code refuses.
 * - Window requests also run `checkServiceRules` with the example's `context` (today and the
 *   death-benefit claim window), as intake does after the contract's own validation.
 * - An example with `pendingCodeFix` is a refusal the schema makes and the code does not yet:
 *   the test pins both verdicts and fails once libs/contracts is fixed, to drop the marker.
 * - The agency delivery, the envelope claims and the receipt have no standalone contract class
 *   (the adapter and libs/signing check them by hand), so their examples run on the schema only.
 */
const root = join(process.cwd(), 'contracts');
const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
// As an agency's validator that knows the GB formats only by name: annotations, checked by the code (schemaCanExpress: false).
for (const format of Object.keys(GB_FORMATS)) ajv.addFormat(format, true);

type JsonSchema = Record<string, unknown> & { $id: string; properties?: Record<string, JsonSchema> };
const schemaFiles = readdirSync(join(root, 'schemas')).filter((f) => f.endsWith('.schema.json'));
const schemas = new Map<string, JsonSchema>();
for (const file of schemaFiles) {
  const schema = JSON.parse(readFileSync(join(root, 'schemas', file), 'utf8')) as JsonSchema;
  schemas.set(file, schema);
  ajv.addSchema(schema);
}
/** `ssc-loss.v1.schema.json` → `ssc-loss.v1` (the examples folder) */
const folderOf = (file: string) => file.replace(/\.schema\.json$/, '');
const schemaOf = (folder: string) => schemas.get(`${folder}.schema.json`) as JsonSchema;

interface ContractIndex {
  services: Record<string, string>;
  messages: Record<string, Record<string, string>>;
  agencyLink: Record<string, string>;
  signed: Record<string, string>;
}
const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as ContractIndex;
const folderOfPath = (path: string) => folderOf(path.replace(/^schemas\//, ''));

/** Today and the local claim window the service rules are checked against, unless an example says. */
const DEFAULT_CONTEXT: RuleContext = { today: '2026-11-23', deathClaimWindowDays: 30 };

type Validator =
  // Intake checks a window's request against its published schema (SERVICE_CATALOGUE[code].contract).
  | { kind: 'intake'; validate: (body: unknown) => object }
  | { kind: 'peer'; dto: ClassConstructor<object>; messageType: string }
  | { kind: 'agency-status'; dto: ClassConstructor<object> }
  // A batch on the agency link: the code refuses it as a whole only when it is not 1 to `limit`
  // items (each item is then checked on its own, as its single-message schema says).
  | { kind: 'agency-batch'; limit: number }
  | { kind: 'schema-only'; code: string };

const VALIDATORS: Record<string, Validator> = {
  ...Object.fromEntries(
    Object.entries(index.services).map(([code, path]) => [
      folderOfPath(path),
      { kind: 'intake', validate: (body: unknown) => SERVICE_CATALOGUE[code as ServiceCode].contract.validate(body) },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(index.messages).flatMap(([type, versions]) =>
      Object.entries(versions).map(([ver, path]) => {
        const known = PEER_MESSAGE_TYPES[type as keyof typeof PEER_MESSAGE_TYPES] as { versions: Record<number, ClassConstructor<object>> } | undefined;
        return [folderOfPath(path), { kind: 'peer', dto: known?.versions[Number(ver)] as ClassConstructor<object>, messageType: type }];
      }),
    ),
  ),
  'agency-status.v1': { kind: 'agency-status', dto: AgencyStatusReportDto },
  'agency-delivery.v1': { kind: 'schema-only', code: 'CONTRACT_INVALID' },
  'agency-delivery-batch.v1': { kind: 'agency-batch', limit: AGENCY_BATCH_LIMITS.deliveries },
  'agency-status-batch.v1': { kind: 'agency-batch', limit: AGENCY_BATCH_LIMITS.statuses },
  'envelope-claims.v1': { kind: 'schema-only', code: 'ENVELOPE_CLAIMS_INVALID' },
  'receipt.v1': { kind: 'schema-only', code: 'RECEIPT_INVALID' },
  'log-checkpoint.v1': { kind: 'schema-only', code: 'CHECKPOINT_INVALID' },
  'log-countersignature.v1': { kind: 'schema-only', code: 'CHECKPOINT_INVALID' },
};

interface Example {
  description: string;
  expect: string;
  field?: string;
  schemaCanExpress?: boolean;
  pendingCodeFix?: string;
  context?: RuleContext;
  body: unknown;
}

const folders = schemaFiles.map(folderOf);
const cases = folders
  .filter((folder) => existsSync(join(root, 'examples', folder)))
  .flatMap((folder) =>
    readdirSync(join(root, 'examples', folder)).map((file) => ({
      name: `${folder}/${file}`,
      folder,
      file,
      example: JSON.parse(readFileSync(join(root, 'examples', folder, file), 'utf8')) as Example,
    })),
  );

type Verdict = { code: string; fields: string[] } | 'valid';

function codeVerdict(validator: Validator, example: Example, body: unknown = example.body): Verdict | undefined {
  if (validator.kind === 'schema-only') return undefined;
  if (validator.kind === 'agency-batch') return batchItems(body, validator.limit) ? 'valid' : { code: 'CONTRACT_INVALID', fields: ['items'] };
  try {
    if (validator.kind === 'intake') {
      const request = validator.validate(body);
      checkServiceRules(request as ServiceRequest, example.context ?? DEFAULT_CONTEXT);
    } else {
      validateContract(validator.dto, body, 'CONTRACT_INVALID', { forbidUnknown: false });
    }
    return 'valid';
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    return { code: error.code, fields: error.fields.map((f) => f.field) };
  }
}

/** The fields ajv names, written like the code's field paths (`materials[0].sha256`). */
function schemaFields(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const parts = e.instancePath.split('/').slice(1);
    if (e.keyword === 'required') parts.push((e.params as { missingProperty: string }).missingProperty);
    if (e.keyword === 'additionalProperties') parts.push((e.params as { additionalProperty: string }).additionalProperty);
    return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`), '');
  });
}

/** Whether the schema names the example's field, or a field inside it (`detail.amounts.funeralGrant`). */
function namesField(fields: readonly string[], field: string): boolean {
  return fields.some((f) => f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`));
}

function schemaVerdict(folder: string, body: unknown): { ok: boolean; fields: string[] } {
  const ok = ajv.validate(schemaOf(folder).$id, body);
  return { ok, fields: ok ? [] : schemaFields(ajv.errors) };
}

/** The values an enumeration allows, written as `enum` or as `oneOf` of titled `const`s. */
function allowed(node: unknown): unknown[] {
  const n = node as { enum?: unknown[]; oneOf?: { const: unknown }[]; const?: unknown };
  if (n.enum) return n.enum;
  if (n.oneOf) return n.oneOf.map((c) => c.const);
  return n.const === undefined ? [] : [n.const];
}
function at(schema: JsonSchema, path: string): JsonSchema {
  return path.split('.').reduce<JsonSchema>((node, key) => (key === '[]' ? (node.items as JsonSchema) : (node.properties as Record<string, JsonSchema>)[key]), schema);
}

describe('contract index: every service and message type has its schema', () => {
  it('lists every carried service with a window-request schema', () => {
    expect(Object.keys(index.services).sort()).toEqual([...SERVICE_CODES].sort());
    for (const [code, path] of Object.entries(index.services)) {
      expect(schemaOf(folderOfPath(path))).toBeDefined();
      expect(allowed(at(schemaOf(folderOfPath(path)), 'service'))).toEqual([code]);
    }
  });

  it('maps every peer message type and version the code knows to a schema file, and no other', () => {
    const known = Object.fromEntries(
      Object.entries(PEER_MESSAGE_TYPES).map(([type, { versions }]) => [type, Object.keys(versions).sort()]),
    );
    const published = Object.fromEntries(Object.entries(index.messages).map(([type, versions]) => [type, Object.keys(versions).sort()]));
    expect(published).toEqual(known);
    for (const [type, versions] of Object.entries(index.messages)) {
      for (const [ver, path] of Object.entries(versions)) {
        const schema = schemaOf(folderOfPath(path));
        expect({ type, file: path, exists: schema !== undefined }).toEqual({ type, file: path, exists: true });
        expect(schema.$id).toMatch(new RegExp(`:v${ver}$`));
      }
    }
  });

  it('ties each forwarded request to its service and the window schema', () => {
    for (const [type, versions] of Object.entries(index.messages)) {
      if (!type.endsWith('.request')) continue;
      const service = type.replace(/\.request$/, '');
      const schema = schemaOf(folderOfPath(versions['1']));
      expect(allowed(at(schema, 'service'))).toEqual([service]);
      expect(at(schema, 'request').$ref).toBe(schemaOf(folderOfPath(index.services[service])).$id);
    }
  });

  it('lists every schema file in the index, with an examples folder and a validator', () => {
    const listed = [
      ...Object.values(index.services),
      ...Object.values(index.messages).flatMap((v) => Object.values(v)),
      ...Object.values(index.agencyLink),
      ...Object.values(index.signed),
    ].map((p) => p.replace(/^schemas\//, ''));
    expect([...listed].sort()).toEqual([...schemaFiles].sort());
    for (const folder of folders) {
      expect({ folder, examples: existsSync(join(root, 'examples', folder)), validator: folder in VALIDATORS }).toEqual({
        folder,
        examples: true,
        validator: true,
      });
    }
  });

  it('lists each agency-link pattern the code defines, and a batch schema as large as the code allows', () => {
    expect(Object.keys(index.agencyLink).sort()).toEqual([AGENCY_DELIVER, AGENCY_DELIVER_BATCH, AGENCY_STATUS, AGENCY_STATUS_BATCH].sort());
    expect((at(schemaOf('agency-delivery-batch.v1'), 'items') as { maxItems?: number }).maxItems).toBe(AGENCY_BATCH_LIMITS.deliveries);
    expect((at(schemaOf('agency-status-batch.v1'), 'items') as { maxItems?: number }).maxItems).toBe(AGENCY_BATCH_LIMITS.statuses);
  });

  it('names every known message type in the envelope claims, and every type matches the mtype pattern', () => {
    const mtype = at(schemaOf('envelope-claims.v1'), 'mtype') as JsonSchema & { examples: string[]; pattern: string };
    expect([...mtype.examples].sort()).toEqual(Object.keys(PEER_MESSAGE_TYPES).sort());
    for (const type of Object.keys(PEER_MESSAGE_TYPES)) expect(type).toMatch(new RegExp(mtype.pattern));
  });
});

describe('contract schemas mirror the TypeScript enumerations', () => {
  const agencyTypes = Object.keys(PEER_MESSAGE_TYPES).filter((t) => t !== 'status-update');
  it.each([
    ['ssc-apply.v1', 'kind', SSC_APPLY_KINDS],
    ['ssc-loss.v1', 'action', SSC_LOSS_ACTIONS],
    ['ssc-loss.v1', 'lossType', LOSS_TYPES],
    ['ssc-loss.v1', 'functions.[]', CARD_FUNCTIONS],
    ['medical-filing.v1', 'action', MEDICAL_FILING_ACTIONS],
    ['medical-filing.v1', 'filingType', MEDICAL_FILING_TYPES],
    ['pension-qualification.v1', 'pensionType', PENSION_TYPES],
    ['pension-qualification.v1', 'method', QUALIFICATION_METHODS],
    ['death-benefit.v1', 'deathProof.type', DEATH_PROOF_TYPES],
    ['death-benefit.v1', 'claimant.role', CLAIMANT_ROLES],
    ['death-benefit.v1', 'claimant.relation', CLAIMANT_RELATIONS],
    ['status-update.v1', 'stage', CASE_STAGES],
    ['status-update.v1', 'reason.code', REJECTION_REASONS],
    ['agency-status.v1', 'stage', AGENCY_STAGES],
    ['agency-status.v1', 'reason.code', REJECTION_REASONS],
    ['agency-delivery.v1', 'messageType', agencyTypes],
  ] as const)('%s %s', (folder, path, values) => {
    expect([...allowed(at(schemaOf(folder), path))].sort()).toEqual([...values].sort());
  });

  it('labels every property for the console: a Chinese title and an English description', () => {
    const missing: string[] = [];
    const walk = (node: JsonSchema, path: string) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        const here = `${path}.${key}`;
        if (typeof child.title !== 'string' || !/\p{Script=Han}/u.test(child.title)) missing.push(`${here}: title`);
        if (typeof child.description !== 'string' || !/[A-Za-z]/.test(child.description)) missing.push(`${here}: description`);
        walk(child, here);
        if (child.items) walk(child.items as JsonSchema, `${here}[]`);
      }
    };
    for (const [file, schema] of schemas) walk(schema, file);
    expect(missing).toEqual([]);
  });
});

describe('contract conformance: JSON Schemas and code validators agree on the golden examples', () => {
  it('has valid and invalid examples for every schema', () => {
    for (const folder of folders) {
      const mine = cases.filter((c) => c.folder === folder);
      expect({ folder, valid: mine.some((c) => c.example.expect === 'valid') }).toEqual({ folder, valid: true });
      expect({ folder, invalid: mine.some((c) => c.example.expect !== 'valid') }).toEqual({ folder, invalid: true });
    }
  });

  it.each(cases.filter((c) => c.example.pendingCodeFix === undefined))('$name', ({ folder, example }) => {
    const validator = VALIDATORS[folder];
    const schema = schemaVerdict(folder, example.body);
    const verdict = codeVerdict(validator, example);
    if (example.expect === 'valid') {
      expect({ schema, verdict }).toEqual({ schema: { ok: true, fields: [] }, verdict: verdict === undefined ? undefined : 'valid' });
      return;
    }
    if (example.schemaCanExpress === false) expect(schema.ok).toBe(true);
    else {
      expect(schema.ok).toBe(false);
      if (example.field) expect({ fields: schema.fields, names: namesField(schema.fields, example.field) }).toMatchObject({ names: true });
    }
    if (validator.kind === 'schema-only') {
      expect(example.expect).toBe(validator.code);
      return;
    }
    expect(verdict).not.toBe('valid');
    if (verdict === 'valid' || verdict === undefined) return;
    expect(verdict.code).toBe(example.expect);
    if (example.field) expect(verdict.fields).toContain(example.field);
  });
});

describe('golden examples are made of real figures', () => {
  /** Every information sheet and agency credit code inside an example body, with where it sits. */
  function collect(node: unknown, path: string, out: { sheets: [string, InformationSheet][]; creditCodes: [string, string][] }) {
    if (Array.isArray(node)) node.forEach((item, i) => collect(item, `${path}[${i}]`, out));
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        const here = path === '' ? key : `${path}.${key}`;
        if ((key === 'sheet' || key === 'informationSheet') && value !== null && typeof value === 'object') out.sheets.push([here, value as InformationSheet]);
        if (key === 'agencyCreditCode' && typeof value === 'string') out.creditCodes.push([here, value]);
        collect(value, here, out);
      }
    }
    return out;
  }

  it('every information sheet of a valid example adds up (libs/pension), except the one that shows a wrong sheet is still valid', () => {
    const found = cases
      .filter((c) => c.example.expect === 'valid')
      .flatMap((c) => collect(c.example.body, '', { sheets: [], creditCodes: [] }).sheets.map(([at, sheet]) => ({ example: c.name, at, codes: checkInformationSheet(sheet).map((p) => p.code) })));
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      const expected = f.example.endsWith('/valid-sheet-sums-wrong.json') ? ['SHEET_POOLED_MISMATCH'] : [];
      expect(f).toEqual({ ...f, codes: expected });
    }
  });

  it('every agency credit code carries a correct GB 32100 check character, except in examples about that check', () => {
    const found = cases.flatMap((c) => collect(c.example.body, '', { sheets: [], creditCodes: [] }).creditCodes.map(([at, code]) => ({ example: c.name, at, ok: checkCreditCode(code) })));
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f).toEqual({ ...f, ok: !/invalid-credit-code/.test(f.example) });
  });
});

describe('known disagreements awaiting a fix in libs/contracts (pendingCodeFix)', () => {
  const pending = cases.filter((c) => c.example.pendingCodeFix !== undefined);
  it.each(pending.length > 0 ? pending.map((c) => [c.name, c] as const) : [['none', undefined] as const])('%s: the schema refuses, the code does not yet', (_name, c) => {
    if (c === undefined) return;
    const schema = schemaVerdict(c.folder, c.example.body);
    expect(schema.ok).toBe(false);
    if (c.example.field) expect({ fields: schema.fields, names: namesField(schema.fields, c.example.field) }).toMatchObject({ names: true });
    // When this fails, the code has been fixed: drop `pendingCodeFix` from ${c.name}.
    expect({ example: c.name, code: codeVerdict(VALIDATORS[c.folder], c.example) }).toEqual({ example: c.name, code: 'valid' });
  });
});

describe('versioning: a known major version tolerates unknown optional fields', () => {
  const tolerant = folders.filter((f) => {
    const v = VALIDATORS[f];
    return v?.kind === 'peer' || v?.kind === 'agency-status';
  });

  it('has a valid-unknown-optional-field example for every peer message', () => {
    for (const type of Object.keys(PEER_MESSAGE_TYPES)) {
      const folder = folderOfPath(index.messages[type]?.['1'] ?? '');
      expect({ type, example: existsSync(join(root, 'examples', folder, 'valid-unknown-optional-field.json')) }).toEqual({ type, example: true });
    }
  });

  it.each(tolerant)('%s: every valid example still passes with an unknown top-level field', (folder) => {
    const valid = cases.filter((c) => c.folder === folder && c.example.expect === 'valid');
    expect(valid.length).toBeGreaterThan(0);
    for (const { name, example } of valid) {
      const body = { ...(example.body as object), addedInAMinorVersion: { note: 'not known to this receiver' } };
      const properties = Object.keys(schemaOf(folder).properties ?? {});
      expect(properties).not.toContain('addedInAMinorVersion');
      expect({ name, schema: schemaVerdict(folder, body).ok, code: codeVerdict(VALIDATORS[folder], example, body) }).toEqual({
        name,
        schema: true,
        code: 'valid',
      });
    }
  });

  it('refuses an unknown field at intake, where a typo must not pass silently', () => {
    for (const [code, path] of Object.entries(index.services)) {
      const folder = folderOfPath(path);
      const valid = cases.find((c) => c.folder === folder && c.example.expect === 'valid');
      expect({ code, found: valid !== undefined }).toEqual({ code, found: true });
      if (!valid) continue;
      const body = { ...(valid.example.body as object), typo: 'x' };
      expect(schemaVerdict(folder, body).ok).toBe(false);
      expect(codeVerdict(VALIDATORS[folder], valid.example, body)).toMatchObject({ code: 'VALIDATION_FAILED', fields: ['typo'] });
    }
  });
});

describe('text characters: the schemas forbid what the code refuses (TEXT_CHARACTERS_INVALID)', () => {
  /** One of each kind of character IsPlainText refuses; IsFreeText refuses all but the line breaks and tab. */
  const REFUSED = ['\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\u009f', '\u202a', '\u202e', '\u2066', '\u2069', '\ufffd', '\ud800', '\udfff'];
  const LINE_BREAKS = ['\t', '\n', '\r'];
  const inner = (refused: RegExp) => refused.source.slice(1, -1);
  /** The published text patterns, made from the code's own expressions so the two cannot drift. */
  const TEXT_PATTERNS = new Set([
    `^[^${inner(PLAIN_TEXT_REFUSED)}]*$`,
    `^(?=[\\s\\S]*\\S)[^${inner(PLAIN_TEXT_REFUSED)}]*$`,
    `^[^${inner(FREE_TEXT_REFUSED)}]*$`,
  ]);
  // Hand-checked by libs/signing and never typed by a person.
  const SIGNED_ONLY = new Set(['receipt.v1']);

  /** Every string-valued schema node, with where it sits. */
  function strings(node: unknown, path: string, out: [string, JsonSchema][]): [string, JsonSchema][] {
    if (node === null || typeof node !== 'object') return out;
    const n = node as JsonSchema;
    if (n['type'] === 'string') out.push([path, n]);
    for (const [key, child] of Object.entries(n.properties ?? {})) strings(child, `${path}.${key}`, out);
    if (n['items']) strings(n['items'], `${path}[]`, out);
    if (n['additionalProperties'] && typeof n['additionalProperties'] === 'object') strings(n['additionalProperties'], `${path}{}`, out);
    return out;
  }

  it('publishes a pattern on every free-form string that refuses each of those characters', () => {
    const open: string[] = [];
    for (const [file, schema] of schemas) {
      if (SIGNED_ONLY.has(folderOf(file))) continue;
      for (const [path, node] of strings(schema, file, [])) {
        if (node['enum'] || node['const'] !== undefined || node['oneOf'] || node['format']) continue;
        const pattern = typeof node['pattern'] === 'string' ? new RegExp(node['pattern'], 'u') : undefined;
        const lets = REFUSED.filter((ch) => pattern === undefined || pattern.test(`ab${ch}cd`));
        if (lets.length > 0) open.push(`${path}: ${lets.map((ch) => `U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`).join(' ')}`);
        if (typeof node['pattern'] === 'string' && node['pattern'].includes('\\u0000')) {
          expect({ path, pattern: TEXT_PATTERNS.has(node['pattern']) }).toEqual({ path, pattern: true });
        }
      }
    }
    expect(open).toEqual([]);
  });

  it('lets line breaks and tabs through the free-text pattern only, and a name from beyond the BMP through both', () => {
    const plain = new RegExp(`^[^${inner(PLAIN_TEXT_REFUSED)}]*$`, 'u');
    const free = new RegExp(`^[^${inner(FREE_TEXT_REFUSED)}]*$`, 'u');
    for (const ch of LINE_BREAKS) expect({ ch, plain: plain.test(`a${ch}b`), free: free.test(`a${ch}b`) }).toEqual({ ch, plain: false, free: true });
    expect({ plain: plain.test('王\u{2003e}'), free: free.test('王\u{2003e}') }).toEqual({ plain: true, free: true });
  });

  /** Every string leaf of a body, by path (`materials[0].type`). */
  function leaves(node: unknown, path: string, out: string[] = []): string[] {
    if (typeof node === 'string') out.push(path);
    else if (Array.isArray(node)) node.forEach((item, i) => leaves(item, `${path}[${i}]`, out));
    else if (node !== null && typeof node === 'object') for (const [key, value] of Object.entries(node)) leaves(value, path === '' ? key : `${path}.${key}`, out);
    return out;
  }
  function withNul(body: unknown, path: string): unknown {
    const copy = structuredClone(body) as Record<string, unknown>;
    const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
    let node = copy;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    const last = keys.at(-1)!;
    node[last] = `${String(node[last])}\u0000`;
    return copy;
  }

  /** Whether the schema describes the field at `path`: an unknown optional field is tolerated by both, and is not looked at. */
  function described(folder: string, path: string): boolean {
    let node: JsonSchema | undefined = schemaOf(folder);
    for (const key of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
      while (node && typeof node['$ref'] === 'string') node = ajv.getSchema(node['$ref'])?.schema as JsonSchema | undefined;
      if (!node) return false;
      const additional: JsonSchema | undefined = typeof node['additionalProperties'] === 'object' ? (node['additionalProperties'] as JsonSchema) : undefined;
      node = /^\d+$/.test(key) ? (node['items'] as JsonSchema | undefined) : (node.properties?.[key] ?? additional);
    }
    return node !== undefined;
  }
  // The agency link's proof is an HMAC the intake service verifies before the contract is checked.
  const CHECKED_ELSEWHERE = new Set(['proof']);

  const checked = cases.filter((c) => c.example.expect === 'valid' && ['intake', 'peer', 'agency-status'].includes(VALIDATORS[c.folder]?.kind ?? ''));
  it.each(checked.map((c) => [c.name, c] as const))('%s: a NUL added to any string is refused by schema and code, at that field', (_name, c) => {
    const agreed: string[] = [];
    for (const path of leaves(c.example.body, '')) {
      if (!described(c.folder, path) || CHECKED_ELSEWHERE.has(path)) continue;
      const body = withNul(c.example.body, path);
      const schema = schemaVerdict(c.folder, body);
      const verdict = codeVerdict(VALIDATORS[c.folder], c.example, body);
      // The code may name the field or the object around it (the open part of a sealed request).
      const named = verdict !== 'valid' && verdict !== undefined && verdict.fields.some((f) => path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`));
      agreed.push(`${path}: schema ${schema.ok ? 'accepts' : 'refuses'}, code ${named ? 'refuses it' : JSON.stringify(verdict)}`);
    }
    expect(agreed.filter((line) => !line.endsWith('schema refuses, code refuses it'))).toEqual([]);
  });
});
