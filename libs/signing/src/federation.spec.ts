import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
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
});
