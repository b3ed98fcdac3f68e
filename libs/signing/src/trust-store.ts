import { importJWK, type CryptoKey } from 'jose';
import { GatewayError, isNodeCode, type Clock, type NodeCode } from '#core';
import { suiteNamed, type SuiteName } from './crypto-suite.js';
import { okpKeyObject } from './key-objects.js';
import { isKid, publicJwkProblem, SIGNING_ALG, SM2_ALG, type PublicJwk } from './public-jwk.js';
import { Sm2PublicKey } from './sm2.js';

/** A key the federation lists, with the node it belongs to. */
export interface TrustedKey {
  readonly kid: string;
  readonly node: NodeCode;
  readonly publicJwk: PublicJwk;
}

/** What a kid resolves to: whose key it is, the imported key, and the one algorithm it signs with. */
export type ResolvedKey =
  | { readonly node: NodeCode; readonly key: CryptoKey; readonly alg: typeof SIGNING_ALG }
  | { readonly node: NodeCode; readonly key: Sm2PublicKey; readonly alg: typeof SM2_ALG };

/**
 * Which suites' signatures the federation accepts (issue 17): its own `suite`, and during a move
 * from one suite to the other, the `overlap` suite too until `untilMs`. The algorithm allowlist of
 * every verification is made of these suites' algorithms, before any key is looked up.
 */
export interface SuitePolicy {
  readonly suite: SuiteName;
  readonly overlap?: { readonly suite: SuiteName; readonly untilMs: number };
}

/**
 * Fetches a URL; the global `fetch` fits. Injected so that tests and the gateway decide transport,
 * proxies and TLS; the TrustStore only bounds what it reads.
 */
export type JwksFetch = (
  url: string,
  init: { readonly signal: AbortSignal; readonly headers: Readonly<Record<string, string>> },
) => Promise<{ readonly ok: boolean; readonly status: number; text(): Promise<string> }>;

/** A node whose published JWKS (`jwksUrl` in the federation) adds to its listed keys. */
export interface JwksSource {
  readonly node: NodeCode;
  readonly url: string;
}

export interface TrustRefreshOptions {
  readonly sources: readonly JwksSource[];
  readonly fetch: JwksFetch;
  readonly clock: Clock;
  /** How long fetched keys count as fresh before the next use refreshes them. Default 300 s. */
  readonly ttlSeconds?: number;
  /** An unknown kid triggers a refresh at most once per this many seconds. Default 30 s. */
  readonly minIntervalSeconds?: number;
  /** Per request. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Largest JWKS body read. Default 64 KiB. */
  readonly maxBytes?: number;
  /** Most keys taken from one JWKS. Default 16. */
  readonly maxKeys?: number;
}

/** The outcome of the last fetch of one source, for health and operator views. */
export interface JwksSourceStatus {
  readonly node: NodeCode;
  readonly url: string;
  readonly keys: number;
  /** ms since the epoch of the last attempt, or undefined before the first. */
  readonly lastAttemptMs?: number;
  /** Why the last attempt failed (the previous keys of the source are kept), or undefined. */
  readonly lastError?: string;
}

/**
 * The public keys this node trusts, imported once. Verification looks keys up by `kid` only: a
 * key carried in the token itself (`jwk`, `jku`, `x5u`, `x5c` headers) is never used, because
 * trust comes from the federation configuration and nowhere else.
 *
 * With `refresh` options, the keys a node publishes at its federation `jwksUrl` are added to the
 * keys the federation lists for it, so a key the node rotated to reaches its peers without a new
 * federation document. Listed keys are pinned: a fetched JWKS can add keys for its own node only,
 * never take a listed kid, and a key it stops publishing is dropped at the next refresh.
 *
 * @example
 *   const trust = await TrustStore.create(trustedKeysOf(federation), { sources: jwksSourcesOf(federation, 'SC'), fetch, clock });
 *   await trust.ensure(kid); // fetches once if kid is unknown and the last try is 30 s old
 *   trust.resolve('CQ-20260105-3fa9c1')?.node // 'CQ'
 */
