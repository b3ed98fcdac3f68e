import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { signEnvelope, verifyEnvelope } from './envelope.js';
import { FileKeyStore } from './file-key-store.js';
import { TrustStore, type JwksFetch } from './trust-store.js';

const NOW_MS = Date.UTC(2026, 10, 22, 2, 0);
const URL_CQ = 'http://127.0.0.1:7201/.well-known/jwks.json';

describe('TrustStore refresh from a peer’s jwksUrl', () => {
  let root: string;
  let n = 0;
  const freshDir = () => join(root, `store-${(n += 1)}`);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cytb-refresh-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** A fake fetch answering `body()` and counting calls. */
  function fakeFetch(body: () => unknown, status = 200): JwksFetch & { calls: number } {
    const f = Object.assign(
      async () => {
        f.calls += 1;
        return { ok: status < 400, status, text: async () => (typeof body() === 'string' ? (body() as string) : JSON.stringify(body())) };
      },
      { calls: 0 },
    );
    return f;
  }

  async function setUp(fetchBody: (cq: FileKeyStore) => () => unknown, status = 200) {
    const clock = new ManualClock(NOW_MS);
    const cq = await FileKeyStore.open(freshDir(), 'CQ', clock);
    const listed = cq.current().publicJwk;
    const fetch = fakeFetch(fetchBody(cq), status);
    const trust = await TrustStore.create([{ kid: listed.kid, node: 'CQ', publicJwk: listed }], {
      sources: [{ node: 'CQ', url: URL_CQ }],
      fetch,
      clock,
      ttlSeconds: 300,
      minIntervalSeconds: 30,
    });
    return { clock, cq, fetch, trust };
  }

  const envelope = async (store: FileKeyStore, clock: ManualClock, iss: 'CQ' | 'SC' = 'CQ') => {
    const iat = Math.floor(clock.nowMs() / 1000);
    return signEnvelope(store.current(), { jti: `m-${iat}-${n}`, iss, aud: 'SC', iat, exp: iat + 3600, case: 'CQ-1', mtype: 't', ver: 1, body: null });
  };

  it('accepts an envelope signed by a key the peer rotated to and publishes, without a new federation', async () => {
    const { clock, cq, fetch, trust } = await setUp((store) => () => store.publicJwks());
    await cq.rotate({ minPublishedSeconds: 0 });
    await cq.rotate({ minPublishedSeconds: 0 });
    const compact = await envelope(cq, clock);
    await expect(verifyEnvelope(compact, { trust, self: 'SC', nowMs: clock.nowMs(), maxSkewSeconds: 0, maxLifetimeSeconds: 7 * 86_400 })).resolves.toMatchObject({ claims: { iss: 'CQ' } });
    expect(fetch.calls).toBe(1);
    // Known now: no second fetch within the TTL.
    await verifyEnvelope(await envelope(cq, clock), { trust, self: 'SC', nowMs: clock.nowMs(), maxSkewSeconds: 0, maxLifetimeSeconds: 7 * 86_400 });
    expect(fetch.calls).toBe(1);
  });

  it('fetches for unknown kids at most once per interval (ENVELOPE_KEY_UNKNOWN meanwhile)', async () => {
    const { clock, fetch, trust } = await setUp(() => () => ({ keys: [] }));
    const rogue = await FileKeyStore.open(freshDir(), 'CQ', clock);
    const compact = await envelope(rogue, clock);
    const verify = () => verifyEnvelope(compact, { trust, self: 'SC', nowMs: clock.nowMs(), maxSkewSeconds: 0, maxLifetimeSeconds: 7 * 86_400 });
    await expect(verify()).rejects.toMatchObject({ code: 'ENVELOPE_KEY_UNKNOWN' });
    await expect(verify()).rejects.toMatchObject({ code: 'ENVELOPE_KEY_UNKNOWN' });
    expect(fetch.calls).toBe(1);
    clock.advance(30_000);
    await expect(verify()).rejects.toMatchObject({ code: 'ENVELOPE_KEY_UNKNOWN' });
    expect(fetch.calls).toBe(2);
  });

  it('never lets a fetched JWKS take a listed kid or speak for another node', async () => {
    const clock = new ManualClock(NOW_MS);
    const sc = await FileKeyStore.open(freshDir(), 'SC', clock);
    const cq = await FileKeyStore.open(freshDir(), 'CQ', clock);
    // CQ's JWKS publishes SC's listed key (as its own) and a key of its own.
    const fetch = fakeFetch(() => ({ keys: [...sc.publicJwks().keys, ...cq.publicJwks().keys] }));
    const trust = await TrustStore.create([{ kid: sc.current().kid, node: 'SC', publicJwk: sc.current().publicJwk }], {
      sources: [{ node: 'CQ', url: URL_CQ }],
      fetch,
      clock,
    });
    await trust.refresh();
    expect(trust.resolve(sc.current().kid)?.node).toBe('SC');
    expect(trust.resolve(cq.current().kid)?.node).toBe('CQ');
    // CQ's own published key verifies CQ's envelopes.
    await expect(verifyEnvelope(await envelope(cq, clock, 'CQ'), { trust, self: 'SC', nowMs: clock.nowMs(), maxSkewSeconds: 0, maxLifetimeSeconds: 7 * 86_400 })).resolves.toBeDefined();
  });

  it.each<[string, unknown, number]>([
    ['keys without a kid, private keys and other curves', { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) }, { kty: 'OKP', crv: 'X25519', x: 'A'.repeat(43), kid: 'x1' }] }, 200],
    ['a body that is too large', 'x'.repeat(70_000), 200],
    ['a body that is not JSON', 'not json', 200],
    ['an HTTP error', { keys: [] }, 503],
  ])('takes nothing from %s and keeps working', async (_name, body, status) => {
    const { trust } = await setUp(() => () => body, status);
    await trust.refresh();
    expect(trust.size).toBe(1);
    expect(trust.sourceStatus()[0]).toMatchObject({ node: 'CQ', url: URL_CQ });
  });

  it('keeps the keys a source gave last time when its JWKS cannot be fetched, and drops keys it stops publishing', async () => {
    let answer: unknown;
    let status = 200;
    const clock = new ManualClock(NOW_MS);
    const cq = await FileKeyStore.open(freshDir(), 'CQ', clock);
    const fetch: JwksFetch = async () => ({ ok: status < 400, status, text: async () => JSON.stringify(answer) });
    const trust = await TrustStore.create([], { sources: [{ node: 'CQ', url: URL_CQ }], fetch, clock });
    answer = cq.publicJwks();
    await trust.refresh();
    expect(trust.resolve(cq.current().kid)?.node).toBe('CQ');
    status = 500;
    await trust.refresh();
    expect(trust.resolve(cq.current().kid)).toBeDefined();
    expect(trust.sourceStatus()[0]?.lastError).toMatch(/HTTP 500/);
    status = 200;
    answer = { keys: [] };
    await trust.refresh();
    expect(trust.resolve(cq.current().kid)).toBeUndefined();
  });

  it('refuses refresh options that make no sense (CONFIG_INVALID)', async () => {
    await expect(
      TrustStore.create([], { sources: [{ node: 'BJ' as 'SC', url: URL_CQ }], fetch: fakeFetch(() => ({})), clock: new ManualClock() }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(TrustStore.create([], { sources: [], fetch: fakeFetch(() => ({})), clock: new ManualClock(), ttlSeconds: -1 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
