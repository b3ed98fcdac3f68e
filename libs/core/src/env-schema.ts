import { GatewayError } from './gateway-error.js';

/** A process environment, or a test's stand-in for one. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What a present variable's text reads as: its value, or every sentence saying what is wrong (each naming the variable). */
export type EnvParse<T> = { readonly value: T } | { readonly problems: readonly string[] };

/**
 * One environment variable, declared once: how its text is read and what the documentation says
 * about it (docs/configuration.md is generated from these declarations, and a test keeps it so).
 */
export interface EnvVar<T> {
  /** The kind of value, as the documentation shows it (`integer, ms`, `port`, `path`, `one of`). */
  readonly type: string;
  /** The default as the documentation shows it, or `required`. */
  readonly default: string;
  /** The values allowed (a range, a pattern, a list), or `any`. */
  readonly allowed: string;
  /** One line: what the variable changes. */
  readonly doc: string;
  /**
   * Reads the variable's text; absent and empty are the same. On problems the value is the
   * default (or, for a required variable, a placeholder of its type) so that the checks across
   * variables still run; readEnv throws before anyone can use it.
   */
  read(name: string, raw: string | undefined): { readonly value: T; readonly problems: readonly string[] };
}

/** The variables of one process, by name. */
export type EnvSchema = Readonly<Record<string, EnvVar<unknown>>>;

