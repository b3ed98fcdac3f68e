import { harnessSuite } from './support/harness-suite.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newMessageId } from '#core';
import { federationMessageTypes } from '#contracts';
import { FederationAuthorityKeyStore, FileKeyStore, issueLocalFederation, signEnvelope, signFederation, writeTextAtomically, type Federation } from '#signing';
import { loadGatewayConfig } from '../../apps/gateway/src/config/gateway.config.js';
import { createGatewayApp } from '../../apps/gateway/src/gateway-app.js';
import { cardApplication } from './support/applications.js';
import { eventually, freePort } from './support/free-port.js';
import { GatewayPair } from './support/gateway-pair.js';
import { FEDERATION_TYP } from '#signing';
import { signCompactBytes } from '../../libs/signing/src/compact-jws.js';

/**
 * Issue 6: trust between the provinces. Keys rotate as an operator action and reach the peer
 * through the node's JWKS; the federation's access rules refuse what they do not allow; a node
 * starts only on a federation the authority signed, and never on an older one.
 */
describe('trust between provinces: key rotation, access rules, the signed federation', () => {
  let pair: GatewayPair;

  beforeAll(async () => {
    pair = await GatewayPair.start();
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  const rotate = (auth: string, body: unknown = { reason: 'yearly rotation' }) =>
    fetch(pair.sc.url('/api/v1/operator/keys/rotate'), {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** A card request from CQ for one of SC's agencies, signed by CQ as its relay would send it; returns SC's answer and the message id. */
  async function cardRequestFromCq(caseId: string, agency = 'SC.card') {
    const cqKeys = await FileKeyStore.open(join(pair.dir, 'CQ', 'keys'), 'CQ', pair.clock, { suite: harnessSuite() });
    const now = Math.floor(pair.clock.nowMs() / 1000);
    const jti = newMessageId(pair.clock.nowMs());
    const body = {
      caseId,
      service: 'ssc.apply',
      acceptedAt: '2026-11-23T09:00:00.000+08:00',
      acceptingNode: 'CQ',
      acceptingWindow: { id: 'cq-yuzhong', name: '渝中区', region: '500103' },
      route: { node: 'SC', agency, region: '510104', regionHistoric: false },
      request: { ...cardApplication({ issuingRegion: '510104' }) },
    };
    const compact = await signEnvelope(cqKeys.current(), { jti, iss: 'CQ', aud: 'SC', iat: now, exp: now + 600, case: caseId, mtype: 'ssc.apply.request', ver: 1, body });
    const response = await fetch(pair.sc.url('/peer/v1/envelopes'), { method: 'POST', headers: { 'content-type': 'application/jose' }, body: compact });
    return Object.assign(response, { jti });
  }

  it('rotates a signing key in audited steps: publish, refuse to switch early, switch a day later; the peer verifies the new key from the JWKS', async () => {
    expect((await rotate(pair.sc.window)).status).toBe(403);
    expect(((await (await rotate(pair.sc.operator, {})).json()) as { code: string }).code).toBe('VALIDATION_FAILED');

    const prepared = (await (await rotate(pair.sc.operator)).json()) as { action: string; kid: string };
    expect(prepared.action).toBe('prepared');
    const jwks = (await (await fetch(pair.sc.url('/.well-known/jwks.json'))).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(prepared.kid);

    const early = await rotate(pair.sc.operator);
    expect({ status: early.status, code: ((await early.json()) as { code: string }).code }).toEqual({ status: 409, code: 'KEY_ROTATION_REFUSED' });

    pair.clock.advance(25 * 3600_000);
    const activated = (await (await rotate(pair.sc.operator)).json()) as { action: string; kid: string; retiring: string };
    expect(activated).toMatchObject({ action: 'activated', kid: prepared.kid });

    // SC now signs with a key the federation document never listed: CQ finds it in SC's JWKS.
    const response = await fetch(pair.sc.url('/api/v1/applications'), {
      method: 'POST',
      headers: { authorization: pair.sc.window, 'content-type': 'application/json' },
      body: JSON.stringify(cardApplication({ issuingRegion: '500103' })),
    });
    expect(response.status).toBe(201);
    const { caseId } = (await response.json()) as { caseId: string };
    const [sent] = await eventually(
      () => pair.sc.gateway.db.read((s) => s.outbox.list({ caseId, destination: 'peer:CQ' })),
      (rows) => rows[0]?.state === 'delivered',
    );
    const header = JSON.parse(Buffer.from(sent.payload.split('.')[0], 'base64url').toString('utf8')) as { kid: string };
    expect(header.kid).toBe(prepared.kid);

    const audit = (await (await fetch(pair.sc.url('/api/v1/operator/audit'), { headers: { authorization: pair.sc.operator } })).json()) as {
      items: { action: string; subject: string }[];
    };
    expect(audit.items.filter((a) => a.subject === prepared.kid).map((a) => a.action).sort()).toEqual(['key-activated', 'key-prepared']);
  }, 30_000);

  it('refuses a message type the federation does not let the sender send to that agency, before anything is stored', async () => {
    const caseId = 'CQ-20261123-7K3F9ZQ2M9';
    // A well-formed card request, but routed to the pension office: no rule allows that.
    const response = await cardRequestFromCq(caseId, 'SC.pension');
    const jti = response.jti;
    expect({ status: response.status, code: ((await response.json()) as { code: string }).code }).toEqual({ status: 403, code: 'MESSAGE_NOT_ALLOWED' });
    expect(await pair.sc.gateway.db.read((s) => s.inbox.get(jti))).toBeNull();
    expect(await pair.sc.gateway.db.read((s) => s.cases.get(caseId))).toBeNull();
  });

  describe('a node starts only on a federation the authority signed', () => {
    let lastAudit: unknown;
    async function startWith(files: { federation: string; authority: string }) {
      const dir = join(pair.dir, 'start-checks');
      const config = loadGatewayConfig({
        NODE_CODE: 'SC',
        HTTP_PORT: String(await freePort()),
        STATUS_PORT: String(await freePort()),
        ADAPTER_PORT: String(await freePort()),
        DATA_DIR: dir,
        KEY_DIR: join(pair.dir, 'SC', 'keys'),
        AGENCY_LINK_SECRET: 'test-agency-link-secret-of-SC-0123456789',
        FEDERATION_FILE: files.federation,
        FEDERATION_AUTHORITY_JWKS: files.authority,
      });
      try {
        const gateway = await createGatewayApp(config, { clock: pair.clock, logs: false, docsUi: false });
        lastAudit = (await gateway.db.read((s) => s.audit.list(undefined, 1)))[0];
        await gateway.close();
        return 'started';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    }

    const issue = (authorityDir: string, serial: number) =>
      issueLocalFederation({
        nodes: (['SC', 'CQ'] as const).map((node) => ({
          node,
          name: node,
          url: `http://127.0.0.1:1${node === 'SC' ? '1' : '2'}00`,
          keyDir: join(pair.dir, node, 'keys'),
          agencyKeyDir: join(pair.dir, node, 'agency-keys'),
          agencyFunctions: ['card'],
        })),
        types: federationMessageTypes(),
        authorityDir,
        clock: pair.clock,
        serial,
      });

    it('refuses an unsigned document, one signed by another authority, and an older one than it accepted', async () => {
      const dir = join(pair.dir, 'start-checks');
      const authority = join(pair.dir, 'federation-authority.jwks.json');
      const unsigned = join(dir, 'unsigned.json');
      writeTextAtomically(unsigned, JSON.stringify((await issue(join(pair.dir, 'federation-authority'), 5)).federation));
      expect(await startWith({ federation: unsigned, authority })).toBe('FEDERATION_SIGNATURE_INVALID');

      const foreign = join(dir, 'foreign.jws');
      writeTextAtomically(foreign, (await issue(join(dir, 'rogue-authority'), 5)).signed);
      expect(await startWith({ federation: foreign, authority })).toBe('FEDERATION_SIGNATURE_INVALID');

      const newer = join(dir, 'serial-5.jws');
      writeTextAtomically(newer, (await issue(join(pair.dir, 'federation-authority'), 5)).signed);
      expect(await startWith({ federation: newer, authority })).toBe('started');
      // The change is in the node's audit trail, attributed to the authority that signed it.
      expect(lastAudit).toMatchObject({ action: 'federation-accepted', subject: 'federation:5', operatorId: 'federation-authority' });
      const older = join(dir, 'serial-4.jws');
      writeFileSync(older, (await issue(join(pair.dir, 'federation-authority'), 4)).signed);
      expect(await startWith({ federation: older, authority })).toBe('FEDERATION_ROLLBACK');
    }, 30_000);
  });

  describe('an operator changes the federation without a restart', () => {
    const reload = (auth: string, body: unknown) =>
      fetch(pair.sc.url('/api/v1/operator/federation/reload'), {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const answer = async (response: Response) => ({ status: response.status, ...((await response.json()) as Record<string, unknown>) });

    /** The federation in force with another serial and CQ no longer allowed to send card applications to SC's card centre. */
    function withoutCardApplicationsFromCq(serial: number): Federation {
      return {
        ...pair.federation,
        serial,
        issuedAt: new Date(pair.clock.nowMs()).toISOString(),
        rules: (pair.federation.rules ?? []).map((rule) =>
          rule.from === 'CQ' && rule.to === 'SC.card' ? { ...rule, types: rule.types.filter((t) => t !== 'ssc.apply.request') } : rule,
        ),
      };
    }

    it('applies a newer signed federation at once (rules, keys, audit), and refuses an unsigned, foreign or older one, keeping the one in force', async () => {
      const authority = await FederationAuthorityKeyStore.open(join(pair.dir, 'federation-authority'), pair.clock, { suite: harnessSuite() });
      const serial2 = await signFederation(authority.current(), withoutCardApplicationsFromCq(2));

      // Operators only, and a reason is required.
      expect((await reload(pair.sc.window, { reason: 'new rules', signedFederation: serial2 })).status).toBe(403);
      expect(await answer(await reload(pair.sc.operator, { signedFederation: serial2 }))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });

      // Under serial 1, CQ may send SC's card centre a card application.
      expect((await cardRequestFromCq('CQ-20261123-4D7K2MZQ8P')).status).toBeLessThan(300);

      expect(await answer(await reload(pair.sc.operator, { reason: 'CQ card applications paused by the authority', signedFederation: serial2 }))).toMatchObject({
        status: 200,
        serial: 2,
        previousSerial: 1,
        changed: true,
      });
      // In force at once, with no restart: the same kind of message is now refused.
      expect(await answer(await cardRequestFromCq('CQ-20261123-9H2M4QX7TZ'))).toMatchObject({ status: 403, code: 'MESSAGE_NOT_ALLOWED' });
      const inForce = (await (await fetch(pair.sc.url('/api/v1/operator/federation'), { headers: { authorization: pair.sc.operator } })).json()) as { serial: number };
      expect(inForce.serial).toBe(2);
      const health = (await (await fetch(pair.sc.url('/health'))).json()) as { info?: { federation?: { serial: number } } };
      expect(health.info?.federation?.serial).toBe(2);
      // The document replaced the file, so a restart runs on it too.
      expect(readFileSync(pair.sc.config.federationFile, 'utf8')).toBe(serial2);
      // Sealing still works under the reloaded keys: SC accepts a local card case.
      const local = await fetch(pair.sc.url('/api/v1/applications'), {
        method: 'POST',
        headers: { authorization: pair.sc.window, 'content-type': 'application/json' },
        body: JSON.stringify(cardApplication({ issuingRegion: '510104' })),
      });
      expect(local.status).toBe(201);

      // Refused, each with its code, and serial 2 stays in force.
      const rogue = await issueLocalFederation({
        nodes: (['SC', 'CQ'] as const).map((node) => ({
          node,
          name: node,
          url: pair.nodes[node].url(''),
          keyDir: join(pair.dir, node, 'keys'),
          agencyKeyDir: join(pair.dir, node, 'agency-keys'),
          agencyFunctions: ['card', 'medical', 'pension'],
        })),
        types: federationMessageTypes(),
        authorityDir: join(pair.dir, 'rogue-authority'),
        clock: pair.clock,
        serial: 3,
      });
      expect(await answer(await reload(pair.sc.operator, { reason: 'rogue', signedFederation: rogue.signed }))).toMatchObject({
        status: 400,
        code: 'FEDERATION_SIGNATURE_INVALID',
      });
      const serial1Again = await signFederation(authority.current(), { ...pair.federation, serial: 1 });
      expect(await answer(await reload(pair.sc.operator, { reason: 'go back', signedFederation: serial1Again }))).toMatchObject({
        status: 409,
        code: 'FEDERATION_ROLLBACK',
      });
      // Signed by the authority but without this node: the operator's error (422, the field named),
      // refused before anything is written, so the file and the accepted serial stay at 2.
      const forCqAlone = withoutCardApplicationsFromCq(3);
      const withoutSc = await signFederation(authority.current(), {
        ...forCqAlone,
        nodes: forCqAlone.nodes.filter((n) => n.node !== 'SC'),
        rules: (forCqAlone.rules ?? []).filter((r) => r.from !== 'SC' && !r.to.startsWith('SC')),
      });
      expect(await answer(await reload(pair.sc.operator, { reason: 'a document for another node', signedFederation: withoutSc }))).toMatchObject({
        status: 422,
        code: 'FEDERATION_INVALID',
        errors: [expect.objectContaining({ field: 'signedFederation' })],
      });
      expect(readFileSync(pair.sc.config.federationFile, 'utf8')).toBe(serial2);
      expect(JSON.parse(readFileSync(pair.sc.config.federationStateFile, 'utf8'))).toMatchObject({ serial: 2 });
      // Signed, listing SC, but with neither SC's signing key nor a JWKS URL for it: peers would
      // refuse every envelope SC sends from then on, so SC refuses it.
      const strangerKeys = await FileKeyStore.open(join(pair.dir, 'stranger-keys'), 'SC', pair.clock, { suite: harnessSuite() });
      const withoutScKey = await signFederation(authority.current(), {
        ...forCqAlone,
        nodes: forCqAlone.nodes.map((n) => (n.node === 'SC' ? { node: n.node, name: n.name, url: n.url, keys: strangerKeys.publicJwks().keys, agencies: n.agencies } : n)),
      });
      expect(await answer(await reload(pair.sc.operator, { reason: 'a key SC does not hold', signedFederation: withoutScKey }))).toMatchObject({
        status: 422,
        code: 'FEDERATION_INVALID',
        errors: [expect.objectContaining({ field: 'signedFederation' })],
      });
      // Signed and listing SC, but an agency's sealing key is a low-order point no seal can use:
      // refused while importing the keys, before the file or the accepted serial is touched.
      const lowOrder = Buffer.alloc(32).toString('base64url');
      const badSealingKey = await signFederation(authority.current(), {
        ...forCqAlone,
        nodes: forCqAlone.nodes.map((n) =>
          n.node === 'CQ' ? { ...n, agencies: (n.agencies ?? []).map((a, i) => (i === 0 ? { ...a, encryptionKeys: a.encryptionKeys.map((k) => ({ ...k, x: lowOrder })) } : a)) } : n,
        ),
      });
      expect(await answer(await reload(pair.sc.operator, { reason: 'a broken agency key', signedFederation: badSealingKey }))).toMatchObject({
        status: 422,
        code: 'FEDERATION_INVALID',
      });
      expect(readFileSync(pair.sc.config.federationFile, 'utf8')).toBe(serial2);
      expect(JSON.parse(readFileSync(pair.sc.config.federationStateFile, 'utf8'))).toMatchObject({ serial: 2 });
      // A document above the intake's body limit still reaches the check (the route has its own limit).
      const large = `${serial2.split('.')[0]}.${'A'.repeat(200 * 1024)}.${serial2.split('.')[2]}`;
      expect(await answer(await reload(pair.sc.operator, { reason: 'a federation of many nodes', signedFederation: large }))).toMatchObject({
        status: 400,
        code: 'FEDERATION_SIGNATURE_INVALID',
      });
      // A plain (unsigned) document placed at FEDERATION_FILE is refused too; the file is put back.
      writeTextAtomically(pair.sc.config.federationFile, JSON.stringify(withoutCardApplicationsFromCq(4)));
      expect(await answer(await reload(pair.sc.operator, { reason: 'file placed by hand' }))).toMatchObject({
        status: 400,
        code: 'FEDERATION_SIGNATURE_INVALID',
      });
      writeTextAtomically(pair.sc.config.federationFile, serial2);
      // Reloading the document in force changes nothing and says so.
      expect(await answer(await reload(pair.sc.operator, { reason: 'check' }))).toMatchObject({ status: 200, serial: 2, changed: false });
      expect(((await (await fetch(pair.sc.url('/api/v1/operator/federation'), { headers: { authorization: pair.sc.operator } })).json()) as { serial: number }).serial).toBe(2);

      const audit = (await (await fetch(pair.sc.url('/api/v1/operator/audit'), { headers: { authorization: pair.sc.operator } })).json()) as {
        items: { action: string; subject: string; operatorId?: string }[];
      };
      const actions = audit.items.filter((a) => a.action.startsWith('federation-reload')).map((a) => a.action);
      expect(actions.filter((a) => a === 'federation-reloaded')).toHaveLength(2);
      expect(actions.filter((a) => a === 'federation-reload-refused')).toHaveLength(7);
    }, 30_000);

    it('refuses a signed federation that lists a key of the other suite, naming the key, before anything is written', async () => {
      // Issue 17.1/4; fails before the fix, which took an Ed25519 key in a gm federation (and an SM2 one in intl).
      const authority = await FederationAuthorityKeyStore.open(join(pair.dir, 'federation-authority'), pair.clock, { suite: harnessSuite() });
      const other = await FileKeyStore.open(join(pair.dir, 'other-suite-keys'), 'SC', pair.clock, { suite: harnessSuite() === 'gm' ? 'intl' : 'gm' });
      const doc = withoutCardApplicationsFromCq(20);
      const sc = doc.nodes.findIndex((n) => n.node === 'SC');
      const mixed = { ...doc, nodes: doc.nodes.map((n) => (n.node === 'SC' ? { ...n, keys: [...n.keys, ...other.publicJwks().keys] } : n)) };
      // signFederation refuses to sign it; an authority's tool that did not check is what is shown here.
      await expect(signFederation(authority.current(), mixed)).rejects.toMatchObject({ code: 'FEDERATION_KEY_SUITE_MISMATCH' });
      const signed = await signCompactBytes(authority.current(), FEDERATION_TYP, new TextEncoder().encode(JSON.stringify(mixed)));
      const before = readFileSync(pair.sc.config.federationFile, 'utf8');
      expect(await answer(await reload(pair.sc.operator, { reason: 'a key of the other suite', signedFederation: signed }))).toMatchObject({
        status: 422,
        code: 'FEDERATION_KEY_SUITE_MISMATCH',
        errors: [expect.objectContaining({ field: `nodes[${sc}].keys[${doc.nodes[sc].keys.length}]` })],
      });
      expect(readFileSync(pair.sc.config.federationFile, 'utf8')).toBe(before);
    });
  });
});
