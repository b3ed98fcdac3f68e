import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newMessageId } from '#core';
import { ENVELOPE_TYP } from '#signing';
import { cardApplication } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { TwoNodeHarness } from './support/two-node-harness.js';
import { harnessSuite } from './support/harness-suite.js';

/**
 * Issue 14: the hostile-peer cases of points 1, 4, 5 and 6 forged with an independent JOSE
 * implementation (python3-jwcrypto, Debian), signed with Chongqing's real key, so the signature,
 * the sender and the access rules all pass. What must refuse them is the gateway's own checks,
 * each with its code, before anything is stored or reaches Sichuan's agency systems.
 */
const PYTHON = '/usr/bin/python3';
const available = spawnSync(PYTHON, ['-c', 'import jwcrypto'], { stdio: 'ignore' }).status === 0;
// jwcrypto has no SM2: under CYTB_SUITE=gm this spec says so and skips; the gm suite's refusals of
// the same forgeries are in libs/signing gm-suite.spec.ts, its interop in sm-crypto-interop.spec.ts.
const intl = harnessSuite() === 'intl';
if (!intl) console.warn('SKIPPED hostile-peer jwcrypto interop under CYTB_SUITE=gm: jwcrypto implements no SM2 (the intl run covers it)');
if (!available && process.env['CI']) throw new Error('python3-jwcrypto is missing in CI: .ci/run installs it');

/** Signs the exact header and payload text given (duplicates and all) with jwcrypto. */
const SIGN_EXACT_PY = `
import json, sys
from jwcrypto import jwk, jws
req = json.load(sys.stdin)
key = jwk.JWK(**req['jwk'])
out = []
for item in req['items']:
    token = jws.JWS(item['payload'].encode('utf-8'))
    token.add_signature(key, None, item['header'])
    out.append(token.serialize(compact=True))
print(json.dumps(out))
`;

interface Forgery {
  readonly header: string;
  readonly payload: string;
}