/** The typed values of a schema's variables. */
export type EnvValues<S extends EnvSchema> = { readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

/**
 * Whether a variable must be set, has a fixed default, or has a default the loader works out from
 * other variables (then the value is `undefined` when absent and `derived` documents the rule).
 */
export type Presence<T> = { readonly required: true } | { readonly default: T } | { readonly derived: string };

/** The value type a presence gives: a derived default leaves `undefined` for the loader to fill. */
export type PresentValue<T, P> = P extends { readonly derived: string } ? T | undefined : T;

interface Shape<T> {
  readonly type: string;
  readonly allowed: string;
  readonly doc: string;
  /** A placeholder for a required variable that is absent or bad. */
  readonly placeholder: T;
  readonly parse: (name: string, raw: string) => EnvParse<T>;
  readonly show: (value: T) => string;
}

function declare<T, P extends Presence<T>>(given: P, shape: Shape<T>): EnvVar<PresentValue<T, P>> {
  const presence: Presence<T> = given;
  const fallback = (): T | undefined => ('default' in presence ? presence.default : 'required' in presence ? shape.placeholder : undefined);
  return {
    type: shape.type,
    allowed: shape.allowed,
    doc: shape.doc,
    default: 'required' in presence ? 'required' : 'default' in presence ? shape.show(presence.default) : presence.derived,
    read(name, raw) {
      if (raw === undefined || raw.trim() === '') {
        const problems = 'required' in presence ? [`${name} is required`] : [];
        return { value: fallback() as PresentValue<T, P>, problems };
      }
      const parsed = shape.parse(name, raw);
      return 'value' in parsed ? { value: parsed.value, problems: [] } : { value: fallback() as PresentValue<T, P>, problems: parsed.problems };
    },
  };
}

const code = (text: string) => `\`${text}\``;

interface Described {
  readonly doc: string;
}

/** Options of an integer: its range, the unit the docs name, and what 0 means if 0 is allowed below `min`. */
export interface IntOptions extends Described {
  readonly min?: number;
  readonly max?: number;
  readonly unit?: string;
  /** 0 is allowed too, and means this (`off`, `any free port`). */
  readonly zero?: string;
}

/**
 * A whole number within [min, max] (or 0 when `zero` says what 0 means).
 *
 * @example int({ default: 8000, min: 100, unit: 'ms', doc: 'How long a claim lasts.' }).read('RELAY_LEASE_MS', '5000').value // 5000
 */
export function int<P extends Presence<number>>(options: P & IntOptions): EnvVar<PresentValue<number, P>> {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const range = options.max === undefined ? `of at least ${min}` : `between ${min} and ${max}`;
  const sentence = options.zero === undefined ? `an integer ${range}` : `0 (${options.zero}) or an integer ${range}`;
  const rangeDoc = options.max === undefined ? `≥ ${min}` : `${min} – ${max}`;
  return declare<number, P>(options, {
    type: options.unit === undefined ? 'integer' : `integer, ${options.unit}`,
    allowed: options.zero === undefined ? rangeDoc : `0 (${options.zero}), or ${rangeDoc}`,
    doc: options.doc,
    placeholder: 0,
    parse: (name, raw) => {
      const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
      const inRange = Number.isSafeInteger(value) && ((value >= min && value <= max) || (value === 0 && options.zero !== undefined));
      return inRange ? { value } : { problems: [`${name} must be ${sentence}`] };
    },
    show: String,
  });
}

/**
 * A TCP port, 1 – 65535 (and 0 when `zero` says what it means).
 *
 * @example port({ required: true, doc: 'HTTP port.' }).read('HTTP_PORT', '7101').value // 7101
 */
export function port<P extends Presence<number>>(options: P & Described & { readonly zero?: string }): EnvVar<PresentValue<number, P>> {
  return { ...int<P>({ ...options, min: 1, max: 65535 }), type: 'port' };
}

/**
 * A number with a fraction, within [min, max].
 *
 * @example decimal({ default: 0.1, min: 0, max: 1, doc: 'Share refused.' }).read('SIM_REJECT_RATE', '0.25').value // 0.25
 */
export function decimal<P extends Presence<number>>(options: P & Described & { readonly min: number; readonly max: number }): EnvVar<PresentValue<number, P>> {
  return declare<number, P>(options, {
    type: 'number',
    allowed: `${options.min} – ${options.max}`,
    doc: options.doc,
    placeholder: 0,
    parse: (name, raw) => {
      const value = /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN;
      return value >= options.min && value <= options.max ? { value } : { problems: [`${name} must be a number between ${options.min} and ${options.max}`] };
    },
    show: String,
  });
}

/** Options of a text: a shortest length, or a pattern and the words that describe it. */
export interface TextOptions extends Described {
  readonly minLength?: number;
  readonly pattern?: RegExp;
  /** How the pattern reads in the error and the docs ("letters, digits, `.`, `_` or `-`"). */
  readonly patternDoc?: string;
  readonly type?: string;
}

/**
 * A text, at least `minLength` long and matching `pattern` if given.
 *
 * @example text({ required: true, minLength: 32, doc: 'Link secret.' }).read('AGENCY_LINK_SECRET', 'short').problems // ['AGENCY_LINK_SECRET must be at least 32 characters']
 */
export function text<P extends Presence<string>>(options: P & TextOptions): EnvVar<PresentValue<string, P>> {
  const allowed = [options.minLength === undefined ? '' : `at least ${options.minLength} characters`, options.patternDoc ?? ''].filter((s) => s !== '').join('; ');
  return declare<string, P>(options, {
    type: options.type ?? 'string',
    allowed: allowed === '' ? 'any' : allowed,
    doc: options.doc,
    placeholder: '',
    parse: (name, raw) => {
      if (options.minLength !== undefined && raw.length < options.minLength) return { problems: [`${name} must be at least ${options.minLength} characters`] };
      if (options.pattern !== undefined && !options.pattern.test(raw)) return { problems: [`${name} must be ${options.patternDoc ?? `like ${options.pattern.source}`}`] };
      return { value: raw };
    },
    show: code,
  });
}

/**
 * A file or folder. Relative paths are the loader's to resolve (from the working directory).
 *
 * @example path({ default: 'data', doc: 'Data folder.' }).read('DATA_DIR', undefined).value // 'data'
 */
export function path<P extends Presence<string>>(options: P & Described): EnvVar<PresentValue<string, P>> {
  return text<P>({ ...options, type: 'path' });
}

/**
 * A URL of one of the given schemes (the first one names it in the error: "a postgres:// URL").
 *
 * @example url({ derived: 'none', schemes: ['amqp', 'amqps'], doc: 'Broker.' }).read('AMQP_URL', 'http://mq').problems // ['AMQP_URL must be an amqp:// URL']
 */
export function url<P extends Presence<string>>(options: P & Described & { readonly schemes: readonly [string, ...string[]] }): EnvVar<PresentValue<string, P>> {
  const [first] = options.schemes;
  const article = /^[aeiou]/.test(first) ? 'an' : 'a';
  return declare<string, P>(options, {
    type: 'URL',
    allowed: options.schemes.map((s) => `${s}://`).join(', '),
    doc: options.doc,
    placeholder: '',
    parse: (name, raw) => {
      const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(raw)?.[1];
      const ok = scheme !== undefined && options.schemes.includes(scheme) && URL.canParse(raw);
      return ok ? { value: raw } : { problems: [`${name} must be ${article} ${first}:// URL`] };
    },
    show: code,
  });
}

/**
 * `true` or `false`, nothing else (a typo must not silently turn a switch off).
 *
 * @example bool({ default: true, doc: 'Migrate on start.' }).read('MIGRATE_ON_START', 'yes').problems // ['MIGRATE_ON_START must be true or false']
 */
export function bool<P extends Presence<boolean>>(options: P & Described): EnvVar<PresentValue<boolean, P>> {
  return declare<boolean, P>(options, {
    type: 'boolean',
    allowed: '`true`, `false`',
    doc: options.doc,
    placeholder: false,
    parse: (name, raw) => (raw === 'true' || raw === 'false' ? { value: raw === 'true' } : { problems: [`${name} must be true or false`] }),
    show: (value) => code(String(value)),
  });
}

/**
 * One of a fixed list of words.
 *
 * @example oneOf(['SC', 'CQ'] as const, { required: true, doc: 'Node.' }).read('NODE_CODE', 'XX').problems // ['NODE_CODE must be SC or CQ']
 */
export function oneOf<const V extends string, P extends Presence<V>>(values: readonly V[], options: P & Described): EnvVar<PresentValue<V, P>> {
  const sentence = values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
  return declare<V, P>(options, {
    type: 'one of',
    allowed: values.map(code).join(', '),
    doc: options.doc,
    placeholder: values[0],
    parse: (name, raw) => ((values as readonly string[]).includes(raw) ? { value: raw as V } : { problems: [`${name} must be ${sentence}`] }),
    show: code,
  });
}

/**
 * Comma-separated items, trimmed, empty ones dropped; absent is the empty list.
 *
 * @example list({ doc: 'ID numbers.' }).read('SIM_NOT_INSURED', 'a, ,b').value // ['a', 'b']
 */
export function list(options: Described & { readonly itemDoc?: string }): EnvVar<readonly string[]> {
  return declare<readonly string[], { default: readonly string[] }>(
    { default: [] },
    {
      type: 'list',
      allowed: options.itemDoc === undefined ? 'comma-separated' : `comma-separated ${options.itemDoc}`,
      doc: options.doc,
      placeholder: [],
      parse: (_name, raw) => ({ value: raw.split(',').map((s) => s.trim()).filter((s) => s !== '') }),
      show: (value) => (value.length === 0 ? 'empty' : code(value.join(','))),
    },
  );
}

/**
 * A variable with a reading of its own (a JSON object, a list of CIDR ranges): `parse` returns
 * the value or the sentences naming what is wrong.
 *
 * @example custom({ default: null, type: 'list', allowed: 'CIDR ranges', doc: 'Proxies.', show: () => 'none', parse: (_n, raw) => ({ value: raw }) })
 */
export function custom<T, P extends Presence<T>>(
  options: P & Described & { readonly type: string; readonly allowed: string; readonly placeholder?: T; readonly parse: (name: string, raw: string) => EnvParse<T>; readonly show: (value: T) => string },
): EnvVar<PresentValue<T, P>> {
  return declare<T, P>(options, { ...options, placeholder: options.placeholder as T });
}

/**
 * Reads every variable of a schema, then the checks across variables, and refuses to start with
 * CONFIG_INVALID naming every bad variable at once rather than failing later on the first one used.
 *
 * @example readEnv({ PORT: port({ required: true, doc: 'Port.' }) }, { PORT: '80' }).PORT // 80
 */
export function readEnv<S extends EnvSchema>(schema: S, env: Env, check?: (values: EnvValues<S>) => readonly (string | false | undefined)[]): EnvValues<S> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(schema)) {
    const read = variable.read(name, env[name]);
    values[name] = read.value;
    problems.push(...read.problems);
  }
  const typed = values as EnvValues<S>;
  for (const problem of check?.(typed) ?? []) if (typeof problem === 'string') problems.push(problem);
  if (problems.length > 0) throw new GatewayError('CONFIG_INVALID', { detail: problems.join('; ') });
  return typed;
}

/**
 * The Markdown table documenting a schema: one row per variable with its type, default, allowed
 * values and description (docs/configuration.md is made of these).
 *
 * @example renderEnvTable({ PORT: port({ required: true, doc: 'Port.' }) }) // '| Variable | Type | Default | Allowed | Description |\n…'
 */
export function renderEnvTable(schema: EnvSchema): string {
  const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rows = Object.entries(schema).map(([name, v]) => `| \`${name}\` | ${cell(v.type)} | ${cell(v.default)} | ${cell(v.allowed)} | ${cell(v.doc)} |`);
  return ['| Variable | Type | Default | Allowed | Description |', '|---|---|---|---|---|', ...rows].join('\n');
}

/**
 * The line a process prints when it cannot start: the code and detail of a GatewayError (a bad
 * configuration names every variable at fault), or the error's own text.
 *
 * @example startFailure(new GatewayError('CONFIG_INVALID', { detail: 'SIM_PORT is required' })) // 'CONFIG_INVALID: SIM_PORT is required'
 */
export function startFailure(error: unknown): string {
  if (error instanceof GatewayError) return `${error.code}: ${error.detail ?? error.message}`;
  return error instanceof Error ? error.message : String(error);
}
