/**
 * What intake spends checking one window request: the published JSON Schema compiled with ajv
 * (what intake runs, the copy x-normalize writes into included) against the class-validator
 * classes it replaced, on the golden examples in contracts/examples. One process, one request
 * at a time, after a warm-up; prints µs per request (the fastest of five batches).
 *
 *   npm run bench:validation            (BENCH_ROUNDS=20000 by default)
 */
import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isGatewayError } from '#core';
import { SERVICE_CATALOGUE, SERVICE_CODES, validateContract, type ServiceRequest } from '#contracts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20_000);
const root = join(process.cwd(), 'contracts');
const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as { services: Record<string, string> };

interface Example {
  readonly expect: string;
  readonly body: unknown;
}

/**
 * µs per call of `run`: the fastest of 5 batches of ROUNDS / 5 calls, after ROUNDS / 10 to warm
 * up. The fastest, because the machine is shared: a slower batch measured a neighbour too. A
 * refusal is a result like any other.
 */
function microsPerCall(run: () => unknown): number {
  const once = () => {
    try {
      run();
    } catch (error) {
      if (!isGatewayError(error)) throw error;
    }
  };
  for (let i = 0; i < ROUNDS / 10; i += 1) once();
  let best = Number.POSITIVE_INFINITY;
  for (let batch = 0; batch < 5; batch += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ROUNDS / 5; i += 1) once();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000 / (ROUNDS / 5));
  }
  return best;
}

const rows: { example: string; classValidator: number; schema: number }[] = [];
for (const code of SERVICE_CODES) {
  const definition = SERVICE_CATALOGUE[code];
  const folder = index.services[code].replace(/^schemas\//, '').replace(/\.schema\.json$/, '');
  const files = readdirSync(join(root, 'examples', folder)).sort();
  // Every valid example, and the first refusal: what a window's typo costs.
  const chosen = [...files.filter((f) => f.startsWith('valid-')), ...files.filter((f) => f.startsWith('invalid-')).slice(0, 1)];
  for (const file of chosen) {
    const { body } = JSON.parse(readFileSync(join(root, 'examples', folder, file), 'utf8')) as Example;
    rows.push({
      example: `${folder}/${file}`,
      classValidator: microsPerCall(() => validateContract<ServiceRequest>(definition.dto, body)),
      schema: microsPerCall(() => definition.contract.validate(body)),
    });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number) => n.toFixed(1).padStart(8);
process.stdout.write(`validation cost per request, µs (${ROUNDS} rounds each, Node ${process.version})\n`);
process.stdout.write(`${'example'.padEnd(64)} ${'class-validator'.padStart(15)} ${'ajv (schema)'.padStart(12)}\n`);
for (const r of rows) process.stdout.write(`${r.example.padEnd(64)} ${fmt(r.classValidator).padStart(15)} ${fmt(r.schema).padStart(12)}\n`);
const valid = rows.filter((r) => r.example.includes('/valid-'));
process.stdout.write(
  `${'median of the valid examples'.padEnd(64)} ${fmt(median(valid.map((r) => r.classValidator))).padStart(15)} ${fmt(median(valid.map((r) => r.schema))).padStart(12)}\n`,
);