export class TrustStore {
  private fetched = new Map<string, ResolvedKey>();
  private readonly status = new Map<string, JwksSourceStatus>();
  private lastRefreshMs = Number.NEGATIVE_INFINITY;
  /**
   * Counts `replace` calls. A refresh remembers the generation it started in and keeps its result
   * only if no replace came in meanwhile: keys fetched from the old federation's sources must not
   * come back after the new federation dropped them.
   */
  private generation = 0;
  private inFlight: { readonly generation: number; readonly done: Promise<void> } | undefined;

  private constructor(
    private byKid: ReadonlyMap<string, ResolvedKey>,
    private refreshOptions: Required<TrustRefreshOptions> | undefined,
    private policy: SuitePolicy,
  ) {}

  /**
   * Checks and imports every key once (importing per message costs more than verifying). Refuses
   * the whole set with CONFIG_INVALID if one key is wrong or a kid is listed twice: a trust
   * configuration that is partly applied is worse than none.
   *
   * @example const trust = await TrustStore.create([{ kid, node: 'SC', publicJwk }]);
   */
  static async create(keys: readonly TrustedKey[], refresh?: TrustRefreshOptions, policy: SuitePolicy = { suite: 'intl' }): Promise<TrustStore> {
    return new TrustStore(await importAll(keys), refresh === undefined ? undefined : checkRefresh(refresh), checkPolicy(policy));
  }

  /**
   * The JWS algorithms accepted at `nowMs`: the federation suite's, and the overlap suite's until
   * its end. Every verification uses this list unless its caller names one.
   *
   * @example trust.acceptedAlgs(clock.nowMs()) // ['SM2', 'EdDSA'] during a move from intl to gm
   */
  acceptedAlgs(nowMs: number): readonly string[] {
    const own = suiteNamed(this.policy.suite)?.signatureAlg ?? SIGNING_ALG;
    const overlap = this.policy.overlap;
    if (overlap === undefined || !(nowMs <= overlap.untilMs)) return [own];
    const other = suiteNamed(overlap.suite)?.signatureAlg ?? SIGNING_ALG;
    return other === own ? [own] : [own, other];
  }

  /** The suite policy in force (for health and operator views). */
  suitePolicy(): SuitePolicy {
    return this.policy;
  }

  /**
   * Trusts the keys of a new federation instead of the current ones (an operator reloading the
   * configuration), all or nothing: every key is checked and imported before anything changes,
   * so a bad key leaves the store as it was. Keys fetched from JWKS sources are kept only for
   * nodes that are still sources, and never for a kid the new federation now pins. A refresh still
   * running for the old federation is discarded when it ends, and the next `ensure` fetches the new
   * sources at once.
   *
   * @example await trust.replace(trustedKeysOf(next), jwksSourcesOf(next, 'SC'));
   */
  async replace(keys: readonly TrustedKey[], sources?: readonly JwksSource[], policy?: SuitePolicy): Promise<void> {
    const byKid = await importAll(keys);
    const nextPolicy = policy === undefined ? this.policy : checkPolicy(policy);
    const refresh = this.refreshOptions === undefined || sources === undefined ? this.refreshOptions : checkRefresh({ ...this.refreshOptions, sources });
    const kept = new Map([...this.fetched].filter(([kid, key]) => !byKid.has(kid) && (refresh?.sources ?? []).some((s) => s.node === key.node)));
    this.generation += 1;
    this.byKid = byKid;
    this.refreshOptions = refresh;
    this.fetched = kept;
    this.policy = nextPolicy;
    this.lastRefreshMs = Number.NEGATIVE_INFINITY;
    const urls = new Set((refresh?.sources ?? []).map((s) => s.url));
    for (const url of [...this.status.keys()]) if (!urls.has(url)) this.status.delete(url);
  }

  /** The trusted key named `kid`, or `undefined` when neither the federation nor a fetched JWKS lists it. */
  resolve(kid: string): ResolvedKey | undefined {
    return this.byKid.get(kid) ?? this.fetched.get(kid);
  }

