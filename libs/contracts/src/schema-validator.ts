import { Ajv2020, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { checkCreditCode, checkIdNumber, lookupDivision } from '#codes';
import { GatewayError, type ErrorCode, type FieldProblem } from '#core';
import { FREE_TEXT_REFUSED, PLAIN_TEXT_REFUSED } from './code-validators.js';
import { DATE_PATTERN } from './common.dto.js';

/**
 * Window requests checked against the published JSON Schemas (contracts/schemas), the contract
 * agencies and the console code against, with ajv compiled once per schema (about 3 µs a request
 * against 60–160 µs for the class-validator classes, TOOLCHAIN.md). The answers are those windows
 * have always had: the same codes, the same field paths, every field at fault named.
 *
 * What a schema cannot say in standard keywords it says with formats and one annotation, which
 * other validators ignore (draft 2020-12 §7.2: unknown formats annotate, unknown keywords are
 * collected as annotations):
 * - `format: gb11643-id-number`: GB 11643 check character and birth date (ID_NUMBER_INVALID);
 * - `format: gb2260-division-code`: a GB/T 2260 division, current or historic (REGION_UNKNOWN);
 * - `format: gb32100-credit-code`: GB 32100 check character (CREDIT_CODE_INVALID);
 * - `x-normalize: trim | upper-case`: blanks around a one-line text are dropped, and an ID
 *   number's check character is upper-cased, before the value is checked and kept.
 */

/** The GB formats and the field code each is reported with. */
export const GB_FORMATS = {
  'gb11643-id-number': 'ID_NUMBER_INVALID',
  'gb2260-division-code': 'REGION_UNKNOWN',
  'gb32100-credit-code': 'CREDIT_CODE_INVALID',
} as const;

/** The published form of an ID number: 17 digits and a check character, nothing around them. */
const ID_NUMBER_FORM = /^\d{17}[\dXx]$/;
const DIVISION_FORM = /^\d{6}$/;

const GB_CHECKS: Readonly<Record<keyof typeof GB_FORMATS, (value: string) => boolean>> = {
  // checkIdNumber forgives blanks around the number (it also reads typed-in queries): test the form first.
  'gb11643-id-number': (value) => ID_NUMBER_FORM.test(value) && checkIdNumber(value).ok,
  'gb2260-division-code': (value) => DIVISION_FORM.test(value) && lookupDivision(value) !== undefined,
  'gb32100-credit-code': (value) => checkCreditCode(value),
};

/** The text patterns the schemas publish, made from the code's own expressions (as the conformance test does). */
const inner = (refused: RegExp): string => refused.source.slice(1, -1);
const TEXT_PATTERNS: ReadonlySet<string> = new Set([
  `^[^${inner(PLAIN_TEXT_REFUSED)}]*$`,
  `^(?=[\\s\\S]*\\S)[^${inner(PLAIN_TEXT_REFUSED)}]*$`,
  `^[^${inner(FREE_TEXT_REFUSED)}]*$`,
]);

const NORMALIZERS: Readonly<Record<string, (value: string) => string>> = {
  trim: (value) => value.trim(),
  'upper-case': (value) => value.toUpperCase(),
};

/** Field codes that are error codes of their own when they are the only problem (as validateContract). */
const PROMOTED = new Set<string>(['ID_NUMBER_INVALID', 'REGION_UNKNOWN', 'TEXT_CHARACTERS_INVALID', 'DATE_INVALID']);

/** The class-validator code each JSON type check stood for. */
const TYPE_CODES: Readonly<Record<string, string>> = {
  string: 'NOT_A_STRING',
  integer: 'NOT_AN_INTEGER',
  number: 'NOT_A_NUMBER',
  boolean: 'NOT_A_BOOLEAN',
  array: 'NOT_AN_ARRAY',
  object: 'NOT_AN_OBJECT',
};

/**
 * When ajv finds several faults in one field, the one class-validator reported first wins: a
 * missing value, then a wrong type or value, then the form; a field says one thing.
 */
const RANK: Readonly<Record<string, number>> = {
  REQUIRED: 0,
  UNKNOWN_FIELD: 0,
  NOT_AN_OBJECT: 1,
  NOT_AN_ARRAY: 1,
  NOT_A_STRING: 1,
  NOT_AN_INTEGER: 1,
  NOT_A_NUMBER: 1,
  NOT_A_BOOLEAN: 1,
  NOT_ALLOWED_VALUE: 1,
  NOT_ALLOWED: 1,
};
const rankOf = (code: string): number => RANK[code] ?? 2;

/** One compiled window-request contract. */
export interface WindowRequestValidator<T> {
  /** The schema's `$id`, e.g. `urn:cytb:contract:ssc-apply:v1`. */
  readonly id: string;
  /**
   * The body checked and normalised (a copy: the body itself is left as it came), or a
   * GatewayError naming every field at fault (never echoing a value, which may be personal data).
   */
  validate(body: unknown): T;
}

/**
 * Makes the ajv instance the window contracts are compiled with: draft 2020-12, strict (an
 * unknown keyword or format in a schema is a start-up error, not a silently skipped check), every
 * error collected, `required` and property checks on own properties only (a key named like an
 * Object.prototype member is an unknown field, never a declared one).
 */
function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    // `if` blocks name `required` properties declared beside them, not inside: the draft allows it.
    strictRequired: false,
    allErrors: true,
    ownProperties: true,
    unicodeRegExp: true,
    // Errors carry the value and the schema node at fault, read to choose the field's code (never echoed).
    verbose: true,
  });
  (addFormatsPlugin as unknown as (a: Ajv2020, formats: string[]) => void)(ajv, ['date', 'date-time']);
  for (const [name, check] of Object.entries(GB_CHECKS)) ajv.addFormat(name, { type: 'string', validate: check });
  ajv.addKeyword({
    keyword: 'x-normalize',
    type: 'string',
    schemaType: 'string',
    modifying: true,
    // Before the length and pattern checks, which see the normalised value.
    before: 'maxLength',
    metaSchema: { enum: Object.keys(NORMALIZERS) },
    validate: (how: string, value: string, _parent?: AnySchemaObject, cxt?: { parentData: Record<string, unknown> | unknown[]; parentDataProperty: string | number }) => {
      const normalized = NORMALIZERS[how](value);
      if (cxt !== undefined && normalized !== value) (cxt.parentData as Record<string | number, unknown>)[cxt.parentDataProperty] = normalized;
      return true;
    },
  });
  return ajv;
}

