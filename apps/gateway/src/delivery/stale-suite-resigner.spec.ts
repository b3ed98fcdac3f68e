import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import type { GatewayDatabase, OutboxRecord } from '#persistence';
import { FileKeyStore, signEnvelope, TrustStore, type EnvelopeClaims } from '#signing';
import { outboxMessage, temporarySqlite } from '../../../../libs/persistence/src/records.fixtures.js';
import { EnvelopeFactory } from '../cases/envelope-factory.js';
import { loadGatewayConfig } from '../config/gateway.config.js';
import { StaleSuiteResigner } from './stale-suite-resigner.js';

const NOW_MS = Date.UTC(2026, 10, 23, 1, 0, 0);

describe('StaleSuiteResigner (the relay signs again what the federation no longer accepts)', () => {
  const clock = new ManualClock(NOW_MS);
  let dir: string;
  let temp: Awaited<ReturnType<typeof temporarySqlite>>;
  let db: GatewayDatabase;
  let intlKeys: FileKeyStore;
  let gmKeys: FileKeyStore;
  let resigner: (acceptedNow: 'both' | 'gm') => StaleSuiteResigner;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cytb-resign-'));
    // The same key folder, as a node holds it during a move: Ed25519 keys and the SM2 ones.
    intlKeys = await FileKeyStore.open(join(dir, 'keys'), 'CQ', clock, { suite: 'intl' });
    gmKeys = await FileKeyStore.open(join(dir, 'keys'), 'CQ', clock, { suite: 'gm' });
    const config = loadGatewayConfig({ NODE_CODE: 'CQ', HTTP_PORT: '1', STATUS_PORT: '2', ADAPTER_PORT: '3', DATA_DIR: dir, AGENCY_LINK_SECRET: 'x'.repeat(32) });
    const keys = [...gmKeys.publicJwks().keys].map((publicJwk) => ({ kid: publicJwk.kid, node: 'CQ' as const, publicJwk }));
    const policies = { both: { suite: 'gm' as const, overlap: { suite: 'intl' as const, untilMs: NOW_MS + 3_600_000 } }, gm: { suite: 'gm' as const } };
    const trusts = { both: await TrustStore.create(keys, undefined, policies.both), gm: await TrustStore.create(keys, undefined, policies.gm) };
    resigner = (acceptedNow) => new StaleSuiteResigner(trusts[acceptedNow], new EnvelopeFactory(config, gmKeys, clock), db, clock);
  });

  beforeEach(async () => {
    temp = await temporarySqlite('resign-');
    db = temp.db;
  });

  afterEach(() => temp.dispose());

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const claims = (n: number, iss: 'CQ' | 'SC' = 'CQ'): EnvelopeClaims => ({
    jti: `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    iss,
    aud: 'SC',
    iat: Math.floor(NOW_MS / 1000),
    exp: Math.floor(NOW_MS / 1000) + 600,
    case: 'CQ-20261123-7K3F9ZQ2M8',
    mtype: 'status-update',
    ver: 1,
    body: { caseId: 'CQ-20261123-7K3F9ZQ2M8' },
  });

  /** Enqueues and claims (in flight, as the relay holds them) these payloads, in order. */
  async function claimed(payloads: readonly { payload: string; destination?: string }[]): Promise<OutboxRecord[]> {
    await db.transaction(async (tx) => {
      for (const [i, p] of payloads.entries()) await tx.outbox.enqueue(outboxMessage(i + 1, { payload: p.payload, destination: p.destination ?? 'peer:SC', createdAt: NOW_MS + i }));
    });
    const rows = await db.transaction((tx) => tx.outbox.claimDue(NOW_MS, NOW_MS + 8_000, 100));
    return payloads.map((p) => rows.find((r) => r.payload === p.payload)!);
  }

  const algOf = (compact: string) => (JSON.parse(Buffer.from(compact.split('.')[0], 'base64url').toString()) as { alg: string }).alg;

  it('leaves everything as it is while the old suite is still accepted (a retry carries the bytes first sent)', async () => {
    const old = await signEnvelope(intlKeys.current(), claims(1));
    const messages = await claimed([{ payload: old }]);
    expect(await resigner('both').prepare(messages)).toBe(messages);
  });

  it('signs an envelope of its own node again after the overlap: same claims, stored, audited; the rest untouched', async () => {
    const old = await signEnvelope(intlKeys.current(), claims(1));
    const fresh = await signEnvelope(gmKeys.current(), claims(2));
    const agencyJson = '{"not":"an envelope"}';
    const messages = await claimed([{ payload: old }, { payload: fresh }, { payload: agencyJson, destination: 'agency:CQ.card' }, { payload: 'garbage.not.jws' }]);
    const out = await resigner('gm').prepare(messages);
    expect(out.map((m) => m.messageId)).toEqual(messages.map((m) => m.messageId));
    expect(algOf(out[0].payload)).toBe('SM2');
    expect(out[0].payload.split('.')[1]).toBe(old.split('.')[1]);
    expect(out.slice(1).map((m) => m.payload)).toEqual([fresh, agencyJson, 'garbage.not.jws']);
    expect(await db.read((s) => s.outbox.get(messages[0].messageId))).toMatchObject({ payload: out[0].payload, state: 'in-flight' });
    const audit = await db.read((s) => s.audit.list(messages[0].messageId, 10));
    expect(audit).toEqual([expect.objectContaining({ action: 'envelope-resigned', operatorId: 'relay' })]);
    expect(JSON.parse(audit[0].detailJson ?? '{}')).toMatchObject({ destination: 'peer:SC', previousAlg: 'EdDSA', alg: 'SM2', kid: gmKeys.current().kid });
  });

  it('does not sign for another node, and leaves out a message that is no longer in flight (another relay took it)', async () => {
    const foreign = await signEnvelope((await FileKeyStore.open(join(dir, 'sc-keys'), 'SC', clock, { suite: 'intl' })).current(), claims(3, 'SC'));
    const old = await signEnvelope(intlKeys.current(), claims(4));
    const messages = await claimed([{ payload: foreign }, { payload: old }]);
    await db.transaction((tx) => tx.outbox.release(messages[1].messageId, NOW_MS));
    const out = await resigner('gm').prepare(messages);
    expect(out.map((m) => m.payload)).toEqual([foreign]);
    expect(await db.read((s) => s.outbox.get(messages[1].messageId))).toMatchObject({ payload: old, state: 'retrying' });
  });
});
