import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GatewayError, isNodeCode, type NodeCode } from '#core';
import { isKid, publicJwkProblem, type PublicJwk } from './public-jwk.js';
import type { TrustedKey } from './trust-store.js';

/**
 * The federation configuration: every node of 川渝通办, where it is reached and which public keys
 * it signs with. A node trusts a peer only through this document (after X-Road's global
 * configuration). Issue 6 signs it and adds per-service access rights.
 */
export interface FederationNode {
  readonly node: NodeCode;
  readonly name: string;
  readonly url: string;
  readonly keys: readonly PublicJwk[];
}

export interface Federation {
  readonly version: 1;
  readonly nodes: readonly FederationNode[];
}

/**
 * Reads and checks a federation file.
 *
 * @example const federation = loadFederation('data/federation.json');
 */
export function loadFederation(file: string): Federation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: 'the federation file cannot be read as JSON', cause });
  }
  return parseFederation(parsed);
}

/** Checks a parsed federation document; names the first thing wrong with it. */
export function parseFederation(value: unknown): Federation {
  const fail = (detail: string) => new GatewayError('CONFIG_INVALID', { detail: `federation: ${detail}` });
  if (typeof value !== 'object' || value === null) throw fail('not an object');
  const { version, nodes } = value as { version?: unknown; nodes?: unknown };
  if (version !== 1) throw fail('version must be 1');
  if (!Array.isArray(nodes) || nodes.length === 0) throw fail('nodes must be a non-empty array');
  const seen = new Set<string>();
  const out = nodes.map((raw: unknown, i): FederationNode => {
    const n = (raw ?? {}) as Partial<FederationNode>;
    if (!isNodeCode(n.node)) throw fail(`nodes[${i}].node must be SC or CQ`);
    if (seen.has(n.node)) throw fail(`node ${n.node} is listed twice`);
    seen.add(n.node);
    if (typeof n.url !== 'string' || !/^https?:\/\//.test(n.url)) throw fail(`nodes[${i}].url must be an http(s) URL`);
    if (!Array.isArray(n.keys) || !(n.keys as readonly unknown[]).every(isPublicJwkWithKid)) {
      throw fail(`nodes[${i}].keys must be Ed25519 public JWKs with a kid`);
    }
    return { node: n.node, name: typeof n.name === 'string' ? n.name : n.node, url: n.url.replace(/\/$/, ''), keys: n.keys };
  });
  return { version: 1, nodes: out };
}

/** Writes a federation file atomically (temporary file, then rename). */
export function writeFederation(file: string, federation: Federation): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(federation, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Every key the federation lists, with the node it belongs to. */
export function trustedKeysOf(federation: Federation): TrustedKey[] {
  return federation.nodes.flatMap((n) => n.keys.map((publicJwk) => ({ kid: publicJwk.kid, node: n.node, publicJwk })));
}

export function nodeUrl(federation: Federation, node: NodeCode): string | undefined {
  return federation.nodes.find((n) => n.node === node)?.url;
}

/** A public Ed25519 JWK with a kid, checked by the same rules the TrustStore applies. */
function isPublicJwkWithKid(value: unknown): value is PublicJwk {
  const kid = (value as { kid?: unknown } | null)?.kid;
  return isKid(kid) && publicJwkProblem(value, kid) === undefined;
}
