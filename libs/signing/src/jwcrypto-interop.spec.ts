import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { ENVELOPE_TYP, signEnvelope, verifyEnvelope } from './envelope.js';
import { FileKeyStore } from './file-key-store.js';
import type { PublicJwk } from './public-jwk.js';
import { RECEIPT_TYP, signReceipt } from './receipt.js';
import { sha256Base64url } from './sha256.js';
import { TrustStore } from './trust-store.js';
import { AgencyKeyStore } from './agency-key-store.js';
import { importSealingKey, openSealed, sealFor, SEALED_TYP } from './sealed-data.js';

/**
 * Interop with an independent JOSE implementation: python3-jwcrypto (Debian package), run with
 * the system Python. Proves that our envelopes are plain RFC 7515 / RFC 8037 and that a peer
 * written in another language can both read and produce them.
 */
const PYTHON = '/usr/bin/python3';
const available = spawnSync(PYTHON, ['-c', 'import jwcrypto'], { stdio: 'ignore' }).status === 0;

/** True (with a notice) when jwcrypto is missing outside CI; in CI (.ci/run installs it) a missing jwcrypto fails the test. */
function skipWithoutJwcrypto(): boolean {
  if (available) return false;
  if (process.env['CI']) throw new Error('python3-jwcrypto is missing in CI: .ci/run installs it');
  console.warn(SKIP_NOTICE);
  return true;
}
const SKIP_NOTICE =
  'SKIPPED jwcrypto interop test: /usr/bin/python3 cannot import jwcrypto. Install it with `apt-get install -y python3-jwcrypto` to run it.';

const VERIFY_PY = `
import base64, hashlib, json, sys
from jwcrypto import jwk, jws
req = json.load(sys.stdin)
token = jws.JWS()
token.deserialize(req['token'])
token.verify(jwk.JWK(**req['jwk']), alg='EdDSA')
digest = base64.urlsafe_b64encode(hashlib.sha256(req['token'].encode('ascii')).digest()).rstrip(b'=').decode()
print(json.dumps({'header': token.jose_header, 'payload': json.loads(token.payload), 'sha256': digest}))
`;

const SIGN_PY = `
import json, sys
from jwcrypto import jwk, jws
from jwcrypto.common import json_encode
req = json.load(sys.stdin)
key = jwk.JWK.generate(kty='OKP', crv='Ed25519', kid=req['kid'])
token = jws.JWS(json_encode(req['claims']).encode('utf-8'))
token.add_signature(key, None, json_encode({'alg': 'EdDSA', 'kid': req['kid'], 'typ': req['typ']}))
print(json.dumps({'jwk': key.export_public(as_dict=True), 'token': token.serialize(compact=True)}))
`;

const SEAL_PY = `
import json, sys
from jwcrypto import jwk, jwe
from jwcrypto.common import json_encode
req = json.load(sys.stdin)
header = {'alg': 'ECDH-ES+A256KW', 'enc': 'A256GCM', 'kid': req['jwk']['kid'], 'typ': req['typ'], 'cty': 'json'}
header.update(req.get('extra', {}))
token = jwe.JWE(json_encode(req['plaintext']).encode('utf-8'), json_encode(header))
token.add_recipient(jwk.JWK(**req['jwk']))
print(json.dumps({'token': token.serialize(compact=True)}))
`;

const OPEN_PY = `
import json, sys
from jwcrypto import jwk, jwe
req = json.load(sys.stdin)
key = jwk.JWK.generate(kty='OKP', crv='X25519', kid=req['kid'])
if 'token' not in req:
    print(json.dumps({'jwk': key.export_public(as_dict=True), 'private': key.export_private(as_dict=True)}))
else:
    k = jwk.JWK(**req['private'])
    token = jwe.JWE()
    token.deserialize(req['token'], key=k)
    print(json.dumps({'header': token.jose_header, 'plaintext': json.loads(token.payload)}))
`;
import { envelopeClaims, NOW, NOW_MS } from './claims.fixtures.js';