function signWithJwcrypto(privateJwk: Record<string, unknown>, items: readonly Forgery[]): string[] {
  const run = spawnSync(PYTHON, ['-c', SIGN_EXACT_PY], { input: JSON.stringify({ jwk: privateJwk, items }), encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`python exited ${String(run.status)}: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

(available && intl ? describe : describe.skip)('a hostile but correctly signed peer, forged with jwcrypto', () => {
  let h: TwoNodeHarness;
  let cqJwk: Record<string, unknown>;

  beforeAll(async () => {
    h = await TwoNodeHarness.start();
    // Chongqing's own signing key, as its key store keeps it (a private JWK, mode 0600).
    const dir = join(h.dir, 'CQ', 'keys');
    const file = readdirSync(dir).find((f) => f.endsWith('.private.jwk.json'))!;
    const { kty, crv, x, d, kid } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, string>;
    cqJwk = { kty, crv, x, d, kid };
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const header = (extra = '') => `{"alg":"EdDSA","kid":"${String(cqJwk['kid'])}","typ":"${ENVELOPE_TYP}"${extra}}`;

  function claims(caseId: string, body: object, o: { exp?: number; audText?: string } = {}): { text: string; jti: string } {
    const now = Math.floor(h.clock.nowMs() / 1000);
    const jti = newMessageId(h.clock.nowMs());
    const base = { jti, iss: 'CQ', aud: 'SC', iat: now, exp: o.exp ?? now + 600, case: caseId, mtype: 'ssc.apply.request', ver: 1, body };
    let text = JSON.stringify(base);
    if (o.audText) text = text.replace('"aud":"SC"', o.audText);
    return { text, jti };
  }

  function request(caseId: string, route: { node: string; agency: string; region: string }) {
    return {
      caseId,
      service: 'ssc.apply',
      acceptedAt: '2026-11-23T09:00:00.000+08:00',
      acceptingNode: 'CQ',
      acceptingWindow: { id: 'cq-yuzhong', name: '渝中区', region: '500103' },
      route: { ...route, regionHistoric: false },
      request: cardApplication({ issuingRegion: route.region }),
    };
  }

  const post = async (body: string, contentType = 'application/jose') => {
    const response = await fetch(h.sc.url('/peer/v1/envelopes'), { method: 'POST', headers: { 'content-type': contentType }, body });
    const text = await response.text();
    return { status: response.status, code: text.startsWith('{') ? (JSON.parse(text) as { code?: string }).code : undefined };
  };

  it('refuses each forgery with its code, stores none of them and hands nothing to an agency', async () => {
    // A case Sichuan accepted at its own window, handled by Chongqing: the one a take-over aims at.
    const submitted = await fetch(h.sc.url('/api/v1/applications'), {
      method: 'POST',
      headers: { authorization: h.sc.window, 'content-type': 'application/json' },
      body: JSON.stringify(cardApplication({ issuingRegion: '500103' })),
    });
    expect(submitted.status).toBe(201);
    const scCase = ((await submitted.json()) as { caseId: string }).caseId;
    await eventually(() => h.sc.gateway.db.read((s) => s.cases.get(scCase)), (c) => c?.stage === 'forwarded' || c?.stage === 'received');
    const before = await h.sc.gateway.db.read((s) => s.cases.get(scCase));
    const simulatorBefore = h.sc.simulator.stats();

    const now = Math.floor(h.clock.nowMs() / 1000);
    const cqCase = `CQ-20261123-${'7K3F9ZQ2M8'}`;
    const scRoute = { node: 'SC', agency: 'SC.card', region: '510104' };
    const takeOver = claims(scCase, request(scCase, scRoute));
    const foreignNumber = claims('SC-20261123-4H6J8K2M3N', request('SC-20261123-4H6J8K2M3N', scRoute));
    const otherAgency = claims(cqCase, request(cqCase, { node: 'SC', agency: 'CQ.card', region: '510104' }));
    const century = claims(cqCase, request(cqCase, scRoute), { exp: now + 100 * 365 * 86_400 });
    const twoAud = claims(cqCase, request(cqCase, scRoute), { audText: '"aud":"CQ","aud":"SC"' });
    const plain = claims(cqCase, request(cqCase, scRoute));
    const forged = signWithJwcrypto(cqJwk, [
      { header: header(), payload: takeOver.text }, // point 1: take-over
      { header: header(), payload: foreignNumber.text }, // point 1: an SC-… number from CQ
      { header: header(), payload: otherAgency.text }, // point 1: another node's agency
      { header: header(), payload: century.text }, // point 4
      { header: `{"alg":"none","alg":"EdDSA","kid":"${String(cqJwk['kid'])}","typ":"${ENVELOPE_TYP}"}`, payload: plain.text }, // point 6
      { header: header(`,"kid":"${String(cqJwk['kid'])}"`), payload: plain.text }, // point 6
      { header: header(), payload: twoAud.text }, // point 6
      { header: header(), payload: plain.text }, // point 5, sent as text/plain, JSON and with a newline
    ]);
    const [t1, t2, t3, t4, t5, t6, t7, t8] = forged as [string, string, string, string, string, string, string, string];

    expect(await post(t1)).toEqual({ status: 403, code: 'CASE_PARTY_MISMATCH' });
    expect(await post(t2)).toEqual({ status: 403, code: 'CASE_PARTY_MISMATCH' });
    expect(await post(t3)).toEqual({ status: 400, code: 'ROUTE_NOT_RECEIVER' });
    expect(await post(t4)).toMatchObject({ code: 'ENVELOPE_CLAIMS_INVALID' });
    expect(await post(t5)).toMatchObject({ status: 400, code: 'ENVELOPE_MALFORMED' });
    expect(await post(t6)).toMatchObject({ status: 400, code: 'ENVELOPE_MALFORMED' });
    expect(await post(t7)).toMatchObject({ status: 400, code: 'ENVELOPE_MALFORMED' });
    expect(await post(t8, 'text/plain')).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await post(JSON.stringify(t8), 'application/json')).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await post(`${t8}\n`)).toMatchObject({ status: 400, code: 'ENVELOPE_MALFORMED' });

    // Nothing of any of them is stored, the take-over target is untouched, no agency saw anything.
    for (const jti of [takeOver.jti, foreignNumber.jti, otherAgency.jti, century.jti, twoAud.jti, plain.jti]) {
      expect(await h.sc.gateway.db.read((s) => s.inbox.get(jti))).toBeNull();
    }
    for (const id of [cqCase, 'SC-20261123-4H6J8K2M3N']) expect(await h.sc.gateway.db.read((s) => s.cases.get(id))).toBeNull();
    const after = await h.sc.gateway.db.read((s) => s.cases.get(scCase));
    // Its stage moves on only by Chongqing's genuine status updates; who holds it does not change.
    expect(after).toMatchObject({ role: 'accepting', acceptingNode: 'SC', handlingNode: 'CQ', agency: before!.agency });
    expect(await h.sc.gateway.db.read((s) => s.outbox.list({ caseId: scCase, destination: 'agency:SC.card' }))).toEqual([]);
    await h.sc.pump.pumpOnce();
    expect(h.sc.simulator.stats()).toEqual(simulatorBefore);

    // The same bytes, sent well-formed, are a genuine Chongqing request: the refusals were the checks, not the signer.
    expect((await post(t8)).status).toBe(200);
  }, 60_000);
});
