import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Clock, NodeCode } from '#core';
import { AgencyKeyStore } from './agency-key-store.js';
import type { SuiteName } from './crypto-suite.js';
import type { AccessRule, Federation, FederationNode } from './federation.js';
import { FederationAuthorityKeyStore, signFederation } from './federation-signing.js';
import { FileKeyStore } from './file-key-store.js';

/** One node of a federation made on this machine: its signing keys and its agencies' keys. */
export interface LocalFederationNode {
  readonly node: NodeCode;
  readonly name: string;
  readonly url: string;
  /** The node's signing keys (FileKeyStore). */
  readonly keyDir: string;
  /** Folder holding one AgencyKeyStore per agency (`<dir>/<agency code>`), the adapter's to open. */
  readonly agencyKeyDir: string;
  /** Agency functions behind the node, e.g. ['card', 'medical', 'pension']. */
  readonly agencyFunctions: readonly string[];
}

/** Which message types go to which kind of recipient (from the contracts' catalogue). */
export interface FederationMessageTypes {
  readonly agencyTypes: Readonly<Record<string, readonly string[]>>;
  readonly nodeTypes: readonly string[];
}

/**
 * The federation of the embedded default (`npm start`) and of the tests, made the way a real
 * federation authority would make one: every node with its signing keys, its JWKS URL and its
 * agencies' encryption keys; access rules that allow exactly the catalogue's message types to the
 * agencies that take them and nothing else; signed by the authority's key (created on first start
 * under `<authorityDir>`). Keys are created on first start and reused after.
 *
 * @example const { federation, signed, authorityJwks } = await issueLocalFederation({ nodes, types, authorityDir, clock, serial: 1 });
 */
export async function issueLocalFederation(input: {
  readonly nodes: readonly LocalFederationNode[];
  readonly types: FederationMessageTypes;
  readonly authorityDir: string;
  readonly clock: Clock;
  readonly serial: number;
  /**
   * The suite the nodes sign in and the document is signed in (default intl). With `overlap`, the
   * other suite is accepted too until then, and every node lists keys of both suites: the two
   * stages of a move between suites (federation.ts `suiteOverlap`).
   */
  readonly suite?: SuiteName;
  readonly overlap?: { readonly suite: SuiteName; readonly until: string };
}): Promise<{ federation: Federation; signed: string; authorityJwks: { keys: unknown[] } }> {
  const suite = input.suite ?? 'intl';
  // The document lists the keys of its suites only (a gm federation no Ed25519 or X25519 key:
  // FEDERATION_KEY_SUITE_MISMATCH), its own suite's first: the one sealed for first.
  const suites: SuiteName[] = input.overlap === undefined ? [suite] : [suite, input.overlap.suite];
  const ofSuites = <K extends { readonly kty: string }>(keys: readonly K[]) => keys.filter((k) => suites.includes(k.kty === 'EC' ? 'gm' : 'intl'));
  const nodes: FederationNode[] = [];
  for (const n of input.nodes) {
    const keys = await FileKeyStore.open(n.keyDir, n.node, input.clock, { suite });
    if (input.overlap !== undefined) await keys.prepareSuite(input.overlap.suite);
    const agencies = [];
    for (const fn of n.agencyFunctions) {
      const code = `${n.node}.${fn}`;
      const encryptionKeys = [];
      for (const s of suites) encryptionKeys.push(...(await AgencyKeyStore.open(join(n.agencyKeyDir, code), code, input.clock, { suite: s })).publicJwks().keys);
      agencies.push({ code, encryptionKeys });
    }
    nodes.push({ node: n.node, name: n.name, url: n.url, jwksUrl: `${n.url}/.well-known/jwks.json`, keys: ofSuites(keys.publicJwks().keys), agencies });
  }
  const federation: Federation = {
    version: 2,
    serial: input.serial,
    issuedAt: new Date(input.clock.nowMs()).toISOString(),
    nodes,
    rules: localAccessRules(nodes, input.types),
    // intl without an overlap is written as before suites existed: the same document, byte for byte.
    ...(suite === 'intl' && input.overlap === undefined ? {} : { suite }),
    ...(input.overlap === undefined ? {} : { suiteOverlap: input.overlap }),
  };
  // The authority JWKS lists both suites' keys, so that a node can load the document of either
  // stage of a move; the document is signed by the key of its own suite.
  const intl = await FederationAuthorityKeyStore.open(input.authorityDir, input.clock, { suite: 'intl' });
  const gm = suite === 'gm' || input.overlap !== undefined ? await FederationAuthorityKeyStore.open(input.authorityDir, input.clock, { suite: 'gm' }) : undefined;
  const signer = suite === 'gm' && gm !== undefined ? gm : intl;
  const authorityJwks = { keys: [...signer.publicJwks().keys, ...(signer === intl ? (gm?.publicJwks().keys ?? []) : intl.publicJwks().keys)] };
  return { federation, signed: await signFederation(signer.current(), federation), authorityJwks };
}

/**
 * Rules that let every node send each agency function's types to every agency of that function
 * (its own included: a case accepted and handled in one province takes the same path), and the
 * node-to-node types to every node (itself included, for the same reason). Nothing else.
 *
 * @example localAccessRules(nodes, { agencyTypes: { card: ['ssc.apply.request'] }, nodeTypes: ['status-update'] })
 */
export function localAccessRules(nodes: readonly FederationNode[], types: FederationMessageTypes): AccessRule[] {
  const rules: AccessRule[] = [];
  for (const from of nodes) {
    for (const to of nodes) {
      for (const agency of to.agencies ?? []) {
        const allowed = types.agencyTypes[agency.code.slice(agency.code.indexOf('.') + 1)] ?? [];
        if (allowed.length > 0) rules.push({ from: from.node, to: agency.code, types: [...allowed] });
      }
      if (types.nodeTypes.length > 0) rules.push({ from: from.node, to: to.node, types: [...types.nodeTypes] });
    }
  }
  return rules;
}

/**
 * Writes a text file atomically: a temporary file with a random name (replicas sharing the folder,
 * each pid 1 in its container, never write the same one), flushed to disk, then renamed over the
 * file, so a reader or a crash sees the old text or the new, never part of it.
 */
export function writeTextAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
