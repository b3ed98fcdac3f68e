import { HttpException } from '@nestjs/common';
import { SimCaseUnknown, type SimMaterial } from './agency-system.simulator.js';

/**
 * SIMULATOR: the follow-up calls every system of a province takes (撤回, 补正), answered in that
 * province's shape. A follow-up for a case the system does not have is a 404 the adapter treats
 * as "not yet" (the new case may still be on its way).
 */
export function followUp<T>(
  run: () => { ref: string; duplicate: boolean },
  answer: (result: { ref: string; duplicate: boolean }) => T,
  unknown: () => HttpException,
): T {
  try {
    return answer(run());
  } catch (error) {
    if (error instanceof SimCaseUnknown) throw unknown();
    throw error;
  }
}

/** The first of `keys` that is not a non-empty string in `body`, if any. */
export function missingField(body: unknown, keys: readonly string[]): string | undefined {
  const record = (body ?? {}) as Record<string, unknown>;
  return keys.find((k) => typeof record[k] !== 'string' || record[k] === '');
}

/** Materials as a system keeps them, from `[{ <typeField>, <hashField> }]`, with a type table. */
export function materialsFrom(value: unknown, typeField: string, hashField: string, types: Readonly<Record<string, string>>): SimMaterial[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return null;
  const out: SimMaterial[] = [];
  const byCode = new Map(Object.entries(types).map(([canonical, code]) => [code, canonical]));
  for (const item of value as unknown[]) {
    const record = (item ?? {}) as Record<string, unknown>;
    const type = record[typeField];
    const hash = record[hashField];
    if (typeof type !== 'string' || typeof hash !== 'string') return null;
    out.push({ type: byCode.get(type) ?? type, sha256: hash });
  }
  return out;
}

/** What a follow-up call needs of a system. */
export interface FollowUpTarget {
  withdraw(businessKey: string, requestId: string): { ref: string; duplicate: boolean };
  supplement(businessKey: string, requestId: string, materials: readonly SimMaterial[]): { ref: string; duplicate: boolean };
  /** The case kept under this business key, if any (业务查询). */
  lookUp(businessKey: string): { ref: string } | undefined;
}
