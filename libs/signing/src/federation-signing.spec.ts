import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { ManualClock } from '#core';
import { AgencyKeyStore } from './agency-key-store.js';
import {
  agencyEncryptionKeys,
  assertMayDeliver,
  defaultAccessRules,
  mayDeliver,
  parseFederation,
  type Federation,
  type FederationNode,
} from './federation.js';
import { FEDERATION_TYP, FederationAuthorityKeyStore, FederationAuthorityTrust, loadSignedFederation, signFederation, type Ed25519AuthorityKey } from './federation-signing.js';
import { FileKeyStore } from './file-key-store.js';
import { headerText, signExact } from './claims.fixtures.js';

const NOW_MS = Date.UTC(2026, 10, 22, 2, 0);

describe('federation v2: agencies, access rules and the signed document', () => {
  let dir: string;
  let n = 0;
  const fresh = (name: string) => join(dir, `${name}-${(n += 1)}`);
  const clock = new ManualClock(NOW_MS);
  let nodes: FederationNode[];
  let authority: FederationAuthorityKeyStore<Ed25519AuthorityKey>;
  let scCard: AgencyKeyStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-fed2-'));
    const sc = await FileKeyStore.open(join(dir, 'sc'), 'SC', clock);
    const cq = await FileKeyStore.open(join(dir, 'cq'), 'CQ', clock);
    scCard = await AgencyKeyStore.open(join(dir, 'sc-card'), 'SC.card', clock);
    const cqCard = await AgencyKeyStore.open(join(dir, 'cq-card'), 'CQ.card', clock);
    nodes = [
      { node: 'SC', name: '四川', url: 'http://127.0.0.1:7101', jwksUrl: 'http://127.0.0.1:7101/.well-known/jwks.json', keys: sc.publicJwks().keys, agencies: [{ code: 'SC.card', encryptionKeys: scCard.publicJwks().keys }] },
      { node: 'CQ', name: '重庆', url: 'http://127.0.0.1:7201', keys: cq.publicJwks().keys, agencies: [{ code: 'CQ.card', encryptionKeys: cqCard.publicJwks().keys }] },
    ];
    authority = await FederationAuthorityKeyStore.open(join(dir, 'authority'), clock);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const doc = (serial = 1, over: Partial<Federation> = {}): Federation => ({
    version: 2,
    serial,
    nodes,
    rules: [
      { from: 'CQ', to: 'SC.card', types: ['ssc.apply.request'] },
      { from: 'SC', to: 'CQ', types: ['status-update'] },
    ],
    ...over,
  });

  describe('mayDeliver (deny by default)', () => {
    it('allows exactly what a rule names', () => {
      const f = parseFederation(doc());
      expect(mayDeliver(f, 'CQ', 'SC.card', 'ssc.apply.request')).toBe(true);
      expect(mayDeliver(f, 'SC', 'CQ', 'status-update')).toBe(true);
    });

    it.each<[string, 'SC' | 'CQ', string, string]>([
      ['another sender', 'SC', 'SC.card', 'ssc.apply.request'],
      ['another message type', 'CQ', 'SC.card', 'pension-transfer.contact-letter'],
      ['another agency', 'CQ', 'CQ.card', 'ssc.apply.request'],
      ['an agency nobody lists', 'CQ', 'SC.pension', 'ssc.apply.request'],
      ['a node-to-node type in the other direction', 'CQ', 'SC', 'status-update'],
      ['a request type addressed to the node instead of the agency', 'CQ', 'SC', 'ssc.apply.request'],
    ])('denies %s', (_name, from, to, type) => {
      expect(mayDeliver(parseFederation(doc()), from, to, type)).toBe(false);
      expect(() => assertMayDeliver(parseFederation(doc()), from, to, type)).toThrow(expect.objectContaining({ code: 'MESSAGE_NOT_ALLOWED' }));
    });

    it('denies everything on a version 1 document, which has no rules', () => {
      const v1 = parseFederation({ version: 1, nodes: nodes.map(({ node, name, url, keys }) => ({ node, name, url, keys })) });
      expect(v1.rules).toEqual([]);
      expect(mayDeliver(v1, 'CQ', 'SC.card', 'ssc.apply.request')).toBe(false);
    });

    it('spells out the usual rules with defaultAccessRules', () => {
      const rules = defaultAccessRules(nodes, { agencyTypes: { card: ['ssc.apply.request'] }, nodeTypes: ['status-update'] });
      const f = parseFederation(doc(1, { rules }));
      expect(mayDeliver(f, 'CQ', 'SC.card', 'ssc.apply.request')).toBe(true);
      expect(mayDeliver(f, 'SC', 'SC.card', 'ssc.apply.request')).toBe(true);
      expect(mayDeliver(f, 'CQ', 'SC', 'status-update')).toBe(true);
      expect(mayDeliver(f, 'CQ', 'CQ', 'status-update')).toBe(false);
    });

    it('lists an agency’s encryption keys, none for an unknown agency', () => {
      const f = parseFederation(doc());
      expect(agencyEncryptionKeys(f, 'SC.card')[0]?.kid).toBe(scCard.current().kid);
      expect(agencyEncryptionKeys(f, 'SC.pension')).toEqual([]);
    });
  });

  describe('parseFederation v2', () => {
    it.each<[string, (d: Federation) => unknown]>([
      ['a rule from an unlisted node', (d) => ({ ...d, rules: [{ from: 'BJ', to: 'SC.card', types: ['x'] }] })],
      ['a rule to an unlisted agency', (d) => ({ ...d, rules: [{ from: 'CQ', to: 'SC.pension', types: ['x'] }] })],
      ['a rule with no types', (d) => ({ ...d, rules: [{ from: 'CQ', to: 'SC.card', types: [] }] })],
      ['a wildcard type', (d) => ({ ...d, rules: [{ from: 'CQ', to: 'SC.card', types: ['*'] }] })],
      ['version 2 without a serial', (d) => ({ ...d, serial: undefined })],
      ['an agency of another node', (d) => ({ ...d, nodes: [{ ...nodes[0], agencies: [{ code: 'CQ.card', encryptionKeys: scCard.publicJwks().keys }] }, nodes[1]] })],
      ['an agency encryption key that is Ed25519', (d) => ({ ...d, nodes: [{ ...nodes[0], agencies: [{ code: 'SC.card', encryptionKeys: nodes[0]?.keys }] }, nodes[1]] })],
      ['an agency encryption key with a private part', (d) => ({ ...d, nodes: [{ ...nodes[0], agencies: [{ code: 'SC.card', encryptionKeys: [{ ...scCard.current().publicJwk, d: 'x' }] }] }, nodes[1]] })],
      ['a jwksUrl over plain http to another host', (d) => ({ ...d, nodes: [{ ...nodes[0], jwksUrl: 'http://sc.example/.well-known/jwks.json' }, nodes[1]] })],
      ['a kid listed twice across the federation', (d) => ({ ...d, nodes: [nodes[0], { ...nodes[1], keys: nodes[0]?.keys }] })],
    ])('refuses %s (CONFIG_INVALID)', (_name, change) => {
      expect(() => parseFederation(change(doc()))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    });

    it('still reads a version 1 file as before', () => {
      const v1 = { version: 1, nodes: nodes.map(({ node, name, url, keys }) => ({ node, name, url: `${url}/`, keys })) };
      const parsed = parseFederation(v1);
      expect(parsed.version).toBe(1);
      expect(parsed.nodes[0]).toMatchObject({ node: 'SC', url: 'http://127.0.0.1:7101', agencies: [] });
    });
  });

  describe('signed federation', () => {
    const jwksFile = async () => {
      const file = join(fresh('jwks'), '..', `authority-${n}.jwks.json`);
      await writeFile(file, JSON.stringify(authority.publicJwks()));
      return JSON.parse(await readFile(file, 'utf8')) as unknown;
    };

    it('creates the authority key on first open (0600 in 0700) and reuses it', async () => {
      const d = fresh('authority');
      const a = await FederationAuthorityKeyStore.open(d, clock);
      expect(a.current().kid).toMatch(/^FA-20261122-[0-9a-f]{6}$/);
      expect((await stat(d)).mode & 0o777).toBe(0o700);
      expect((await stat(join(d, `${a.current().kid}.private.jwk.json`))).mode & 0o777).toBe(0o600);
      expect((await FederationAuthorityKeyStore.open(d, clock)).current().kid).toBe(a.current().kid);
      expect(JSON.stringify(a.publicJwks())).not.toContain('"d"');
    });

    it('refuses an authority key file others can read (CONFIG_INVALID)', async () => {
      const d = fresh('authority');
      const a = await FederationAuthorityKeyStore.open(d, clock);
      await chmod(join(d, `${a.current().kid}.private.jwk.json`), 0o644);
      await expect(FederationAuthorityKeyStore.open(d, clock)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });

    it('loads a document signed by the authority, with its rules', async () => {
      const file = join(dir, 'fed-ok.jws');
      await writeFile(file, await signFederation(authority.current(), doc(3)));
      const f = await loadSignedFederation(file, await jwksFile());
      expect(f.serial).toBe(3);
      expect(mayDeliver(f, 'CQ', 'SC.card', 'ssc.apply.request')).toBe(true);
    });

    it('refuses an unsigned document (FEDERATION_SIGNATURE_INVALID)', async () => {
      const file = join(dir, 'fed-unsigned.json');
      await writeFile(file, JSON.stringify(doc(3)));
      await expect(loadSignedFederation(file, await jwksFile())).rejects.toMatchObject({ code: 'FEDERATION_SIGNATURE_INVALID' });
    });

    it('refuses a document signed by another key (FEDERATION_SIGNATURE_INVALID)', async () => {
      const rogue = await FederationAuthorityKeyStore.open(fresh('rogue'), clock);
      const file = join(dir, 'fed-rogue.jws');
      await writeFile(file, await signFederation(rogue.current(), doc(3)));
      await expect(loadSignedFederation(file, await jwksFile())).rejects.toMatchObject({ code: 'FEDERATION_SIGNATURE_INVALID' });
      // The rogue key under the authority's kid: the signature does not verify.
      const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify(doc(3))))
        .setProtectedHeader({ alg: 'EdDSA', kid: authority.current().kid, typ: FEDERATION_TYP })
        .sign(rogue.current().privateKey);
      await writeFile(file, forged);
      await expect(loadSignedFederation(file, await jwksFile())).rejects.toMatchObject({ code: 'FEDERATION_SIGNATURE_INVALID' });
    });

    it('refuses a changed payload (FEDERATION_SIGNATURE_INVALID)', async () => {
      const jws = await signFederation(authority.current(), doc(3));
      const [h, , s] = jws.split('.');
      const widened = Buffer.from(JSON.stringify(doc(3, { rules: [{ from: 'CQ', to: 'SC.card', types: ['ssc.apply.request', 'x'] }] }))).toString('base64url');
      const file = join(dir, 'fed-changed.jws');
      await writeFile(file, `${h}.${widened}.${s}`);
      await expect(loadSignedFederation(file, await jwksFile())).rejects.toMatchObject({ code: 'FEDERATION_SIGNATURE_INVALID' });
    });

    it.each<[string, Record<string, unknown>]>([
      ['a wrong typ', { alg: 'EdDSA', typ: 'cytb-envelope+jws' }],
      ['no typ', { alg: 'EdDSA' }],
      ['a crit header', { alg: 'EdDSA', typ: FEDERATION_TYP, crit: ['b64'], b64: true }],
    ])('refuses %s (FEDERATION_SIGNATURE_INVALID)', async (_name, header) => {
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(doc(3))))
        .setProtectedHeader({ alg: 'EdDSA', ...header, kid: authority.current().kid })
        .sign(authority.current().privateKey);
      const file = join(dir, `fed-header-${n += 1}.jws`);
      await writeFile(file, jws);
      await expect(loadSignedFederation(file, await jwksFile())).rejects.toMatchObject({ code: 'FEDERATION_SIGNATURE_INVALID' });
    });

    it('refuses alg none (FEDERATION_SIGNATURE_INVALID)', async () => {
      const head = Buffer.from(JSON.stringify({ alg: 'none', kid: authority.current().kid, typ: FEDERATION_TYP })).toString('base64url');
      const file = join(dir, 'fed-none.jws');
      await writeFile(file, `${head}.${Buffer.from(JSON.stringify(doc(3))).toString('base64url')}.`);
      await expect(loadSignedFederation(file, await jwksFile())).rejects.toMatchObject({ code: 'FEDERATION_SIGNATURE_INVALID' });
    });

    describe('repeated member names (RFC 7515 §4, RFC 7519 §4)', () => {
      const load = async (compact: string) => {
        const file = join(dir, `fed-dup-${(n += 1)}.jws`);
        await writeFile(file, compact);
        return loadSignedFederation(file, await jwksFile());
      };
      const header = () => headerText(authority.current().kid, FEDERATION_TYP);

      it('loads a document written byte for byte by the exact-bytes signer', async () => {
        await expect(load(signExact(authority.current(), header(), JSON.stringify(doc(3))))).resolves.toMatchObject({ serial: 3 });
      });

      it('refuses a header naming kid twice (FEDERATION_SIGNATURE_INVALID)', async () => {
        const rogue = await FederationAuthorityKeyStore.open(fresh('rogue'), clock);
        const twice = headerText(authority.current().kid, FEDERATION_TYP, `"kid":${JSON.stringify(rogue.current().kid)},`);
        await expect(load(signExact(authority.current(), twice, JSON.stringify(doc(3))))).rejects.toMatchObject({ code: 'FEDERATION_SIGNATURE_INVALID' });
      });

      it('refuses a document naming serial twice, or a member twice inside a node (FEDERATION_SIGNATURE_INVALID)', async () => {
        const text = JSON.stringify(doc(3));
        const serialTwice = `{"serial":1000,${text.slice(1)}`;
        const urlTwice = text.replace('"url":', '"url":"http://evil.example","url":');
        for (const payload of [serialTwice, urlTwice]) {
          await expect(load(signExact(authority.current(), header(), payload))).rejects.toMatchObject({ code: 'FEDERATION_SIGNATURE_INVALID' });
        }
      });
    });

    it('refuses a rollback to an older serial, or other content under the same serial (FEDERATION_ROLLBACK), and accepts a newer one', async () => {
      const stateFile = join(fresh('state'), 'federation.accepted.json');
      const file = join(dir, 'fed-roll.jws');
      const jwks = await jwksFile();
      await writeFile(file, await signFederation(authority.current(), doc(5)));
      await expect(loadSignedFederation(file, jwks, { stateFile })).resolves.toMatchObject({ serial: 5 });
      // The same document again (a restart) is fine.
      await expect(loadSignedFederation(file, jwks, { stateFile })).resolves.toMatchObject({ serial: 5 });
      await writeFile(file, await signFederation(authority.current(), doc(4)));
      await expect(loadSignedFederation(file, jwks, { stateFile })).rejects.toMatchObject({ code: 'FEDERATION_ROLLBACK' });
      await writeFile(file, await signFederation(authority.current(), doc(5, { rules: [] })));
      await expect(loadSignedFederation(file, jwks, { stateFile })).rejects.toMatchObject({ code: 'FEDERATION_ROLLBACK' });
      await writeFile(file, await signFederation(authority.current(), doc(6)));
      await expect(loadSignedFederation(file, jwks, { stateFile })).resolves.toMatchObject({ serial: 6 });
      expect(JSON.parse(await readFile(stateFile, 'utf8'))).toMatchObject({ serial: 6 });
    });

    it('refuses to sign a version 1 document or an invalid one (CONFIG_INVALID)', async () => {
      await expect(signFederation(authority.current(), { version: 1, nodes })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      await expect(signFederation(authority.current(), doc(0))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });

    it('refuses an authority JWKS with an X25519 or private key (CONFIG_INVALID)', async () => {
      await expect(FederationAuthorityTrust.create({ keys: [scCard.current().publicJwk] })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      await expect(FederationAuthorityTrust.create({ keys: [{ ...authority.current().publicJwk, d: 'x' }] })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      await expect(FederationAuthorityTrust.create({ keys: [] })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });

    it('verifies with the old authority key after a rotation until the nodes drop it', async () => {
      const a = await FederationAuthorityKeyStore.open(fresh('authority'), clock);
      const old = a.current();
      const oldJws = await signFederation(old, doc(1));
      clock.advance(1000);
      const next = await a.rotate();
      expect(a.publicJwks().keys.map((k) => k.kid)).toEqual([next.kid, old.kid]);
      const file = join(dir, 'fed-rot.jws');
      await writeFile(file, oldJws);
      await expect(loadSignedFederation(file, a.publicJwks())).resolves.toMatchObject({ serial: 1 });
      await writeFile(file, await signFederation(a.current(), doc(2)));
      await expect(loadSignedFederation(file, a.publicJwks())).resolves.toMatchObject({ serial: 2 });
    });
  });
});
