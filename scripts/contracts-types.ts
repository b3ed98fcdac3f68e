/**
 * Writes the TypeScript types of the window-request contracts from their JSON Schemas
 * (contracts/index.json `services` → libs/contracts/src/generated/<name>.ts), so a request is
 * written once, in the schema agencies code against. tests/contracts/generated-types.spec.ts
 * renders them again in memory and fails when a schema changed and the types were not
 * regenerated.
 *
 *   npm run contracts:types
 *
 * It reads the subset of draft 2020-12 the window contracts use (objects, arrays, strings,
 * integers, booleans, `const`, `enum`, `oneOf` of `const`s, validation-only keywords) and refuses
 * any other keyword, so a schema it cannot type stops it instead of being typed wrongly.
 * Conditional rules (`allOf` of `if`/`then`) narrow values only and are left to validation: a
 * field they require is optional in the type.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Schema = boolean | { readonly [keyword: string]: unknown };

/** Keywords that only narrow values: validation's, not the type's. */
const VALIDATION_ONLY = new Set([
  'pattern',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minimum',
  'maximum',
  'format',
  'x-normalize',
  'allOf',
]);
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'examples']);
const TYPED = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'const', 'enum', 'oneOf']);

/** A window contract's file name and the type it declares. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/**
 * The generated files for every window-request schema in contracts/index.json, under `root`
 * (the repository).
 *
 * @example windowContractTypes(process.cwd())[0].path // 'libs/contracts/src/generated/ssc-apply.v1.ts'
 */
export function windowContractTypes(root: string): GeneratedFile[] {
  const index = JSON.parse(readFileSync(join(root, 'contracts', 'index.json'), 'utf8')) as { services: Record<string, string> };
  return Object.values(index.services)
    .sort()
    .map((schemaPath) => {
      const name = schemaPath.replace(/^schemas\//, '').replace(/\.schema\.json$/, '');
      const schema = JSON.parse(readFileSync(join(root, 'contracts', schemaPath), 'utf8')) as Schema;
      return { path: `libs/contracts/src/generated/${name}.ts`, text: renderContractType(schema, typeNameOf(name), `contracts/${schemaPath}`) };
    });
}

/**
 * `ssc-apply.v1` → `SscApplyRequestV1`.
 *
 * @example typeNameOf('death-benefit.v1') // 'DeathBenefitRequestV1'
 */
export function typeNameOf(name: string): string {
  const [base, version] = name.split('.') as [string, string];
  const pascal = base.replace(/(^|-)([a-z])/g, (_m, _dash: string, letter: string) => letter.toUpperCase());
  return `${pascal}Request${version.toUpperCase()}`;
}

/**
 * One schema as an exported interface, with each property's title and description as its doc comment.
 *
 * @example renderContractType(schema, 'SscApplyRequestV1', 'contracts/schemas/ssc-apply.v1.schema.json')
 */
export function renderContractType(schema: Schema, typeName: string, source: string): string {
  if (typeof schema === 'boolean' || schema['type'] !== 'object') throw new Error(`${source}: a contract is an object schema`);
  const comment = doc(schema, '');
  return [
    `// Generated from ${source} by \`npm run contracts:types\`: do not edit; change the schema and regenerate.`,
    '',
    ...(comment === '' ? [] : [comment]),
    `export interface ${typeName} ${typeOf(schema, '', source, '#')}`,
    '',
  ].join('\n');
}

function doc(node: Schema, indent: string): string {
  if (typeof node === 'boolean') return '';
  const parts = [node['title'], node['description']].filter((p): p is string => typeof p === 'string' && p !== '');
  if (parts.length === 0) return '';
  // `*/` would end the comment early.
  const text = parts.join(': ').replace(/\*\//g, '*\\/');
  return `${indent}/** ${text} */`;
}

function literal(value: unknown, source: string, at: string): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  throw new Error(`${source} ${at}: only string, number, boolean and null constants are typed`);
}

function typeOf(node: Schema, indent: string, source: string, at: string): string {
  if (node === false) return 'never';
  if (node === true) return 'unknown';
  for (const keyword of Object.keys(node)) {
    if (!TYPED.has(keyword) && !VALIDATION_ONLY.has(keyword) && !ANNOTATIONS.has(keyword)) {
      throw new Error(`${source} ${at}: keyword ${keyword} is not one this generator types`);
    }
  }
  if (node['const'] !== undefined) return literal(node['const'], source, at);
  if (Array.isArray(node['enum'])) return node['enum'].map((v) => literal(v, source, at)).join(' | ');
  if (Array.isArray(node['oneOf'])) {
    const branches = node['oneOf'] as Schema[];
    if (!branches.every((b) => typeof b === 'object' && b['const'] !== undefined)) throw new Error(`${source} ${at}: oneOf is typed only as an enumeration of consts`);
    return branches.map((b, i) => literal((b as Record<string, unknown>)['const'], source, `${at}/oneOf/${i}`)).join(' | ');
  }
  switch (node['type']) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = typeOf((node['items'] as Schema | undefined) ?? true, indent, source, `${at}/items`);
      return /^[\w']+$/.test(item) ? `readonly ${item}[]` : `ReadonlyArray<${item}>`;
    }
    case 'object':
      return objectType(node, indent, source, at);
    default:
      throw new Error(`${source} ${at}: type ${JSON.stringify(node['type'])} is not one this generator types`);
  }
}

function objectType(node: { readonly [keyword: string]: unknown }, indent: string, source: string, at: string): string {
  const properties = (node['properties'] ?? {}) as Record<string, Schema>;
  const required = new Set((node['required'] ?? []) as string[]);
  const inner = `${indent}  `;
  const lines: string[] = ['{'];
  for (const [key, child] of Object.entries(properties)) {
    const comment = doc(child, inner);
    if (comment !== '') lines.push(comment);
    const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : literal(key, source, at);
    lines.push(`${inner}readonly ${name}${required.has(key) ? '' : '?'}: ${typeOf(child, inner, source, `${at}/properties/${key}`)};`);
  }
  const additional = node['additionalProperties'];
  if (additional !== undefined && additional !== false) {
    lines.push(`${inner}readonly [key: string]: ${typeOf(additional as Schema, inner, source, `${at}/additionalProperties`)};`);
  }
  lines.push(`${indent}}`);
  return lines.join('\n');
}

/** Writes every generated file; `npm run contracts:types` runs this from the repository. */
function main(): void {
  const root = process.cwd();
  for (const file of windowContractTypes(root)) {
    mkdirSync(join(root, 'libs/contracts/src/generated'), { recursive: true });
    writeFileSync(join(root, file.path), file.text);
    process.stdout.write(`wrote ${file.path}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
