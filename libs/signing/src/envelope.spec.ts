import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, compactVerify, errors, FlattenedSign } from 'jose';
import { ManualClock, type NodeCode } from '#core';
import { ENVELOPE_TYP, signEnvelope, verifyEnvelope, type EnvelopeClaims } from './envelope.js';
import { FileKeyStore } from './file-key-store.js';
import { RECEIPT_TYP } from './receipt.js';
import { sha256Base64url } from './sha256.js';
import type { Ed25519SigningKey } from './signing-key.js';
import { TrustStore } from './trust-store.js';
import { envelopeClaims, headerText, NOW, NOW_MS, signExact } from './claims.fixtures.js';

const SKEW = 60;
/** The receiver's ENVELOPE_TTL_SECONDS: the longest lifetime (exp − iat) it accepts, plus the skew. */
const TTL = 24 * 3600;

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs any header and payload with a real key: for envelopes our own signer would refuse to make. */
async function forge(key: Ed25519SigningKey, header: Record<string, unknown>, payload: unknown): Promise<string> {
  // jose will not sign with a `crit` it does not know unless told it is understood.
  const crit = Array.isArray(header.crit) ? Object.fromEntries(header.crit.map((name: string) => [name, true])) : undefined;
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: ENVELOPE_TYP, ...header })
    .sign(key.privateKey, crit === undefined ? undefined : { crit });
}

