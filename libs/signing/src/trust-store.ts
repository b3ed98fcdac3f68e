import { importJWK, type CryptoKey } from 'jose';
import { GatewayError, isNodeCode, type NodeCode } from '#core';
import { isKid, publicJwkProblem, SIGNING_ALG, type PublicJwk } from './public-jwk.js';

/** A key the federation lists, with the node it belongs to. */
export interface TrustedKey {
  readonly kid: string;
  readonly node: NodeCode;
  readonly publicJwk: PublicJwk;
}

/** What a kid resolves to: whose key it is, the imported key, and the one algorithm it signs with. */
export interface ResolvedKey {
  readonly node: NodeCode;
  readonly key: CryptoKey;
  readonly alg: typeof SIGNING_ALG;
}

/**
 * The public keys this node trusts, imported once. Verification looks keys up by `kid` only: a
 * key carried in the token itself (`jwk`, `jku`, `x5u`, `x5c` headers) is never used, because
 * trust comes from the federation configuration and nowhere else.
 *
 * @example
 *   const trust = await TrustStore.create(trustedKeysOf(federation));
 *   trust.resolve('CQ-20260105-3fa9c1')?.node // 'CQ'
 */
export class TrustStore {
  private constructor(private readonly byKid: ReadonlyMap<string, ResolvedKey>) {}

  /**
   * Checks and imports every key once (importing per message costs more than verifying). Refuses
   * the whole set with CONFIG_INVALID if one key is wrong or a kid is listed twice: a trust
   * configuration that is partly applied is worse than none.
   *
   * @example const trust = await TrustStore.create([{ kid, node: 'SC', publicJwk }]);
   */
  static async create(keys: readonly TrustedKey[]): Promise<TrustStore> {
    const byKid = new Map<string, ResolvedKey>();
    for (const [i, entry] of keys.entries()) {
      const where = `trusted key ${i + 1}`;
      if (!isKid(entry.kid)) throw config(`${where}: kid is missing or not a plain short string`);
      if (!isNodeCode(entry.node)) throw config(`${where} (${entry.kid}): node must be SC or CQ`);
      const problem = publicJwkProblem(entry.publicJwk, entry.kid);
      if (problem !== undefined) throw config(`${where} (${entry.kid}): ${problem}`);
      if (byKid.has(entry.kid)) throw config(`kid ${entry.kid} is listed twice`);
      let key: CryptoKey;
      try {
        // Only the members that define the key: alg/use/kid were checked above.
        key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: entry.publicJwk.x }, SIGNING_ALG);
      } catch (cause) {
        throw new GatewayError('CONFIG_INVALID', { detail: `${where} (${entry.kid}): the key cannot be imported`, cause });
      }
      byKid.set(entry.kid, Object.freeze({ node: entry.node, key, alg: SIGNING_ALG }));
    }
    return new TrustStore(byKid);
  }

  /** The trusted key named `kid`, or `undefined` when the federation does not list it. */
  resolve(kid: string): ResolvedKey | undefined {
    return this.byKid.get(kid);
  }

  /** How many keys are trusted (for health and operator views). */
  get size(): number {
    return this.byKid.size;
  }
}

function config(detail: string): GatewayError {
  return new GatewayError('CONFIG_INVALID', { detail });
}
