import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGatewayError, ManualClock } from '#core';
import { AgencyKeyStore } from './agency-key-store.js';
import { loadFederation, parseFederation, trustedKeysOf } from './federation.js';
import { FileKeyStore } from './file-key-store.js';
import { TrustStore } from './trust-store.js';

describe('federation', () => {
  let dir: string;
  let sc: FileKeyStore;
  let cq: FileKeyStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-federation-'));
    sc = await FileKeyStore.open(join(dir, 'sc'), 'SC', new ManualClock());
    cq = await FileKeyStore.open(join(dir, 'cq'), 'CQ', new ManualClock());
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const document = () => ({
    version: 1,
    nodes: [
      { node: 'SC', name: '四川', url: 'http://127.0.0.1:7101/', keys: sc.publicJwks().keys },
      { node: 'CQ', name: '重庆', url: 'http://127.0.0.1:7201', keys: cq.publicJwks().keys },
    ],
  });

  it('reads a federation file, and refuses one that names a member twice at any depth (CONFIG_INVALID)', async () => {
    const file = join(dir, 'federation.json');
    const text = JSON.stringify(document());
    await writeFile(file, text);
    expect(loadFederation(file).nodes.map((n) => n.node)).toEqual(['SC', 'CQ']);
    for (const twice of [`{"version":2,${text.slice(1)}`, text.replace('"name":"四川"', '"name":"四川","name":"重庆"')]) {
      await writeFile(file, twice);
      expect(() => loadFederation(file)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });

  it('lists every node’s published keys as trusted keys of that node', async () => {
    const trust = await TrustStore.create(trustedKeysOf(parseFederation(document())));
    expect(trust.resolve(sc.current().kid)?.node).toBe('SC');
    expect(trust.resolve(cq.current().kid)?.node).toBe('CQ');
  });

  it('refuses a federation that lists a private key', () => {
    const doc = document();
    const leaked = { ...doc.nodes[0], keys: [{ ...sc.current().publicJwk, d: sc.current().publicJwk.x }] };
    expect(() => parseFederation({ ...doc, nodes: [leaked, doc.nodes[1]] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('refuses a federation key that is not Ed25519', () => {
    const doc = document();
    const wrong = { ...doc.nodes[0], keys: [{ ...sc.current().publicJwk, crv: 'P-256' }] };
    expect(() => parseFederation({ ...doc, nodes: [wrong, doc.nodes[1]] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  // Issue 17.1/4: a federation's suite says which keys it may list; a key of the other suite is
  // refused with one stable code and the field at fault, before any node could use it.
  describe('keys of the suite the federation declares', () => {
    let gm: { sc: FileKeyStore; cq: FileKeyStore; card: AgencyKeyStore };
    let intlCard: AgencyKeyStore;

    beforeAll(async () => {
      const clock = new ManualClock();
      gm = {
        sc: await FileKeyStore.open(join(dir, 'sc-gm'), 'SC', clock, { suite: 'gm' }),
        cq: await FileKeyStore.open(join(dir, 'cq-gm'), 'CQ', clock, { suite: 'gm' }),
        card: await AgencyKeyStore.open(join(dir, 'card-gm'), 'SC.card', clock, { suite: 'gm' }),
      };
      intlCard = await AgencyKeyStore.open(join(dir, 'card-intl'), 'SC.card', clock);
    });

    const v2 = (suite: 'intl' | 'gm' | undefined, nodes: { sc: readonly object[]; cq: readonly object[]; card: readonly object[] }, overlap?: object) => ({
      version: 2,
      serial: 1,
      ...(suite === undefined ? {} : { suite }),
      ...(overlap === undefined ? {} : { suiteOverlap: overlap }),
      nodes: [
        { node: 'SC', name: '四川', url: 'http://127.0.0.1:7101', keys: nodes.sc, agencies: [{ code: 'SC.card', encryptionKeys: nodes.card }] },
        { node: 'CQ', name: '重庆', url: 'http://127.0.0.1:7201', keys: nodes.cq },
      ],
      rules: [],
    });
    const refusal = (doc: object): { code: string; fields: string[] } | 'accepted' => {
      try {
        parseFederation(doc);
        return 'accepted';
      } catch (error) {
        if (!isGatewayError(error)) throw error;
        return { code: error.code, fields: error.fields.map((f) => f.field) };
      }
    };
    const keys = (store: { publicJwks(): { keys: readonly object[] } }) => store.publicJwks().keys;

    it('accepts a gm federation whose every node and agency lists SM2 keys, and an intl one of Ed25519 and X25519', () => {
      expect(refusal(v2('gm', { sc: keys(gm.sc), cq: keys(gm.cq), card: keys(gm.card) }))).toBe('accepted');
      expect(refusal(v2(undefined, { sc: keys(sc), cq: keys(cq), card: keys(intlCard) }))).toBe('accepted');
    });

    it('refuses a gm federation with an Ed25519 signing key or an X25519 sealing key, naming the key', () => {
      // Fails before the fix: any signing or sealing key of either kind was taken under either suite.
      expect(refusal(v2('gm', { sc: [...keys(gm.sc), ...keys(sc)], cq: keys(gm.cq), card: keys(gm.card) }))).toEqual({ code: 'FEDERATION_KEY_SUITE_MISMATCH', fields: ['nodes[0].keys[1]'] });
      expect(refusal(v2('gm', { sc: keys(gm.sc), cq: keys(gm.cq), card: keys(intlCard) }))).toEqual({ code: 'FEDERATION_KEY_SUITE_MISMATCH', fields: ['nodes[0].agencies[0].encryptionKeys[0]'] });
    });

    it('refuses an intl federation (declared or by default) with an SM2 signing or sealing key, naming the key', () => {
      expect(refusal(v2('intl', { sc: keys(sc), cq: keys(gm.cq), card: keys(intlCard) }))).toEqual({ code: 'FEDERATION_KEY_SUITE_MISMATCH', fields: ['nodes[1].keys[0]'] });
      expect(refusal(v2(undefined, { sc: keys(sc), cq: keys(cq), card: [...keys(intlCard), ...keys(gm.card)] }))).toEqual({ code: 'FEDERATION_KEY_SUITE_MISMATCH', fields: ['nodes[0].agencies[0].encryptionKeys[1]'] });
    });

    it('takes keys of both suites during an overlap, but still wants each node and agency to hold one of the suite declared', () => {
      const until = '2026-12-31T00:00:00+08:00';
      const both = { sc: [...keys(sc), ...keys(gm.sc)], cq: [...keys(cq), ...keys(gm.cq)], card: [...keys(intlCard), ...keys(gm.card)] };
      expect(refusal(v2('intl', both, { suite: 'gm', until }))).toBe('accepted');
      expect(refusal(v2('gm', both, { suite: 'intl', until }))).toBe('accepted');
      expect(refusal(v2('gm', { ...both, cq: keys(cq) }, { suite: 'intl', until }))).toEqual({ code: 'FEDERATION_KEY_SUITE_MISMATCH', fields: ['nodes[1].keys'] });
      expect(refusal(v2('gm', { ...both, card: keys(intlCard) }, { suite: 'intl', until }))).toEqual({ code: 'FEDERATION_KEY_SUITE_MISMATCH', fields: ['nodes[0].agencies[0].encryptionKeys'] });
    });
  });
});
