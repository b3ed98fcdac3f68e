import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderContractType, windowContractTypes } from '../../scripts/contracts-types.js';

/**
 * The window requests' TypeScript types are generated from their JSON Schemas: the checked-in
 * files must be exactly what the schemas give today, so a schema changed without
 * `npm run contracts:types` fails here (and in CI) instead of drifting from the code.
 */
const root = process.cwd();
const files = windowContractTypes(root);

describe('generated contract types', () => {
  it('has one generated file for every window-request schema in contracts/index.json', () => {
    const index = JSON.parse(readFileSync(join(root, 'contracts', 'index.json'), 'utf8')) as { services: Record<string, string> };
    expect(files.map((f) => f.path).sort()).toEqual(
      Object.values(index.services)
        .map((p) => `libs/contracts/src/generated/${p.replace(/^schemas\//, '').replace(/\.schema\.json$/, '')}.ts`)
        .sort(),
    );
  });

  it.each(files.map((f) => [f.path, f] as const))('%s is what its schema gives (else run npm run contracts:types)', (path, file) => {
    expect(existsSync(join(root, path))).toBe(true);
    expect(readFileSync(join(root, path), 'utf8')).toBe(file.text);
  });

  it('gives other types for a changed schema: a new property, or one no longer required', () => {
    const schema = JSON.parse(readFileSync(join(root, 'contracts/schemas/ssc-apply.v1.schema.json'), 'utf8')) as Record<string, unknown> & {
      properties: Record<string, unknown>;
      required: string[];
    };
    const today = renderContractType(schema, 'SscApplyRequestV1', 'x');
    const added = renderContractType({ ...schema, properties: { ...schema.properties, note: { type: 'string' } } }, 'SscApplyRequestV1', 'x');
    const optional = renderContractType({ ...schema, required: schema.required.filter((r) => r !== 'photoRef') }, 'SscApplyRequestV1', 'x');
    expect(added).not.toBe(today);
    expect(added).toContain('readonly note?: string;');
    expect(optional).toContain('readonly photoRef?: string;');
  });

  it('refuses a keyword it cannot type instead of typing it wrongly', () => {
    expect(() => renderContractType({ type: 'object', properties: { a: { $ref: 'urn:x' } } }, 'X', 'x.json')).toThrow(/keyword \$ref/);
    expect(() => renderContractType({ type: 'object', properties: { a: { oneOf: [{ type: 'string' }] } } }, 'X', 'x.json')).toThrow(/oneOf/);
  });
});
