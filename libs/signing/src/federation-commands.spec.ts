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

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-fedcmd-'));
    const sc = await FileKeyStore.open(join(dir, 'sc'), 'SC', clock);
    doc = (serial) => ({ version: 2, serial, nodes: [{ node: 'SC', name: '四川', url: 'http://127.0.0.1:7101', keys: sc.publicJwks().keys }], rules: [] });
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

  it('refuses to verify an unsigned file (FEDERATION_SIGNATURE_INVALID) and to sign a file that is not JSON (CONFIG_INVALID)', async () => {
    await writeFile(join(dir, 'plain.json'), JSON.stringify(doc(3)));
    await writeFile(join(dir, 'not-json.json'), 'nodes: SC');
    await signFederationFile(join(dir, 'plain.json'), join(dir, 'x.jws'), join(dir, 'authority'), clock);
    await expect(verifyFederationFile(join(dir, 'plain.json'), join(dir, 'x.jws.authority.jwks.json'))).rejects.toMatchObject({ code: 'FEDERATION_SIGNATURE_INVALID' });
    await expect(signFederationFile(join(dir, 'not-json.json'), join(dir, 'y.jws'), join(dir, 'authority'), clock)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
