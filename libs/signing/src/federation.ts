import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GatewayError, isNodeCode, parseStrictJson, type NodeCode } from '#core';
import { isAgencyCode } from './agency-key-store.js';
import { encryptionJwkProblem, isKid, publicJwkProblem, type EncryptionPublicJwk, type PublicJwk } from './public-jwk.js';
import type { SuiteName } from './crypto-suite.js';
import type { JwksSource, SuitePolicy, TrustedKey } from './trust-store.js';

/**
 * The federation configuration: every node of 川渝通办, where it is reached, which public keys it
 * signs with, its agencies and their encryption keys, and who may send what to whom. A node trusts
 * a peer only through this document (after X-Road's global configuration). Version 2 (issue 6) is
 * distributed signed by the federation authority (federation-signing.ts) and carries a `serial`
 * that only grows; version 1 files (nodes and keys only) still parse, with no agencies and no
 * rules, so `mayDeliver` denies everything on them.
 */
export interface FederationNode {
  readonly node: NodeCode;
  readonly name: string;
  readonly url: string;
  readonly keys: readonly PublicJwk[];
  /**
   * Where the node publishes its signing keys (`GET /.well-known/jwks.json`). When present, a
   * TrustStore with `refresh` options fetches it, so a key the node rotated to reaches its peers
   * without a new federation document. https, or http to the loopback interface only.
   */
  readonly jwksUrl?: string;
  /** The node's agencies and the X25519 keys to seal personal data for each. */
  readonly agencies?: readonly FederationAgency[];
}

/** An agency behind a node (`SC.card`) and its public encryption keys, the one to seal for first. */
export interface FederationAgency {
  readonly code: string;
  readonly encryptionKeys: readonly EncryptionPublicJwk[];
}

/**
 * One access rule: node `from` may send messages of `types` to `to`, which is an agency code
 * (`SC.card`: requests handed to that agency) or a node code (`SC`: node-to-node messages such as
 * `status-update` that go to no agency). Whatever no rule allows is denied.
 */
export interface AccessRule {
  readonly from: NodeCode;
  readonly to: string;
  readonly types: readonly string[];
}

export interface Federation {
  readonly version: 1 | 2;
  /** Version 2: grows with every document the authority signs; a node refuses a lower one (rollback). */
  readonly serial?: number;
  /** Version 2: when the authority issued it, ISO 8601 (informative). */
  readonly issuedAt?: string;
  readonly nodes: readonly FederationNode[];
  /** The access rules (deny by default). Absent or empty: nothing is allowed. */
  readonly rules?: readonly AccessRule[];
  /**
   * The cryptographic suite (issue 17): every node signs and hashes in it, and the document is
   * signed in it. Absent means `intl`, the suite of every document before suites existed.
   */
  readonly suite?: SuiteName;
  /**
   * A move between suites: messages of `suite` are accepted too until `until` (ISO 8601 with an
   * offset), like a retiring key. To move from intl to gm without refusing anything in flight:
   * first `{ suite: 'intl', suiteOverlap: { suite: 'gm', until } }` (every node accepts SM2 before
   * any signs with it), then `{ suite: 'gm', suiteOverlap: { suite: 'intl', until } }`.
   */
  readonly suiteOverlap?: { readonly suite: SuiteName; readonly until: string };
}

/** A message type as it appears in rules and envelopes (`ssc.apply.request`, `status-update`). */
const MESSAGE_TYPE = /^[a-z][a-z0-9.-]{0,63}$/;

/**
 * Reads and checks a federation file.
 *
 * @example const federation = loadFederation('data/federation.json');
 */
export function loadFederation(file: string): Federation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: 'the federation file cannot be read as JSON', cause });
  }
  // One reading only: a node or key member given twice would mean whatever the last one says to
  // us and possibly the first to another tool (RFC 8259 §4; the signed form refuses it too).
  const parsed = parseStrictJson(text);
  if (!parsed.ok && parsed.reason === 'syntax') {
    throw new GatewayError('CONFIG_INVALID', { detail: 'the federation file cannot be read as JSON', cause: parsed.cause });
  }
  if (!parsed.ok) {
    throw new GatewayError('CONFIG_INVALID', { detail: `the federation file names a member twice (under ${parsed.duplicate.field ?? 'the top level'})` });
  }
  return parseFederation(parsed.value);
}

