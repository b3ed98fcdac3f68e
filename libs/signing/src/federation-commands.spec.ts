import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { signFederationFile, verifyFederationFile } from './federation-commands.js';
import { FileKeyStore } from './file-key-store.js';

describe('federation commands (npm run federation)', () => {
  let dir: string;
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 2, 0));
  let doc: (serial: number) => object;
  /** A node's keys in both suites, as a document of either stage of a move must list them (FEDERATION_KEY_SUITE_MISMATCH). */
  let bothSuites: (serial: number) => object;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-fedcmd-'));
    const sc = await FileKeyStore.open(join(dir, 'sc'), 'SC', clock);
    doc = (serial) => ({ version: 2, serial, nodes: [{ node: 'SC', name: '四川', url: 'http://127.0.0.1:7101', keys: sc.publicJwks().keys }], rules: [] });
    const scGm = await FileKeyStore.open(join(dir, 'sc-gm'), 'SC', clock, { suite: 'gm' });
    bothSuites = (serial) => ({ version: 2, serial, nodes: [{ node: 'SC', name: '四川', url: 'http://127.0.0.1:7101', keys: [...sc.publicJwks().keys, ...scGm.publicJwks().keys] }], rules: [] });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('signs a document, writes the authority JWKS beside it, and verifies it', async () => {
    await writeFile(join(dir, 'in.json'), JSON.stringify(doc(2)));
    const signed = await signFederationFile(join(dir, 'in.json'), join(dir, 'out', 'federation.jws'), join(dir, 'authority'), clock);
    expect(signed).toMatchObject({ serial: 2, nodes: ['SC'], rules: 0 });
    const jwks = join(dir, 'out', 'federation.jws.authority.jwks.json');
    expect(JSON.parse(await readFile(jwks, 'utf8'))).toMatchObject({ keys: [{ kid: signed.kid, crv: 'Ed25519' }] });
    await expect(verifyFederationFile(join(dir, 'out', 'federation.jws'), jwks)).resolves.toEqual(signed);
    await expect(verifyFederationFile(join(dir, 'out', 'federation.jws'), jwks, 2)).rejects.toMatchObject({ code: 'FEDERATION_ROLLBACK' });
    await expect(verifyFederationFile(join(dir, 'out', 'federation.jws'), jwks, 1)).resolves.toMatchObject({ serial: 2 });
  });

  it('signs a gm document with the SM2 authority key, and lists both suites\' authority keys during a move', async () => {
    const until = '2026-12-01T00:00:00+08:00';
    await writeFile(join(dir, 'step1.json'), JSON.stringify({ ...bothSuites(4), suite: 'intl', suiteOverlap: { suite: 'gm', until } }));
    await writeFile(join(dir, 'step2.json'), JSON.stringify({ ...bothSuites(5), suite: 'gm', suiteOverlap: { suite: 'intl', until } }));
    const step1 = await signFederationFile(join(dir, 'step1.json'), join(dir, 'step1.jws'), join(dir, 'authority'), clock);
    const step2 = await signFederationFile(join(dir, 'step2.json'), join(dir, 'step2.jws'), join(dir, 'authority'), clock);
    expect(step1).toMatchObject({ serial: 4, suite: 'intl', suiteOverlap: { suite: 'gm', until }, kid: expect.stringMatching(/^FA-\d/) });
    expect(step2).toMatchObject({ serial: 5, suite: 'gm', suiteOverlap: { suite: 'intl', until }, kid: expect.stringMatching(/^FA-SM2-/) });
    const jwks = JSON.parse(await readFile(join(dir, 'step2.jws.authority.jwks.json'), 'utf8')) as { keys: { kid: string; crv: string }[] };
    // The signing suite's key first; the same gm key made for step 1 signs step 2.
    expect(jwks.keys.map((k) => k.crv)).toEqual(['SM2', 'Ed25519']);
    expect(jwks.keys[0].kid).toBe(step2.kid);
    await expect(verifyFederationFile(join(dir, 'step1.jws'), join(dir, 'step2.jws.authority.jwks.json'))).resolves.toEqual(step1);
    await expect(verifyFederationFile(join(dir, 'step2.jws'), join(dir, 'step1.jws.authority.jwks.json'))).resolves.toEqual(step2);
  });

  it('refuses to verify an unsigned file (FEDERATION_SIGNATURE_INVALID) and to sign a file that is not JSON (CONFIG_INVALID)', async () => {
    await writeFile(join(dir, 'plain.json'), JSON.stringify(doc(3)));
    await writeFile(join(dir, 'not-json.json'), 'nodes: SC');
    await signFederationFile(join(dir, 'plain.json'), join(dir, 'x.jws'), join(dir, 'authority'), clock);
    await expect(verifyFederationFile(join(dir, 'plain.json'), join(dir, 'x.jws.authority.jwks.json'))).rejects.toMatchObject({ code: 'FEDERATION_SIGNATURE_INVALID' });
    await expect(signFederationFile(join(dir, 'not-json.json'), join(dir, 'y.jws'), join(dir, 'authority'), clock)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