let shared: Ajv2020 | undefined;

/**
 * Compiles a window-request schema (once, at start: keep the result). Throws at once on a schema
 * strict mode refuses, so a broken contract stops the process instead of passing requests.
 *
 * @example
 *   const ssc = compileWindowRequest<SscApplyRequest>(sscApplySchema);
 *   const request = ssc.validate(body); // or throws VALIDATION_FAILED / ID_NUMBER_INVALID / ...
 */
export function compileWindowRequest<T>(schema: AnySchemaObject): WindowRequestValidator<T> {
  shared ??= newAjv();
  const id = String(schema['$id']);
  const check = (shared.getSchema(id) as ValidateFunction | undefined) ?? shared.compile(schema);
  return {
    id,
    validate(body: unknown): T {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw GatewayError.field('VALIDATION_FAILED', '', 'the body must be a JSON object');
      }
      // x-normalize writes into what it checks: a copy, so the caller's body stays as it came.
      const copy = copyJson(body);
      if (check(copy)) return copy as T;
      throw refusal(problemsOf(check.errors ?? [], check.schema as AnySchemaObject));
    },
  };
}

/**
 * A deep copy of a parsed JSON value, in a third of structuredClone's time (it is half the cost
 * of a request's check otherwise). A key named `__proto__` is copied as the own data property
 * JSON.parse made it, never assigned (which would set the copy's prototype and hide the key from
 * additionalProperties).
 */
function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copyJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

function refusal(fields: FieldProblem[]): GatewayError {
  const codes = new Set(fields.map((f) => f.code));
  const only = codes.size === 1 ? [...codes][0] : undefined;
  const code: ErrorCode = only !== undefined && PROMOTED.has(only) ? (only as ErrorCode) : 'VALIDATION_FAILED';
  return new GatewayError(code, { detail: `${fields.length} field(s) at fault`, fields });
}

/** ajv's errors as field problems: one per field, named as windows have always seen them. */
function problemsOf(errors: readonly ErrorObject[], root: AnySchemaObject): FieldProblem[] {
  const best = new Map<string, FieldProblem>();
  for (const error of errors) {
    const problem = problemOf(error, root);
    if (problem === undefined) continue;
    const seen = best.get(problem.field);
    if (seen === undefined || rankOf(problem.code) < rankOf(seen.code)) best.set(problem.field, problem);
  }
  return [...best.values()];
}

