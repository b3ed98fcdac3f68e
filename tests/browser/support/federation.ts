import { join } from "node:path";
import {
  FederationAuthorityKeyStore,
  signFederation,
  writeTextAtomically,
  type Federation,
} from "#signing";
import type {
  NodeUnderTest,
  TwoNodeHarness,
} from "../../e2e/support/two-node-harness.js";
import { harnessSuite } from "../../e2e/support/harness-suite.js";

/** The federation authority of a harness (the keys it signed serial 1 with), or another one. */
export function authorityOf(
  h: TwoNodeHarness,
  name = "federation-authority",
): Promise<FederationAuthorityKeyStore> {
  // The authority key of the suite the harness issued its federation in (CYTB_SUITE).
  return FederationAuthorityKeyStore.open(join(h.dir, name), h.clock, { suite: harnessSuite() });
}

/**
 * The harness hands its gateways the federation object it issued; a reload reads the files a
 * production node reads. This writes them where the node's configuration points: the authority's
 * public keys (FEDERATION_AUTHORITY_JWKS) and the document in force, signed (FEDERATION_FILE).
 */
export async function publishFederationFiles(
  h: TwoNodeHarness,
  n: NodeUnderTest,
): Promise<FederationAuthorityKeyStore> {
  const authority = await authorityOf(h);
  writeTextAtomically(
    n.config.federationAuthorityJwksFile,
    JSON.stringify(authority.publicJwks()),
  );
  writeTextAtomically(
    n.config.federationFile,
    await signFederation(authority.current(), h.federationDocument()),
  );
  return authority;
}

/** The federation in force with another serial and issue time, signed by `authority`. */
export function signedWith(
  authority: FederationAuthorityKeyStore,
  federation: Federation,
  serial: number,
  issuedAt = federation.issuedAt,
): Promise<string> {
  return signFederation(authority.current(), {
    ...federation,
    serial,
    ...(issuedAt ? { issuedAt } : {}),
  });
}