function python<T>(script: string, input: unknown): T {
  const run = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`python exited ${String(run.status)}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}


describe('interop with jwcrypto (python3-jwcrypto)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-interop-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const claims = envelopeClaims;

  it('jwcrypto verifies our envelope and receipt, and hashes the envelope as we do', async () => {
    if (skipWithoutJwcrypto()) return;
    const cq = await FileKeyStore.open(join(dir, 'cq'), 'CQ', new ManualClock(NOW_MS));
    const sc = await FileKeyStore.open(join(dir, 'sc'), 'SC', new ManualClock(NOW_MS));
    const envelope = await signEnvelope(cq.current(), claims());

    const read = python<{ header: unknown; payload: unknown; sha256: string }>(VERIFY_PY, { jwk: cq.current().publicJwk, token: envelope });
    expect(read.header).toEqual({ alg: 'EdDSA', kid: cq.current().kid, typ: ENVELOPE_TYP });
    expect(read.payload).toEqual(claims());
    expect(read.sha256).toBe(sha256Base64url(envelope));

    const receipt = await signReceipt(sc.current(), {
      jti: 'r-1', iss: 'SC', aud: 'CQ', iat: NOW, msg: claims().jti, sha256: read.sha256, result: 'accepted',
    });
    const readReceipt = python<{ header: unknown; payload: unknown }>(VERIFY_PY, { jwk: sc.current().publicJwk, token: receipt });
    expect(readReceipt.header).toMatchObject({ typ: RECEIPT_TYP });
    expect(readReceipt.payload).toMatchObject({ msg: claims().jti, sha256: sha256Base64url(envelope) });

    // And jwcrypto refuses what we refuse: a payload changed by one character.
    const [h, p, s] = envelope.split('.') as [string, string, string];
    const i = Math.floor(p.length / 2);
    const tampered = `${h}.${p.slice(0, i)}${p[i] === 'A' ? 'B' : 'A'}${p.slice(i + 1)}.${s}`;
    expect(() => python(VERIFY_PY, { jwk: cq.current().publicJwk, token: tampered })).toThrow(/python exited 1/);
  });

  it('verifies an envelope signed by jwcrypto', async () => {
    if (skipWithoutJwcrypto()) return;
    const kid = 'CQ-20261122-0a1b2c';
    const made = python<{ jwk: Record<string, unknown>; token: string }>(SIGN_PY, { kid, typ: ENVELOPE_TYP, claims: claims() });
    expect(made.jwk).not.toHaveProperty('d');
    const trust = await TrustStore.create([{ kid, node: 'CQ', publicJwk: made.jwk as unknown as PublicJwk }]);

    const verified = await verifyEnvelope(made.token, { trust, self: 'SC', nowMs: NOW_MS, maxSkewSeconds: 60, maxLifetimeSeconds: 7 * 86_400 });
    expect(verified.claims).toEqual(claims());
    expect(verified.header).toEqual({ alg: 'EdDSA', kid, typ: ENVELOPE_TYP });

    // The same key claiming to speak for SC is still refused, whoever produced the token.
    const lying = python<{ jwk: Record<string, unknown>; token: string }>(SIGN_PY, { kid, typ: ENVELOPE_TYP, claims: claims({ iss: 'SC' }) });
    const trustLying = await TrustStore.create([{ kid, node: 'CQ', publicJwk: lying.jwk as unknown as PublicJwk }]);
    await expect(verifyEnvelope(lying.token, { trust: trustLying, self: 'SC', nowMs: NOW_MS, maxSkewSeconds: 60, maxLifetimeSeconds: 7 * 86_400 })).rejects.toMatchObject({
      code: 'ENVELOPE_SENDER_MISMATCH',
    });
  });

  it('opens a JWE that jwcrypto sealed for the agency key, and jwcrypto opens what we seal', async () => {
    if (skipWithoutJwcrypto()) return;
    const agency = await AgencyKeyStore.open(join(dir, 'sc-card'), 'SC.card', new ManualClock(NOW_MS));
    const personal = { idNumber: '51010419900307123X', name: '张三', phone: '13800000000' };

    // jwcrypto → us: sealed with jwcrypto for our published public JWK.
    const made = python<{ token: string }>(SEAL_PY, { jwk: agency.current().publicJwk, typ: SEALED_TYP, plaintext: personal });
    await expect(openSealed(made.token, agency)).resolves.toEqual(personal);

    // us → jwcrypto: a key pair made by jwcrypto, its public half imported by us.
    const kid = 'CQ.card-enc-20261122-0a1b2c';
    const pair = python<{ jwk: Record<string, unknown>; private: Record<string, unknown> }>(OPEN_PY, { kid });
    expect(pair.jwk).not.toHaveProperty('d');
    const sealing = await importSealingKey(pair.jwk as never);
    const sealed = await sealFor(sealing.key, personal, { kid });
    const opened = python<{ header: Record<string, unknown>; plaintext: unknown }>(OPEN_PY, { kid, private: pair.private, token: sealed });
    expect(opened.plaintext).toEqual(personal);
    expect(opened.header).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid, typ: SEALED_TYP });
  });

  it('opens what jwcrypto sealed with apu/apv in the KDF (RFC 7518 §4.6.2), and refuses it once apu is changed', async () => {
    if (skipWithoutJwcrypto()) return;
    const agency = await AgencyKeyStore.open(join(dir, 'sc-card-parties'), 'SC.card', new ManualClock(NOW_MS));
    const personal = { idNumber: '51010419900307123X', name: '张三' };
    const extra = { apu: Buffer.from('CQ gateway').toString('base64url'), apv: Buffer.from('SC.card').toString('base64url') };
    const made = python<{ token: string }>(SEAL_PY, { jwk: agency.current().publicJwk, typ: SEALED_TYP, plaintext: personal, extra });
    expect(JSON.parse(Buffer.from(made.token.split('.')[0], 'base64url').toString('utf8'))).toMatchObject(extra);
    await expect(openSealed(made.token, agency)).resolves.toEqual(personal);

    const [head, ...rest] = made.token.split('.');
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>;
    const changed = [Buffer.from(JSON.stringify({ ...header, apu: Buffer.from('SC gateway').toString('base64url') })).toString('base64url'), ...rest].join('.');
    await expect(openSealed(changed, agency)).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
  });
});
