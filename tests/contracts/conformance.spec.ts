import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ClassConstructor } from 'class-transformer';
import { isGatewayError } from '#core';
import { SscApplyRequestDto, StatusUpdateDto, validateContract } from '#contracts';

/**
 * The golden examples in /contracts/examples, replayed against both the JSON Schemas (what
 * agencies code against) and the code's validators: both accept, or both refuse with the code
 * the example names. Rules a JSON Schema cannot express (the GB 11643 check digit, GB/T 2260
 * membership) are marked `schemaCanExpress: false` and checked on the code side only.
 */
const root = join(process.cwd(), 'contracts');
const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
for (const file of readdirSync(join(root, 'schemas'))) {
  ajv.addSchema(JSON.parse(readFileSync(join(root, 'schemas', file), 'utf8')) as object);
}

interface Example {
  description: string;
  expect: string;
  field?: string;
  schemaCanExpress?: boolean;
  body: unknown;
}

const CONTRACTS: Record<string, { schemaId: string; dto: ClassConstructor<object>; fallback: 'VALIDATION_FAILED' | 'CONTRACT_INVALID'; forbidUnknown: boolean }> = {
  'ssc-apply.v1': { schemaId: 'urn:cytb:contract:ssc-apply:v1', dto: SscApplyRequestDto, fallback: 'VALIDATION_FAILED', forbidUnknown: true },
  'status-update.v1': { schemaId: 'urn:cytb:contract:status-update:v1', dto: StatusUpdateDto, fallback: 'CONTRACT_INVALID', forbidUnknown: false },
};

const cases = Object.entries(CONTRACTS).flatMap(([folder, contract]) =>
  readdirSync(join(root, 'examples', folder)).map((file) => ({
    name: `${folder}/${file}`,
    contract,
    example: JSON.parse(readFileSync(join(root, 'examples', folder, file), 'utf8')) as Example,
  })),
);

function codeVerdict(contract: (typeof CONTRACTS)[string], body: unknown): { code: string; fields: string[] } | 'valid' {
  try {
    validateContract(contract.dto, body, contract.fallback, { forbidUnknown: contract.forbidUnknown });
    return 'valid';
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    return { code: error.code, fields: error.fields.map((f) => f.field) };
  }
}

describe('contract conformance: JSON Schemas and code validators agree on the golden examples', () => {
  it('has examples for every contract, valid and invalid', () => {
    for (const folder of Object.keys(CONTRACTS)) {
      const mine = cases.filter((c) => c.name.startsWith(folder));
      expect(mine.some((c) => c.example.expect === 'valid')).toBe(true);
      expect(mine.some((c) => c.example.expect !== 'valid')).toBe(true);
    }
  });

  it.each(cases)('$name', ({ contract, example }) => {
    const schemaOk = ajv.validate(contract.schemaId, example.body);
    const verdict = codeVerdict(contract, example.body);
    if (example.expect === 'valid') {
      expect({ schemaOk, verdict }).toEqual({ schemaOk: true, verdict: 'valid' });
      return;
    }
    expect(verdict).not.toBe('valid');
    if (verdict === 'valid') return;
    expect(verdict.code).toBe(example.expect);
    if (example.field) expect(verdict.fields).toContain(example.field);
    if (example.schemaCanExpress === false) expect(schemaOk).toBe(true);
    else expect(schemaOk).toBe(false);
  });
});