/**
 * Checks a parsed federation document (version 1 or 2); names the first thing wrong with it
 * (CONFIG_INVALID). The result always has `rules` and `agencies` (empty for version 1).
 *
 * @example const federation = parseFederation(JSON.parse(text));
 */
export function parseFederation(value: unknown): Federation {
  const fail = (detail: string) => new GatewayError('CONFIG_INVALID', { detail: `federation: ${detail}` });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('not an object');
  const { version, nodes, serial, issuedAt, rules, suite, suiteOverlap } = value as Record<string, unknown>;
  if (suite !== undefined && suite !== 'intl' && suite !== 'gm') throw fail('suite must be intl or gm');
  const overlap = parseOverlap(suiteOverlap, suite ?? 'intl', fail);
  if (version !== 1 && version !== 2) throw fail('version must be 1 or 2');
  if (version === 2 && !(typeof serial === 'number' && Number.isSafeInteger(serial) && serial >= 1)) {
    throw fail('serial must be a positive whole number in version 2');
  }
  if (issuedAt !== undefined && typeof issuedAt !== 'string') throw fail('issuedAt must be a string');
  if (!Array.isArray(nodes) || nodes.length === 0) throw fail('nodes must be a non-empty array');
  const seen = new Set<string>();
  const kids = new Set<string>();
  const agencyCodes = new Set<string>();
  const uniqueKid = (kid: string, where: string) => {
    // A kid names one key across the whole federation: a lookup by kid can never be ambiguous.
    if (kids.has(kid)) throw fail(`${where}: kid ${kid} is listed twice`);
    kids.add(kid);
  };
  const out = (nodes as readonly unknown[]).map((raw: unknown, i): FederationNode => {
    const n = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (!isNodeCode(n.node)) throw fail(`nodes[${i}].node must be SC or CQ`);
    const node = n.node;
    if (seen.has(node)) throw fail(`node ${node} is listed twice`);
    seen.add(node);
    if (typeof n.url !== 'string' || !/^https?:\/\//.test(n.url)) throw fail(`nodes[${i}].url must be an http(s) URL`);
    if (!Array.isArray(n.keys) || !(n.keys as readonly unknown[]).every(isPublicJwkWithKid)) {
      throw fail(`nodes[${i}].keys must be public signing JWKs (Ed25519 or SM2) with a kid`);
    }
    const keys = n.keys as readonly PublicJwk[];
    for (const k of keys) uniqueKid(k.kid, `nodes[${i}].keys`);
    if (n.jwksUrl !== undefined && !isJwksUrl(n.jwksUrl)) {
      throw fail(`nodes[${i}].jwksUrl must be an https URL (http only to the loopback interface)`);
    }
    let agencies: FederationAgency[] = [];
    if (n.agencies !== undefined) {
      if (!Array.isArray(n.agencies)) throw fail(`nodes[${i}].agencies must be an array`);
      agencies = (n.agencies as readonly unknown[]).map((rawAgency, j): FederationAgency => {
        const where = `nodes[${i}].agencies[${j}]`;
        const a = (typeof rawAgency === 'object' && rawAgency !== null ? rawAgency : {}) as Record<string, unknown>;
        if (!isAgencyCode(a.code) || !a.code.startsWith(`${node}.`)) throw fail(`${where}.code must be an agency code of ${node} (${node}.<function>)`);
        if (agencyCodes.has(a.code)) throw fail(`agency ${a.code} is listed twice`);
        agencyCodes.add(a.code);
        if (!Array.isArray(a.encryptionKeys) || a.encryptionKeys.length === 0) throw fail(`${where}.encryptionKeys must be a non-empty array`);
        for (const [k, jwk] of (a.encryptionKeys as readonly unknown[]).entries()) {
          const kid = (jwk as { kid?: unknown } | null)?.kid;
          const problem = isKid(kid) ? encryptionJwkProblem(jwk, kid) : 'kid is missing or not a plain string';
          if (problem !== undefined) throw fail(`${where}.encryptionKeys[${k}]: ${problem}`);
          uniqueKid(kid as string, `${where}.encryptionKeys`);
        }
        return { code: a.code, encryptionKeys: a.encryptionKeys as readonly EncryptionPublicJwk[] };
      });
    }
    return {
      node,
      name: typeof n.name === 'string' ? n.name : node,
      url: n.url.replace(/\/$/, ''),
      keys,
      ...(n.jwksUrl === undefined ? {} : { jwksUrl: n.jwksUrl }),
      agencies,
    };
  });
  checkKeySuites(out, suite ?? 'intl', overlap?.suite);
  const parsedRules = parseRules(rules, version, seen, agencyCodes, fail);
  return {
    version,
    ...(version === 2 ? { serial: serial as number } : {}),
    ...(typeof issuedAt === 'string' ? { issuedAt } : {}),
    nodes: out,
    rules: parsedRules,
    ...(suite === undefined ? {} : { suite }),
    ...(overlap === undefined ? {} : { suiteOverlap: overlap }),
  };
}

/** The suite a listed public key belongs to: SM2 (`kty: EC`, `crv: SM2`) is gm, Ed25519 and X25519 are intl. */
function suiteOfJwk(jwk: { readonly kty: string }): SuiteName {
  return jwk.kty === 'EC' ? 'gm' : 'intl';
}

/**
 * The keys follow the suite (issue 17): a node of a gm federation signs with SM2 and its agencies
 * are sealed for with SM2, an intl one's with Ed25519 and X25519. During an overlap the other
 * suite's keys may be listed too, but every node and agency still lists one of the suite the
 * document declares, or its peers could not verify it (or seal for it) once the overlap ends.
 * Refused with FEDERATION_KEY_SUITE_MISMATCH and the path of the key (or key list) at fault.
 */
function checkKeySuites(nodes: readonly FederationNode[], suite: SuiteName, overlap: SuiteName | undefined): void {
  const allowed = (jwk: { readonly kty: string }) => suiteOfJwk(jwk) === suite || suiteOfJwk(jwk) === overlap;
  const mismatch = (field: string, detail: string) => GatewayError.field('FEDERATION_KEY_SUITE_MISMATCH', field, `federation: ${detail}`);
  const kind = (jwk: { readonly kty: string; readonly crv: string }) => (jwk.kty === 'EC' ? 'an SM2' : `an ${jwk.crv}`);
  const wanted = suite === 'gm' ? 'SM2' : 'Ed25519 and X25519';
  for (const [i, n] of nodes.entries()) {
    for (const [k, jwk] of n.keys.entries()) {
      if (!allowed(jwk)) throw mismatch(`nodes[${i}].keys[${k}]`, `key ${jwk.kid} of ${n.node} is ${kind(jwk)} key; a federation of the ${suite} suite lists ${wanted} keys`);
    }
    if (!n.keys.some((jwk) => suiteOfJwk(jwk) === suite)) throw mismatch(`nodes[${i}].keys`, `${n.node} lists no signing key of the ${suite} suite`);
    for (const [j, agency] of (n.agencies ?? []).entries()) {
      for (const [k, jwk] of agency.encryptionKeys.entries()) {
        if (!allowed(jwk)) throw mismatch(`nodes[${i}].agencies[${j}].encryptionKeys[${k}]`, `key ${jwk.kid} of ${agency.code} is ${kind(jwk)} key; a federation of the ${suite} suite lists ${wanted} keys`);
      }
      if (!agency.encryptionKeys.some((jwk) => suiteOfJwk(jwk) === suite)) {
        throw mismatch(`nodes[${i}].agencies[${j}].encryptionKeys`, `${agency.code} lists no sealing key of the ${suite} suite`);
      }
    }
  }
}

function parseOverlap(value: unknown, suite: unknown, fail: (detail: string) => GatewayError): Federation['suiteOverlap'] {
  if (value === undefined) return undefined;
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (o.suite !== 'intl' && o.suite !== 'gm') throw fail('suiteOverlap.suite must be intl or gm');
  if (o.suite === suite) throw fail('suiteOverlap.suite must be the other suite');
  if (typeof o.until !== 'string' || !/(Z|[+-]\d{2}:\d{2})$/.test(o.until) || Number.isNaN(Date.parse(o.until))) {
    throw fail('suiteOverlap.until must be an ISO 8601 instant with an offset');
  }
  return { suite: o.suite, until: o.until };
}

/**
 * What the federation's suite means for verification: its own suite, and the overlap suite until
 * its end (TrustStore.acceptedAlgs).
 *
 * @example await TrustStore.create(trustedKeysOf(federation), refresh, suitePolicyOf(federation));
 */
export function suitePolicyOf(federation: Federation): SuitePolicy {
  const overlap = federation.suiteOverlap;
  return {
    suite: federation.suite ?? 'intl',
    ...(overlap === undefined ? {} : { overlap: { suite: overlap.suite, untilMs: Date.parse(overlap.until) } }),
  };
}

/**
 * Every suite a node of this federation must hold keys for: its own and the overlap's.
 *
 * @example suitesOf({ ...federation, suite: 'gm', suiteOverlap: { suite: 'intl', until } }) // ['gm', 'intl']
 */
export function suitesOf(federation: Federation): SuiteName[] {
  const own = federation.suite ?? 'intl';
  return federation.suiteOverlap === undefined ? [own] : [own, federation.suiteOverlap.suite];
}

function parseRules(
  rules: unknown,
  version: 1 | 2,
  nodes: ReadonlySet<string>,
  agencies: ReadonlySet<string>,
  fail: (detail: string) => GatewayError,
): AccessRule[] {
  if (rules === undefined && version === 1) return [];
  if (!Array.isArray(rules)) throw fail('rules must be an array');
  return (rules as readonly unknown[]).map((raw, i): AccessRule => {
    const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (!isNodeCode(r.from) || !nodes.has(r.from)) throw fail(`rules[${i}].from must be a listed node`);
    if (typeof r.to !== 'string' || !(nodes.has(r.to) || agencies.has(r.to))) {
      throw fail(`rules[${i}].to must be a listed node or a listed agency`);
    }
    const types = r.types;
    // No wildcard: every allowed message type is named, so adding a type never widens a rule.
    if (!Array.isArray(types) || types.length === 0 || !types.every((t) => typeof t === 'string' && MESSAGE_TYPE.test(t))) {
      throw fail(`rules[${i}].types must be a non-empty array of message types`);
    }
    if (new Set(types).size !== types.length) throw fail(`rules[${i}].types lists a type twice`);
    return { from: r.from, to: r.to, types: types as string[] };
  });
}

/**
 * Whether the access rules let `sender` send `messageType` to `recipient` (an agency code such as
 * `SC.card`, or a node code such as `SC` for node-to-node messages). Deny by default: `false`
 * unless one rule names exactly this sender, recipient and type, and an agency recipient is listed.
 *
 * @example
 *   mayDeliver(federation, 'CQ', 'SC.card', 'ssc.apply.request') // true with { from: 'CQ', to: 'SC.card', types: ['ssc.apply.request'] }
 *   mayDeliver(federation, 'SC', 'CQ', 'status-update')           // false unless a rule names it
 */
export function mayDeliver(federation: Federation, sender: NodeCode, recipient: string, messageType: string): boolean {
  if (!isNodeCode(sender)) return false;
  const isNode = isNodeCode(recipient);
  if (!isNode && !federation.nodes.some((n) => (n.agencies ?? []).some((a) => a.code === recipient))) return false;
  return (federation.rules ?? []).some((r) => r.from === sender && r.to === recipient && r.types.includes(messageType));
}

/**
 * `mayDeliver`, refusing with MESSAGE_NOT_ALLOWED (403, origin peer) when the rules deny.
 *
 * @example assertMayDeliver(federation, claims.iss, route.agency, claims.mtype); // before the inbox stores anything
 */
export function assertMayDeliver(federation: Federation, sender: NodeCode, recipient: string, messageType: string): void {
  if (!mayDeliver(federation, sender, recipient, messageType)) {
    throw new GatewayError('MESSAGE_NOT_ALLOWED', {
      detail: `no federation rule lets ${String(sender)} send ${shortText(messageType)} to ${shortText(recipient)}`,
    });
  }
}

/**
 * The access rules of the usual two-province set-up, spelled out: every node may send each type in
 * `agencyTypes[<function>]` to every listed agency with that function (its own included: a case
 * accepted and handled in one province takes the same path), and each type in `nodeTypes` to every
 * other node. For the local stack and tests; a real federation writes its rules by hand.
 *
 * @example defaultAccessRules(nodes, { agencyTypes: { card: ['ssc.apply.request'] }, nodeTypes: ['status-update'] })
 */
export function defaultAccessRules(
  nodes: readonly FederationNode[],
  types: { readonly agencyTypes: Readonly<Record<string, readonly string[]>>; readonly nodeTypes: readonly string[] },
): AccessRule[] {
  const rules: AccessRule[] = [];
  for (const from of nodes) {
    for (const to of nodes) {
      for (const agency of to.agencies ?? []) {
        const fn = agency.code.slice(agency.code.indexOf('.') + 1);
        const allowed = types.agencyTypes[fn];
        if (allowed !== undefined && allowed.length > 0) rules.push({ from: from.node, to: agency.code, types: [...allowed] });
      }
      if (from.node !== to.node && types.nodeTypes.length > 0) rules.push({ from: from.node, to: to.node, types: [...types.nodeTypes] });
    }
  }
  return rules;
}

/**
 * The agency's encryption keys as the federation lists them, the one to seal for first; an empty
 * list for an agency the federation does not list.
 *
 * @example const [sealFor] = agencyEncryptionKeys(federation, 'SC.card');
 */
export function agencyEncryptionKeys(federation: Federation, agency: string): readonly EncryptionPublicJwk[] {
  for (const n of federation.nodes) {
    const found = (n.agencies ?? []).find((a) => a.code === agency);
    if (found !== undefined) return found.encryptionKeys;
  }
  return [];
}

/**
 * Writes a federation file atomically (temporary file, then rename).
 *
 * @example writeFederation('data/federation.json', federation);
 */
export function writeFederation(file: string, federation: Federation): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(federation, null, 2)}\n`);
  renameSync(tmp, file);
}

/**
 * Every signing key the federation lists, with the node it belongs to.
 *
 * @example const trust = await TrustStore.create(trustedKeysOf(federation));
 */
export function trustedKeysOf(federation: Federation): TrustedKey[] {
  return federation.nodes.flatMap((n) => n.keys.map((publicJwk) => ({ kid: publicJwk.kid, node: n.node, publicJwk })));
}

/**
 * The JWKS URLs of the other nodes, for `TrustStore.create(keys, { sources, fetch, clock })`.
 *
 * @example const sources = jwksSourcesOf(federation, 'SC'); // [{ node: 'CQ', url: 'https://cq…/.well-known/jwks.json' }]
 */
export function jwksSourcesOf(federation: Federation, self: NodeCode): JwksSource[] {
  return federation.nodes.filter((n) => n.node !== self && n.jwksUrl !== undefined).map((n) => ({ node: n.node, url: n.jwksUrl as string }));
}

/**
 * The base URL of `node`, or `undefined` when the federation does not list it.
 *
 * @example nodeUrl(federation, 'SC') // 'http://127.0.0.1:7101'
 */
export function nodeUrl(federation: Federation, node: NodeCode): string | undefined {
  return federation.nodes.find((n) => n.node === node)?.url;
}

/** A public Ed25519 JWK with a kid, checked by the same rules the TrustStore applies. */
function isPublicJwkWithKid(value: unknown): value is PublicJwk {
  const kid = (value as { kid?: unknown } | null)?.kid;
  return isKid(kid) && publicJwkProblem(value, kid) === undefined;
}

/** https anywhere; plain http only to the loopback interface (the local stack and tests). */
function isJwksUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2048) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

function shortText(value: unknown): string {
  return typeof value === 'string' && /^[\x21-\x7e]{1,64}$/.test(value) ? value : '(unprintable)';
}