  /**
   * Makes `resolve(kid)` as good as it can be before a verification: refreshes the fetched keys
   * when `kid` is unknown, or when they are older than the TTL, but at most once per
   * `minIntervalSeconds` (a peer sending made-up kids cannot make us fetch in a loop). Never
   * throws: a failed fetch keeps the previous keys, and the lookup then refuses the kid.
   *
   * @example await trust.ensure(header.kid); const key = trust.resolve(header.kid);
   */
  async ensure(kid: string): Promise<void> {
    const r = this.refreshOptions;
    if (r === undefined || this.byKid.has(kid)) return;
    const now = r.clock.nowMs();
    const stale = now - this.lastRefreshMs >= r.ttlSeconds * 1000;
    if (this.fetched.has(kid) && !stale) return;
    if (now - this.lastRefreshMs < r.minIntervalSeconds * 1000) return;
    await this.refresh();
  }

  /**
   * Fetches every source now (one refresh at a time; a caller arriving meanwhile waits for it,
   * unless the federation was replaced since it started: that refresh is discarded, so a new one
   * fetches the new sources).
   *
   * @example await trust.refresh(); trust.sourceStatus()
   */
  async refresh(): Promise<void> {
    if (this.inFlight?.generation === this.generation) return this.inFlight.done;
    const generation = this.generation;
    const done = this.refreshAll(generation).finally(() => {
      if (this.inFlight?.done === done) this.inFlight = undefined;
    });
    this.inFlight = { generation, done };
    return done;
  }

  /** Each JWKS source's last outcome. */
  sourceStatus(): JwksSourceStatus[] {
    return [...this.status.values()];
  }

  /** How many keys are trusted (for health and operator views). */
  get size(): number {
    return this.byKid.size + this.fetched.size;
  }

  private async refreshAll(generation: number): Promise<void> {
    const r = this.refreshOptions;
    if (r === undefined) return;
    const startedMs = r.clock.nowMs();
    this.lastRefreshMs = startedMs;
    const next = new Map<string, ResolvedKey>();
    const status: JwksSourceStatus[] = [];
    for (const source of r.sources) {
      const previous = [...this.fetched].filter(([, k]) => k.node === source.node);
      try {
        const keys = await this.fetchSource(source, r);
        for (const [kid, key] of keys) if (!next.has(kid)) next.set(kid, key);
        status.push({ node: source.node, url: source.url, keys: keys.size, lastAttemptMs: startedMs });
      } catch (error) {
        // Keep what this source gave last time: an outage of its JWKS must not drop working keys.
        for (const [kid, key] of previous) next.set(kid, key);
        const reason = error instanceof GatewayError ? (error.detail ?? error.code) : 'the JWKS cannot be fetched';
        status.push({ node: source.node, url: source.url, keys: previous.length, lastAttemptMs: startedMs, lastError: reason });
      }
    }
    // The federation was replaced while we fetched: these are the old sources' keys, checked
    // against the old pinned kids. Keep nothing of them.
    if (generation !== this.generation) return;
    this.fetched = next;
    for (const s of status) this.status.set(s.url, s);
  }

