import type { ServiceCode, ServiceRequest } from './canonical.js';

/**
 * The personal fields of each service's request (ID numbers, names, phones, addresses, bank
 * accounts, a person's number at an agency): what the accepting node seals for the agencies that
 * need them, so that gateway storage, logs and the peer link carry ciphertext only. `*` stands
 * for every element of an array.
 */
export const PERSONAL_PATHS: Readonly<Record<ServiceCode, readonly string[]>> = {
  'ssc.apply': ['applicant', 'deliveryAddress.line', 'deliveryAddress.postcode'],
  'ssc.loss': ['applicant', 'cardNumber'],
  'medical.filing': ['applicant'],
  'pension.qualification': ['applicant'],
  'pension.death-benefit': ['deceased', 'claimant', 'payeeAccount'],
  'pension.transfer': ['applicant', 'transferOut.*.personNumber'],
};

type Json = Record<string, unknown>;

/**
 * Splits a request into what may travel in clear and its personal fields (the same shape, only
 * those fields).
 *
 * @example splitPersonal({ service: 'ssc.loss', applicant: {...}, cardNumber: 'A12345678', action: 'report', ... })
 *   // { open: { service: 'ssc.loss', action: 'report', ... }, personal: { applicant: {...}, cardNumber: 'A12345678' } }
 */
export function splitPersonal(request: ServiceRequest): { readonly open: Json; readonly personal: Json } {
  const open = structuredClone(request) as unknown as Json;
  const personal: Json = {};
  for (const path of PERSONAL_PATHS[request.service]) move(open, personal, path.split('.'));
  return { open, personal };
}

/**
 * Puts the personal fields back into the open part: the request as the window submitted it.
 *
 * @example mergePersonal(open, personal) // deep-equal to the request splitPersonal was given
 */
export function mergePersonal(open: Json, personal: Json): Json {
  return merge(structuredClone(open), personal) as Json;
}

function move(from: unknown, to: Json, path: readonly string[]): void {
  if (from === null || typeof from !== 'object') return;
  const [head, ...rest] = path as [string, ...string[]];
  const source = from as Record<string, unknown>;
  if (head === '*' && Array.isArray(from)) {
    from.forEach((item, i) => {
      const slot: Json = {};
      move(item, slot, rest);
      if (Object.keys(slot).length > 0) (to as unknown as Json[])[i] = { ...((to as unknown as Json[])[i] ?? {}), ...slot };
    });
    return;
  }
  if (!(head in source)) return;
  if (rest.length === 0) {
    to[head] = source[head];
    delete source[head];
    return;
  }
  // Only what was really moved appears in the personal part: no empty containers.
  const child = (to[head] ?? (rest[0] === '*' ? [] : {})) as Json;
  move(source[head], child, rest);
  if (Object.keys(child).length > 0) to[head] = child;
}

function merge(target: unknown, extra: unknown): unknown {
  if (extra === null || typeof extra !== 'object') return extra;
  if (Array.isArray(extra)) {
    const out = Array.isArray(target) ? target : [];
    extra.forEach((item, i) => {
      out[i] = merge(out[i], item);
    });
    return out;
  }
  const out = (target !== null && typeof target === 'object' ? target : {}) as Json;
  for (const [key, value] of Object.entries(extra as Json)) out[key] = merge(out[key], value);
  return out;
}
