import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { GatewayError, type Clock } from '#core';
import { FederationAuthorityKeyStore, FederationAuthorityTrust, signFederation, verifySignedFederation } from './federation-signing.js';
import { writeFileSafely } from './key-files.js';
import type { SuiteName } from './crypto-suite.js';
import { parseFederation, suitesOf, type Federation } from './federation.js';

/**
 * What the `npm run federation` command does, without the argument parsing and the printing (those
 * are in apps/gateway/src/federation/federation-cli.ts), so that it is tested here.
 */

/** A short account of a federation document for the operator. */
export interface FederationSummary {
  readonly serial: number;
  readonly kid: string;
  readonly sha256: string;
  readonly nodes: readonly string[];
  readonly agencies: readonly string[];
  readonly rules: number;
  /** The suite the nodes sign in, and the other one accepted until when during a move. */
  readonly suite: SuiteName;
  readonly suiteOverlap?: { readonly suite: SuiteName; readonly until: string };
}

/**
 * Signs the federation document in `inFile` (JSON, version 2 with a serial) with the authority key
 * of the document's suite in `authorityKeyDir` (Ed25519 for `intl`, SM2 for `gm`; created on first
 * use) and writes the compact JWS to `outFile`; writes the authority's public JWKS next to it as
 * `<outFile>.authority.jwks.json` for the nodes. During a move between suites (`suiteOverlap`) the
 * JWKS lists both suites' authority keys, the signing suite's first, so that a node verifies the
 * documents of both steps, and the one it restarts on.
 *
 * @example await signFederationFile('federation.json', 'federation.jws', '/secure/authority', clock);
 */
export async function signFederationFile(inFile: string, outFile: string, authorityKeyDir: string, clock: Clock): Promise<FederationSummary> {
  const doc = (await readJson(inFile, 'the federation document')) as Federation;
  const suites = suitesOf(parseFederation(doc));
  // One store at a time: both prepare the same folder on first use.
  const stores: FederationAuthorityKeyStore[] = [];
  for (const suite of suites) stores.push(await FederationAuthorityKeyStore.open(authorityKeyDir, clock, { suite }));
  const jws = await signFederation(stores[0].current(), doc);
  const jwks = { keys: stores.flatMap((store) => store.publicJwks().keys) };
  await writeOut(outFile, `${jws}\n`);
  await writeOut(`${outFile}.authority.jwks.json`, `${JSON.stringify(jwks, null, 2)}\n`);
  const trust = await FederationAuthorityTrust.create(jwks);
  return summarise(await verifySignedFederation(jws, trust));
}

/**
 * Verifies a signed federation file against the authority JWKS in `jwksFile`. Refusals are
 * GatewayErrors (FEDERATION_SIGNATURE_INVALID, FEDERATION_ROLLBACK with `acceptedSerial`,
 * CONFIG_INVALID).
 *
 * @example const summary = await verifyFederationFile('federation.jws', 'authority.jwks.json');
 */
export async function verifyFederationFile(file: string, jwksFile: string, acceptedSerial?: number): Promise<FederationSummary> {
  const trust = await FederationAuthorityTrust.create(await readJson(jwksFile, 'the authority JWKS'));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `cannot read ${basename(file)}`, cause });
  }
  const verified = await verifySignedFederation(text, trust);
  // The operator's check before deploying: strictly newer than what the nodes run.
  if (acceptedSerial !== undefined && verified.serial <= acceptedSerial) {
    throw new GatewayError('FEDERATION_ROLLBACK', { detail: `serial ${verified.serial} is not newer than the accepted ${acceptedSerial}` });
  }
  return summarise(verified);
}

function summarise(v: { federation: Federation; serial: number; kid: string; sha256: string }): FederationSummary {
  return {
    serial: v.serial,
    kid: v.kid,
    sha256: v.sha256,
    nodes: v.federation.nodes.map((n) => n.node),
    agencies: v.federation.nodes.flatMap((n) => (n.agencies ?? []).map((a) => a.code)),
    rules: (v.federation.rules ?? []).length,
    suite: v.federation.suite ?? 'intl',
    ...(v.federation.suiteOverlap === undefined ? {} : { suiteOverlap: v.federation.suiteOverlap }),
  };
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `cannot read ${what} (${basename(file)})`, cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `${what} (${basename(file)}) is not JSON`, cause });
  }
}

async function writeOut(file: string, data: string): Promise<void> {
  const dir = dirname(resolve(file));
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `cannot create the folder of ${basename(file)}`, cause });
  }
  await writeFileSafely(dir, basename(file), data, { exclusive: false });
}
