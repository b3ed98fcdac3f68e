import { readFile } from 'node:fs/promises';
import { GatewayError, type Clock } from '#core';
import type { GatewayStores } from '#persistence';
import { loadSignedFederation, type Federation } from '#signing';
import type { GatewayConfig } from '../config/gateway.config.js';

/** The federation authority's public keys, as configured (FEDERATION_AUTHORITY_JWKS). */
export async function readAuthorityJwks(config: GatewayConfig): Promise<unknown> {
  try {
    return JSON.parse(await readFile(config.federationAuthorityJwksFile, 'utf8'));
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: 'FEDERATION_AUTHORITY_JWKS cannot be read as a JWKS file', cause });
  }
}

/**
 * The signed federation this node trusts: refused unless the federation authority signed it
 * (FEDERATION_SIGNATURE_INVALID), never an older one than it accepted (FEDERATION_ROLLBACK), and
 * only one that lists this node.
 */
export async function loadNodeFederation(config: GatewayConfig): Promise<Federation> {
  const federation = await loadSignedFederation(config.federationFile, await readAuthorityJwks(config), { stateFile: config.federationStateFile });
  assertListsNode(federation, config);
  return federation;
}

export function assertListsNode(federation: Federation, config: GatewayConfig): void {
  if (!federation.nodes.some((n) => n.node === config.node)) {
    throw new GatewayError('CONFIG_INVALID', { detail: `federation: this node ${config.node} is not listed` });
  }
}

/** What the audit trail keeps of a federation: its serial, suite (and overlap), nodes, keys, agencies and how many rules. */
export function federationSummary(federation: Federation) {
  return {
    serial: federation.serial ?? 0,
    issuedAt: federation.issuedAt,
    suite: federation.suite ?? 'intl',
    ...(federation.suiteOverlap === undefined ? {} : { suiteOverlap: federation.suiteOverlap }),
    nodes: federation.nodes.map((n) => ({ node: n.node, keys: n.keys.map((k) => k.kid), agencies: (n.agencies ?? []).map((a) => a.code) })),
    rules: federation.rules?.length ?? 0,
  };
}

/**
 * A configuration change is an operator-visible event: the first start on a federation serial
 * this node has not run before is written to the audit trail, attributed to the authority key that
 * signed it (the signature was checked on load). Returns false when the serial was audited before.
 */
export async function auditFederationAtStart(tx: GatewayStores, federation: Federation, clock: Clock): Promise<boolean> {
  const subject = `federation:${federation.serial ?? 0}`;
  if ((await tx.audit.list(subject, 1)).length > 0) return false;
  await tx.audit.append({
    action: 'federation-accepted',
    subject,
    operatorId: 'federation-authority',
    reason: `signed federation serial ${federation.serial ?? 0} accepted at start`,
    detailJson: JSON.stringify(federationSummary(federation)),
    at: clock.nowMs(),
  });
  return true;
}
