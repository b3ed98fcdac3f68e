import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { FileKeyStore } from './file-key-store.js';
import type { PublicJwk } from './public-jwk.js';
import { TrustStore, type JwksFetch, type TrustedKey } from './trust-store.js';

describe('TrustStore', () => {
  let dir: string;
  let jwk: PublicJwk;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-trust-'));
    jwk = (await FileKeyStore.open(dir, 'SC', new ManualClock())).current().publicJwk;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves a listed kid to its node and an imported key, and an unknown kid to nothing', async () => {
    const trust = await TrustStore.create([{ kid: jwk.kid, node: 'SC', publicJwk: jwk }]);
    expect(trust.resolve(jwk.kid)).toMatchObject({ node: 'SC', alg: 'EdDSA', key: { type: 'public' } });
    expect(trust.resolve('CQ-20260101-000000')).toBeUndefined();
    expect(trust.size).toBe(1);
  });

  it('accepts a JWK without the optional alg and use', async () => {
    const { alg: _a, use: _u, ...bare } = jwk;
    const trust = await TrustStore.create([{ kid: jwk.kid, node: 'SC', publicJwk: bare as PublicJwk }]);
    expect(trust.resolve(jwk.kid)).toBeDefined();
  });

  it.each<[string, (k: TrustedKey) => TrustedKey]>([
    ['a private key', (k) => ({ ...k, publicJwk: { ...k.publicJwk, d: k.publicJwk.x } as unknown as PublicJwk })],
    ['another curve', (k) => ({ ...k, publicJwk: { ...k.publicJwk, crv: 'X25519' } as unknown as PublicJwk })],
    ['another algorithm', (k) => ({ ...k, publicJwk: { ...k.publicJwk, alg: 'ES256' } as unknown as PublicJwk })],
    ['a kid that differs from the JWK’s', (k) => ({ ...k, kid: 'SC-20260101-ffffff' })],
    ['an unknown node', (k) => ({ ...k, node: 'BJ' as unknown as 'SC' })],
    ['a short x', (k) => ({ ...k, publicJwk: { ...k.publicJwk, x: 'AAAA' } })],
  ])('refuses %s (CONFIG_INVALID)', async (_name, change) => {
    await expect(TrustStore.create([change({ kid: jwk.kid, node: 'SC', publicJwk: jwk })])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a kid listed twice', async () => {
    const entry: TrustedKey = { kid: jwk.kid, node: 'SC', publicJwk: jwk };
    await expect(TrustStore.create([entry, { ...entry, node: 'CQ' }])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('replaces its keys with a new federation’s, all or nothing', async () => {
    const other = (await FileKeyStore.open(join(dir, 'cq'), 'CQ', new ManualClock())).current().publicJwk;
    const trust = await TrustStore.create([{ kid: jwk.kid, node: 'SC', publicJwk: jwk }]);

    await trust.replace([{ kid: other.kid, node: 'CQ', publicJwk: other }]);
    expect(trust.resolve(other.kid)?.node).toBe('CQ');
    expect(trust.resolve(jwk.kid)).toBeUndefined();

    // A bad key anywhere in the new set changes nothing.
    await expect(trust.replace([{ kid: jwk.kid, node: 'SC', publicJwk: jwk }, { kid: 'SC-20260101-ffffff', node: 'SC', publicJwk: jwk }])).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(trust.resolve(other.kid)?.node).toBe('CQ');
    expect(trust.resolve(jwk.kid)).toBeUndefined();
  });

  describe('replace while a refresh is in flight', () => {
    const URL_CQ = 'http://127.0.0.1:7201/.well-known/jwks.json';
    const URL_CQ_NEXT = 'http://127.0.0.1:7202/.well-known/jwks.json';
    let n = 0;

    /** A fetch that answers only when the test releases it, recording the URLs asked for. */
    function heldFetch(body: () => unknown): JwksFetch & { urls: string[]; release: () => void } {
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const urls: string[] = [];
      const fetch: JwksFetch = async (url) => {
        urls.push(url);
        await held;
        return { ok: true, status: 200, text: async () => JSON.stringify(body()) };
      };
      return Object.assign(fetch, { urls, release: () => release() });
    }

    async function setUp() {
      const clock = new ManualClock();
      const listed = (await FileKeyStore.open(join(dir, `cq-listed-${(n += 1)}`), 'CQ', clock)).current().publicJwk;
      const published = (await FileKeyStore.open(join(dir, `cq-published-${n}`), 'CQ', clock)).current().publicJwk;
      const fetch = heldFetch(() => ({ keys: [published] }));
      const trust = await TrustStore.create([{ kid: listed.kid, node: 'CQ', publicJwk: listed }], { sources: [{ node: 'CQ', url: URL_CQ }], fetch, clock });
      return { fetch, trust, published };
    }

    it('does not bring back the keys of a source the new federation dropped', async () => {
      const { fetch, trust, published } = await setUp();
      const pending = trust.refresh();
      // The operator reloads a federation that no longer lists CQ's jwksUrl, before CQ's JWKS answers.
      await trust.replace([{ kid: jwk.kid, node: 'SC', publicJwk: jwk }], []);
      fetch.release();
      await pending;
      expect(trust.resolve(published.kid)).toBeUndefined();
      expect(trust.size).toBe(1);
      expect(trust.sourceStatus()).toEqual([]);
    });

    it('fetches the new federation’s sources at once instead of joining the discarded refresh', async () => {
      const { fetch, trust, published } = await setUp();
      const pending = trust.refresh();
      await trust.replace([{ kid: jwk.kid, node: 'SC', publicJwk: jwk }], [{ node: 'CQ', url: URL_CQ_NEXT }]);
      const ensured = trust.ensure(published.kid);
      fetch.release();
      await Promise.all([pending, ensured]);
      expect(fetch.urls).toEqual([URL_CQ, URL_CQ_NEXT]);
      expect(trust.resolve(published.kid)?.node).toBe('CQ');
      expect(trust.sourceStatus()).toEqual([expect.objectContaining({ url: URL_CQ_NEXT, keys: 1 })]);
    });
  });
});