function problemOf(error: ErrorObject, root: AnySchemaObject): FieldProblem | undefined {
  const schemaPath = error.schemaPath;
  // An enumeration is `oneOf` of titled `const`s: the `oneOf` says it; its branches add nothing.
  if (/\/oneOf\/\d+\//.test(schemaPath)) return undefined;
  // An `if`/`then` failing is reported by the keyword inside `then` that failed.
  if (error.keyword === 'if') return undefined;
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  switch (error.keyword) {
    case 'required':
      return at(segments, (error.params as { missingProperty: string }).missingProperty, 'REQUIRED', 'is required', root);
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      return at(segments, key, 'UNKNOWN_FIELD', `property ${key} should not exist`, root);
    }
    default: {
      // A value given as null is a value not given (class-validator's IsDefined).
      const code = error.data === null && isRequired(root, schemaPath) ? 'REQUIRED' : codeOf(error);
      return at(segments, undefined, code, error.message ?? 'does not match its contract', root);
    }
  }
}

function codeOf(error: ErrorObject): string {
  const owner = (error.parentSchema ?? {});
  const format = typeof owner['format'] === 'string' ? (owner['format']) : undefined;
  const gb = format !== undefined && format in GB_FORMATS ? GB_FORMATS[format as keyof typeof GB_FORMATS] : undefined;
  switch (error.keyword) {
    case 'type':
      // A code field that is no string is no valid code; an enumeration's wrong type, a value not allowed.
      if (gb !== undefined) return gb;
      if (Array.isArray(owner['oneOf']) || owner['enum'] !== undefined || owner['const'] !== undefined) return 'NOT_ALLOWED_VALUE';
      return TYPE_CODES[String((error.params as { type: string }).type)] ?? 'BAD_FORMAT';
    case 'const':
    case 'enum':
    case 'oneOf':
      return 'NOT_ALLOWED_VALUE';
    case 'false schema':
      return 'NOT_ALLOWED';
    case 'minLength':
      return 'TOO_SHORT';
    case 'maxLength':
      return 'TOO_LONG';
    case 'minItems':
      return 'TOO_FEW';
    case 'maxItems':
      return 'TOO_MANY';
    case 'uniqueItems':
      return 'DUPLICATE';
    case 'minimum':
      return 'TOO_SMALL';
    case 'maximum':
      return 'TOO_LARGE';
    case 'pattern':
      if (gb !== undefined) return gb;
      return TEXT_PATTERNS.has(String((error.params as { pattern: string }).pattern)) ? 'TEXT_CHARACTERS_INVALID' : 'BAD_FORMAT';
    case 'format':
      if (gb !== undefined) return gb;
      // A date of the right form that is no calendar day (2026-02-30); the wrong form is the pattern's BAD_FORMAT.
      if (format === 'date') return typeof error.data === 'string' && DATE_PATTERN.test(error.data) ? 'DATE_INVALID' : 'BAD_FORMAT';
      return 'NOT_A_DATE';
    default:
      return 'BAD_FORMAT';
  }
}

/**
 * The field path windows see (`materials[0].sha256`). The items of an array of plain values are
 * the array's field (class-validator checked them `each`); an object in an array has its index.
 */
function at(segments: readonly string[], key: string | undefined, code: string, message: string, root: AnySchemaObject): FieldProblem {
  const parts = key === undefined ? [...segments] : [...segments, key];
  let path = '';
  let node: AnySchemaObject | undefined = root;
  for (const [i, part] of parts.entries()) {
    const index: boolean = /^\d+$/.test(part) && node?.['type'] === 'array';
    node = index ? (node?.['items'] as AnySchemaObject | undefined) : (node?.['properties'] as Record<string, AnySchemaObject> | undefined)?.[part];
    if (index) {
      const last = i === parts.length - 1;
      if (last && node?.['type'] !== 'object') break;
      path = `${path}[${part}]`;
    } else path = path === '' ? part : `${path}.${part}`;
  }
  return { field: path, code, message };
}

/** Whether the keyword at `schemaPath` (`#/properties/applicant/properties/name/type`) checks a property its object requires. */
function isRequired(root: AnySchemaObject, schemaPath: string): boolean {
  const parts = schemaPath.replace(/^#\/?/, '').split('/');
  if (parts.length < 3 || parts[parts.length - 3] !== 'properties') return false;
  const owner = nodeAt(root, parts.slice(0, -3));
  const name = parts[parts.length - 2];
  const requires = (node: unknown): boolean => Array.isArray((node as AnySchemaObject | undefined)?.['required']) && ((node as AnySchemaObject)['required'] as unknown[]).includes(name);
  // Required outright, or by a condition (`allOf: [{ if, then: { required } }]`: lossType to report a loss).
  return requires(owner) || (Array.isArray(owner?.['allOf']) && (owner['allOf'] as AnySchemaObject[]).some((branch) => requires(branch['then'])));
}

/** The schema node at a path of JSON pointer segments. */
function nodeAt(root: AnySchemaObject, parts: readonly string[]): AnySchemaObject | undefined {
  let node: unknown = root;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node !== null && typeof node === 'object' ? (node) : undefined;
}