describe('envelopes', () => {
  let dir: string;
  let sc: FileKeyStore<Ed25519SigningKey>;
  let cq: FileKeyStore<Ed25519SigningKey>;
  let stranger: FileKeyStore<Ed25519SigningKey>; // a CQ key the federation does not list
  let trust: TrustStore;
  const clock = new ManualClock(NOW_MS);

  const claims = (over: Partial<EnvelopeClaims> = {}): EnvelopeClaims => envelopeClaims({ body: { service: 'ssc.apply', note: '补领' }, ...over });
  const verifyAt = (compact: string, self: NodeCode = 'SC', nowMs = NOW_MS) =>
    verifyEnvelope(compact, { trust, self, nowMs, maxSkewSeconds: SKEW, maxLifetimeSeconds: TTL });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cytb-envelope-'));
    sc = await FileKeyStore.open(join(dir, 'sc'), 'SC', clock);
    cq = await FileKeyStore.open(join(dir, 'cq'), 'CQ', clock);
    stranger = await FileKeyStore.open(join(dir, 'stranger'), 'CQ', clock);
    trust = await TrustStore.create(
      [sc, cq].flatMap((s) => s.publicJwks().keys.map((publicJwk) => ({ kid: publicJwk.kid, node: s.node, publicJwk }))),
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies an envelope it signed, with its header and the hash of the exact string', async () => {
    const compact = await signEnvelope(cq.current(), claims());
    const verified = await verifyAt(compact);
    expect(verified.claims).toEqual(claims());
    expect(verified.header).toEqual({ alg: 'EdDSA', kid: cq.current().kid, typ: ENVELOPE_TYP });
    expect(verified.sha256).toBe(sha256Base64url(compact));
    expect(verified.sha256).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('puts exactly alg, kid and typ in the protected header', async () => {
    const compact = await signEnvelope(cq.current(), claims());
    const header = JSON.parse(Buffer.from(compact.split('.')[0], 'base64url').toString('utf8'));
    expect(header).toEqual({ alg: 'EdDSA', kid: cq.current().kid, typ: 'cytb-envelope+jws' });
  });

  it('refuses an envelope whose payload was changed by one character', async () => {
    const [h, p, s] = (await signEnvelope(cq.current(), claims())).split('.') as [string, string, string];
    const i = Math.floor(p.length / 2);
    const flipped = `${p.slice(0, i)}${p[i] === 'A' ? 'B' : 'A'}${p.slice(i + 1)}`;
    await expect(verifyAt(`${h}.${flipped}.${s}`)).rejects.toMatchObject({ code: 'ENVELOPE_SIGNATURE_INVALID' });
  });

  it('refuses an envelope whose signature was changed', async () => {
    const [h, p, s] = (await signEnvelope(cq.current(), claims())).split('.') as [string, string, string];
    const flipped = `${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    await expect(verifyAt(`${h}.${p}.${flipped}`)).rejects.toMatchObject({ code: 'ENVELOPE_SIGNATURE_INVALID' });
  });

  it('refuses an unsecured envelope (alg none) before looking up any key', async () => {
    const compact = `${b64({ alg: 'none', kid: 'no-such-kid', typ: ENVELOPE_TYP })}.${b64(claims())}.`;
    // The kid is unknown as well: ALG_REFUSED (not KEY_UNKNOWN) shows the algorithm is checked first.
    await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_ALG_REFUSED' });
    const known = `${b64({ alg: 'none', kid: cq.current().kid, typ: ENVELOPE_TYP })}.${b64(claims())}.`;
    await expect(verifyAt(known)).rejects.toMatchObject({ code: 'ENVELOPE_ALG_REFUSED' });
  });

  it('refuses an HS256 envelope keyed with the public key (algorithm confusion)', async () => {
    const head = b64({ alg: 'HS256', kid: cq.current().kid, typ: ENVELOPE_TYP });
    const payload = b64(claims());
    const mac = createHmac('sha256', Buffer.from(cq.current().publicJwk.x, 'base64url')).update(`${head}.${payload}`).digest('base64url');
    await expect(verifyAt(`${head}.${payload}.${mac}`)).rejects.toMatchObject({ code: 'ENVELOPE_ALG_REFUSED' });
  });

  it('refuses an algorithm outside the allowlist even if it is a sound one', async () => {
    const compact = await signEnvelope(cq.current(), claims());
    await expect(
      verifyEnvelope(compact, { trust, self: 'SC', nowMs: NOW_MS, maxSkewSeconds: SKEW, maxLifetimeSeconds: TTL, allowedAlgs: ['ES256'] }),
    ).rejects.toMatchObject({ code: 'ENVELOPE_ALG_REFUSED' });
  });

  it('will not be configured to allow none or HMAC', async () => {
    const compact = await signEnvelope(cq.current(), claims());
    for (const allowedAlgs of [['EdDSA', 'none'], ['HS256']]) {
      await expect(verifyEnvelope(compact, { trust, self: 'SC', nowMs: NOW_MS, maxSkewSeconds: SKEW, maxLifetimeSeconds: TTL, allowedAlgs })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
      });
    }
  });

  it('refuses an envelope signed with a key the federation does not list', async () => {
    const compact = await signEnvelope(stranger.current(), claims());
    await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_KEY_UNKNOWN' });
  });

  it('refuses an envelope without a kid', async () => {
    const compact = await forge(cq.current(), { kid: undefined }, claims());
    await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
  });

  it('refuses an envelope whose key belongs to another node than the claimed sender', async () => {
    // A valid CQ signature on an envelope that says it comes from SC.
    const compact = await forge(cq.current(), {}, claims({ iss: 'SC', aud: 'SC' }));
    await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_SENDER_MISMATCH' });
  });

  it('refuses an envelope addressed to another node', async () => {
    const compact = await signEnvelope(cq.current(), claims({ aud: 'CQ' }));
    await expect(verifyAt(compact, 'SC')).rejects.toMatchObject({ code: 'ENVELOPE_WRONG_RECEIVER' });
  });

  it('refuses an expired envelope, allowing the clock skew and no more', async () => {
    const compact = await signEnvelope(cq.current(), claims({ iat: NOW - 7200, exp: NOW - 30 }));
    await expect(verifyAt(compact)).resolves.toBeDefined(); // 30 s late is within 60 s of skew
    await expect(verifyAt(compact, 'SC', NOW_MS + 30_000)).rejects.toMatchObject({ code: 'ENVELOPE_EXPIRED' });
  });

  it('refuses an envelope issued too far in the future', async () => {
    await expect(verifyAt(await signEnvelope(cq.current(), claims({ iat: NOW + SKEW, exp: NOW + 3600 })))).resolves.toBeDefined();
    const compact = await signEnvelope(cq.current(), claims({ iat: NOW + SKEW + 1, exp: NOW + 3600 }));
    await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_NOT_YET_VALID' });
  });

  it('refuses an envelope whose lifetime is far beyond the configured one (exp 100 years ahead)', async () => {
    const compact = await signEnvelope(cq.current(), claims({ exp: NOW + 100 * 365 * 24 * 3600 }));
    const error = await verifyAt(compact).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENVELOPE_CLAIMS_INVALID', fields: [expect.objectContaining({ field: 'exp' })] });
  });

  it('accepts a lifetime (exp − iat) up to the configured TTL plus the skew, and refuses one second more', async () => {
    await expect(verifyAt(await signEnvelope(cq.current(), claims({ exp: NOW + TTL })))).resolves.toBeDefined();
    await expect(verifyAt(await signEnvelope(cq.current(), claims({ exp: NOW + TTL + SKEW })))).resolves.toBeDefined();
    const compact = await signEnvelope(cq.current(), claims({ exp: NOW + TTL + SKEW + 1 }));
    await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_CLAIMS_INVALID' });
  });

  it('refuses a lifetime bound that is not a positive number of seconds (a configuration fault)', async () => {
    const compact = await signEnvelope(cq.current(), claims());
    for (const maxLifetimeSeconds of [0, -1, Number.NaN]) {
      await expect(verifyEnvelope(compact, { trust, self: 'SC', nowMs: NOW_MS, maxSkewSeconds: SKEW, maxLifetimeSeconds })).rejects.toMatchObject({ code: 'INTERNAL' });
    }
  });

  describe('repeated member names (RFC 7515 §4, RFC 7519 §4)', () => {
    const payload = () => JSON.stringify(claims());
    const exact = (header: string, body = payload()) => signExact(cq.current(), header, body);

    it('verifies the exact-bytes signer itself on a well-formed envelope', async () => {
      await expect(verifyAt(exact(headerText(cq.current().kid, ENVELOPE_TYP)))).resolves.toMatchObject({ claims: claims() });
    });

    it('refuses a header with alg twice, none then EdDSA, which a last-wins parser reads as EdDSA', async () => {
      const compact = exact(headerText(cq.current().kid, ENVELOPE_TYP, '"alg":"none",'));
      await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
    });

    it('refuses a header with kid twice', async () => {
      const compact = exact(headerText(cq.current().kid, ENVELOPE_TYP, `"kid":${JSON.stringify(stranger.current().kid)},`));
      await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
    });

    it('counts an escaped spelling as the same name ("typ" and "\\u0074yp")', async () => {
      const compact = exact(headerText(cq.current().kid, ENVELOPE_TYP, `"\\u0074yp":${JSON.stringify(RECEIPT_TYP)},`));
      await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
    });

    it('refuses claims with aud twice, naming the claim', async () => {
      const compact = exact(headerText(cq.current().kid, ENVELOPE_TYP), `{"aud":"CQ",${payload().slice(1)}`);
      const error = await verifyAt(compact).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ENVELOPE_MALFORMED', fields: [expect.objectContaining({ field: 'aud' })] });
    });

    it('refuses a name repeated deep inside the body, and in an object inside an array', async () => {
      const header = headerText(cq.current().kid, ENVELOPE_TYP);
      const nested = payload().replace('"body":{', '"body":{"note":"x",');
      const inArray = payload().replace('"body":{', '"body":{"items":[1,{"a":{"b":[]},"a":2}],');
      for (const body of [nested, inArray]) {
        const error = await verifyAt(exact(header, body)).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'ENVELOPE_MALFORMED', fields: [expect.objectContaining({ field: 'body' })] });
      }
    });

    it('accepts the same name in different objects', async () => {
      const body = payload().replace('"body":{', '"body":{"a":{"x":1},"b":{"x":[{"x":2}]},');
      await expect(verifyAt(exact(headerText(cq.current().kid, ENVELOPE_TYP), body))).resolves.toBeDefined();
    });
  });

  it('refuses missing or ill-typed claims, naming each of them', async () => {
    const { case: _missing, ...rest } = claims();
    const compact = await forge(cq.current(), {}, { ...rest, exp: String(NOW + 3600), ver: 0 });
    const error = await verifyAt(compact).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENVELOPE_CLAIMS_INVALID' });
    expect((error as { fields: { field: string }[] }).fields.map((f) => f.field)).toEqual(['exp', 'case', 'ver']);
  });

  it('refuses a body-less envelope', async () => {
    const { body: _missing, ...rest } = claims();
    await expect(verifyAt(await forge(cq.current(), {}, rest))).rejects.toMatchObject({ code: 'ENVELOPE_CLAIMS_INVALID' });
  });

  it('refuses a payload that is not a JSON object', async () => {
    await expect(verifyAt(await forge(cq.current(), {}, ['not', 'claims']))).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
  });

  it('refuses an unknown critical header extension', async () => {
    const compact = await forge(cq.current(), { crit: ['x-cytb-priority'], 'x-cytb-priority': 1 }, claims());
    await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
  });

  it('relies on jose too: jose alone refuses an unknown crit, but accepts b64, which we refuse', async () => {
    const resolved = trust.resolve(cq.current().kid)!;
    if (resolved.alg !== 'EdDSA') throw new Error('expected an Ed25519 key');
    const key = resolved.key;
    const unknown = await forge(cq.current(), { crit: ['x-cytb-priority'], 'x-cytb-priority': 1 }, claims());
    await expect(compactVerify(unknown, key)).rejects.toBeInstanceOf(errors.JOSENotSupported);
    // RFC 7797 unencoded payload: the payload segment is the raw payload (here plain ASCII).
    const jws = await new FlattenedSign(new TextEncoder().encode('unencoded'))
      .setProtectedHeader({ alg: 'EdDSA', kid: cq.current().kid, typ: ENVELOPE_TYP, b64: false, crit: ['b64'] })
      .sign(cq.current().privateKey);
    const b64false = `${jws.protected!}.unencoded.${jws.signature}`;
    await expect(compactVerify(b64false, key)).resolves.toBeDefined();
    await expect(verifyAt(b64false)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
  });

  it('refuses a receipt presented as an envelope (explicit typing)', async () => {
    const compact = await forge(cq.current(), { typ: RECEIPT_TYP }, claims());
    await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
    await expect(verifyAt(await forge(cq.current(), { typ: undefined }, claims()))).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
  });

  it('reads typ as a media type: case-insensitive, application/ implied (RFC 7515 §4.1.9)', async () => {
    const compact = await forge(cq.current(), { typ: 'application/CYTB-Envelope+JWS' }, claims());
    await expect(verifyAt(compact)).resolves.toMatchObject({ header: { typ: 'application/CYTB-Envelope+JWS' } });
  });

  it('refuses what is not a compact JWS', async () => {
    const good = await signEnvelope(cq.current(), claims());
    const bad = ['', 'abc', `${good}.x`, good.replace('.', '.!'), `${b64('not json')}.${b64(claims())}.AAAA`, `${b64([1])}.${b64(claims())}.AAAA`];
    for (const compact of bad) {
      await expect(verifyAt(compact)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
    }
    await expect(verifyAt(123 as unknown as string)).rejects.toMatchObject({ code: 'ENVELOPE_MALFORMED' });
  });

  it('lets no jose error and no bare Error escape', async () => {
    const good = await signEnvelope(cq.current(), claims());
    const [h, p] = good.split('.') as [string, string];
    const inputs = [`${h}.${p}.`, `${h}.${p}.AA`, `${h}.${b64('{"jti":')}.${good.split('.')[2]}`];
    for (const compact of inputs) {
      const error = await verifyAt(compact).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'GatewayError' });
      expect(error).not.toBeInstanceOf(errors.JOSEError);
    }
  });

  it('refuses to sign claims the receiver would refuse, or for a sender that does not own the key', async () => {
    await expect(signEnvelope(cq.current(), claims({ iss: 'SC' }))).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(signEnvelope(cq.current(), claims({ exp: NOW - 1 }))).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(signEnvelope(cq.current(), claims({ ver: 1.5 }))).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