  private async fetchSource(source: JwksSource, r: Required<TrustRefreshOptions>): Promise<Map<string, ResolvedKey>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), r.timeoutMs);
    let text: string;
    try {
      const response = await r.fetch(source.url, { signal: controller.signal, headers: { accept: 'application/jwk-set+json, application/json' } });
      if (!response.ok) throw config(`JWKS of ${source.node}: HTTP ${response.status}`);
      text = await response.text();
    } finally {
      clearTimeout(timer);
    }
    if (text.length > r.maxBytes) throw config(`JWKS of ${source.node}: larger than ${r.maxBytes} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw config(`JWKS of ${source.node}: not JSON`);
    }
    const list = (typeof parsed === 'object' && parsed !== null ? (parsed as { keys?: unknown }).keys : undefined) ?? [];
    if (!Array.isArray(list)) throw config(`JWKS of ${source.node}: keys is not an array`);
    const out = new Map<string, ResolvedKey>();
    for (const jwk of (list as readonly unknown[]).slice(0, r.maxKeys)) {
      const kid = (typeof jwk === 'object' && jwk !== null ? (jwk as { kid?: unknown }).kid : undefined);
      // Only keys with a kid, of our one kind, not claiming a kid the federation pins.
      if (!isKid(kid) || publicJwkProblem(jwk, kid) !== undefined || this.byKid.has(kid) || out.has(kid)) continue;
      const entry: TrustedKey = { kid, node: source.node, publicJwk: jwk as PublicJwk };
      try {
        out.set(kid, await importTrusted(entry, `JWKS of ${source.node}`));
      } catch {
        // An unusable key is skipped, the others are kept.
      }
    }
    return out;
  }
}

async function importAll(keys: readonly TrustedKey[]): Promise<Map<string, ResolvedKey>> {
  const byKid = new Map<string, ResolvedKey>();
  for (const [i, entry] of keys.entries()) {
    const where = `trusted key ${i + 1}`;
    if (!isKid(entry.kid)) throw config(`${where}: kid is missing or not a plain short string`);
    if (!isNodeCode(entry.node)) throw config(`${where} (${entry.kid}): node must be SC or CQ`);
    const problem = publicJwkProblem(entry.publicJwk, entry.kid);
    if (problem !== undefined) throw config(`${where} (${entry.kid}): ${problem}`);
    if (byKid.has(entry.kid)) throw config(`kid ${entry.kid} is listed twice`);
    byKid.set(entry.kid, await importTrusted(entry, where));
  }
  return byKid;
}

async function importTrusted(entry: TrustedKey, where: string): Promise<ResolvedKey> {
  const jwk = entry.publicJwk;
  if (jwk.kty === 'EC') {
    // SM2: the point is checked to be on the curve here, once per key (GB/T 32918.1 §6.2.1).
    const key = Sm2PublicKey.fromCoordinates(Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url'));
    if (key === undefined) throw new GatewayError('CONFIG_INVALID', { detail: `${where} (${entry.kid}): not a point of the SM2 curve` });
    return Object.freeze({ node: entry.node, key, alg: SM2_ALG });
  }
  let key: CryptoKey;
  try {
    // Only the members that define the key: alg/use/kid were checked above.
    key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }, SIGNING_ALG);
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', { detail: `${where} (${entry.kid}): the key cannot be imported`, cause });
  }
  // The KeyObject that verifies with node:crypto is made here, once per key, not at the first message.
  if (okpKeyObject(key, 'ed25519', 'public') === undefined) {
    throw new GatewayError('CONFIG_INVALID', { detail: `${where} (${entry.kid}): not a public Ed25519 key` });
  }
  return Object.freeze({ node: entry.node, key, alg: SIGNING_ALG });
}

function checkRefresh(r: TrustRefreshOptions): Required<TrustRefreshOptions> {
  const out = {
    sources: r.sources,
    fetch: r.fetch,
    clock: r.clock,
    ttlSeconds: r.ttlSeconds ?? 300,
    minIntervalSeconds: r.minIntervalSeconds ?? 30,
    timeoutMs: r.timeoutMs ?? 5000,
    maxBytes: r.maxBytes ?? 64 * 1024,
    maxKeys: r.maxKeys ?? 16,
  };
  for (const name of ['ttlSeconds', 'minIntervalSeconds', 'timeoutMs', 'maxBytes', 'maxKeys'] as const) {
    if (!Number.isSafeInteger(out[name]) || out[name] < 0) throw config(`trust refresh: ${name} must be a whole number, not negative`);
  }
  for (const s of r.sources) {
    if (!isNodeCode(s.node) || typeof s.url !== 'string') throw config('trust refresh: every source needs a node and a url');
  }
  return out;
}

function checkPolicy(policy: SuitePolicy): SuitePolicy {
  if (suiteNamed(policy.suite) === undefined) throw config('trust: the suite must be intl or gm');
  const overlap = policy.overlap;
  if (overlap !== undefined && (suiteNamed(overlap.suite) === undefined || !Number.isFinite(overlap.untilMs))) {
    throw config('trust: the overlap needs a suite (intl or gm) and an end');
  }
  return Object.freeze({ ...policy });
}

function config(detail: string): GatewayError {
  return new GatewayError('CONFIG_INVALID', { detail });
}
