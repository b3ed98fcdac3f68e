import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { GatewayError, type ErrorCode, type FieldProblem } from '#core';

/**
 * Field codes: class-validator constraint names mapped to the stable codes windows see. A custom
 * constraint's name is already a stable code (e.g. ID_NUMBER_INVALID).
 */
const CONSTRAINT_CODES: Readonly<Record<string, string>> = {
  isDefined: 'REQUIRED',
  isNotEmpty: 'REQUIRED',
  whitelistValidation: 'UNKNOWN_FIELD',
  isIn: 'NOT_ALLOWED_VALUE',
  isString: 'NOT_A_STRING',
  isInt: 'NOT_AN_INTEGER',
  isArray: 'NOT_AN_ARRAY',
  isObject: 'NOT_AN_OBJECT',
  nestedValidation: 'NOT_AN_OBJECT',
  maxLength: 'TOO_LONG',
  minLength: 'TOO_SHORT',
  matches: 'BAD_FORMAT',
  arrayMaxSize: 'TOO_MANY',
  arrayMinSize: 'TOO_FEW',
  arrayUnique: 'DUPLICATE',
  min: 'TOO_SMALL',
  max: 'TOO_LARGE',
  isISO8601: 'NOT_A_DATE',
  isRfc3339: 'NOT_A_DATE',
  isBoolean: 'NOT_A_BOOLEAN',
  isUUID: 'NOT_A_UUID',
};

/** Field codes that are themselves error codes: a refusal for only those uses that code. */
const DOMAIN_CODES = new Set<string>(['ID_NUMBER_INVALID', 'REGION_UNKNOWN']);

/**
 * Domain codes only a window is answered with. The schemas state the text rule, so for a peer or
 * an agency adapter such a body simply does not match its contract: CONTRACT_INVALID, which a
 * sending node dead-letters at once (peer.transport.ts) instead of retrying.
 */
const WINDOW_DOMAIN_CODES = new Set<string>(['TEXT_CHARACTERS_INVALID']);

/**
 * Turns a plain JSON value into a validated instance of a contract class, or throws a
 * GatewayError naming every field at fault (never echoing the submitted value, which may be
 * personal data).
 *
 * @example const request = validateContract(SscApplyRequestDto, body, 'VALIDATION_FAILED');
 */
export function validateContract<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
  fallbackCode: ErrorCode = 'VALIDATION_FAILED',
  options: { forbidUnknown?: boolean } = {},
): T {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw GatewayError.field(fallbackCode, '', 'the body must be a JSON object');
  }
  const forbidUnknown = options.forbidUnknown ?? true;
  let errors: ValidationError[];
  let instance: T;
  let dropped: FieldProblem[];
  try {
    instance = plainToInstance(cls, plain, { enableImplicitConversion: false });
    errors = validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: forbidUnknown,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
    });
    dropped = forbidUnknown ? droppedFields(plain, instance, '') : [];
  } catch (cause) {
    // A shape the validators cannot even walk (e.g. arrays nested where an object belongs).
    throw new GatewayError(fallbackCode, { detail: 'the body has a shape no contract allows', cause });
  }
  if (errors.length === 0 && dropped.length === 0) return instance;
  const fields = dedupeByField([...flatten(errors, ''), ...dropped]);
  const codes = new Set(fields.map((f) => f.code));
  const only = codes.size === 1 ? [...codes][0] : undefined;
  const promoted = only !== undefined && (DOMAIN_CODES.has(only) || (fallbackCode === 'VALIDATION_FAILED' && WINDOW_DOMAIN_CODES.has(only)));
  const code = promoted ? (only as ErrorCode) : fallbackCode;
  throw new GatewayError(code, { detail: `${fields.length} field(s) at fault`, fields });
}

/**
 * The fields of `plain` that never reached `instance`. class-transformer skips a key named
 * `__proto__` or `constructor`, or one the instance already answers with a method or getter
 * (`toString`, `valueOf`, `hasOwnProperty`, `__defineGetter__`…: every Object.prototype member),
 * so class-validator's whitelist never sees it; it would also take such a key for a declared
 * property, since it looks names up in a plain object. Walking the body beside the instance, own
 * keys only, finds them at any depth, in arrays too, for one Object.keys per object.
 */
function droppedFields(plain: unknown, instance: unknown, prefix: string): FieldProblem[] {
  if (plain === null || typeof plain !== 'object' || instance === null || typeof instance !== 'object') return [];
  const out: FieldProblem[] = [];
  if (Array.isArray(plain)) {
    if (!Array.isArray(instance)) return [];
    plain.forEach((item, i) => out.push(...droppedFields(item, instance[i], `${prefix}[${i}]`)));
    return out;
  }
  for (const key of Object.keys(plain)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (!Object.hasOwn(instance, key)) {
      out.push({ field: path, code: 'UNKNOWN_FIELD', message: `property ${key} should not exist` });
    } else {
      out.push(...droppedFields((plain as Record<string, unknown>)[key], (instance as Record<string, unknown>)[key], path));
    }
  }
  return out;
}

function flatten(errors: readonly ValidationError[], prefix: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const path = prefix === '' ? error.property : /^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : `${prefix}.${error.property}`;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      out.push({ field: path, code: CONSTRAINT_CODES[constraint] ?? constraint, message });
    }
    if (error.children && error.children.length > 0) out.push(...flatten(error.children, path));
  }
  return dedupeByField(out);
}

/** One problem per field: the first constraint that failed says enough. */
function dedupeByField(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => (seen.has(p.field) ? false : (seen.add(p.field), true)));
}
