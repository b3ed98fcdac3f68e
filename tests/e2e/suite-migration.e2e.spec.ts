import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeCode } from '#core';
import { writeTextAtomically, type Federation, type SuiteName } from '#signing';
import { runFederationCli } from '../../apps/gateway/src/federation/federation-cli.js';
import { cardApplication, freshIdNumber } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { harnessSuite } from './support/harness-suite.js';
import { TwoNodeHarness, type NodeUnderTest } from './support/two-node-harness.js';

/**
 * Issue 17: a federation moves from `intl` to `gm` while cases are in flight, in the two signed
 * steps of docs/operations/suite-migration.md: serial 2 keeps intl and accepts gm too (every node
 * holds and publishes SM2 keys before anyone signs with one), serial 3 moves to gm and accepts
 * intl until the overlap ends. The authority signs each with `npm run federation -- sign`; an
 * operator of each node reloads it in turn. Real transports between the nodes, each behind a
 * front door that can take it off the network; the business clock is frozen and moved by hand.
 *
 * `npm run test:e2e:gm` (CYTB_SUITE=gm) runs the same move the other way, gm to intl: the way
 * back, should a province have to undo a move.
 */
const FROM: SuiteName = harnessSuite();
const TO: SuiteName = FROM === 'gm' ? 'intl' : 'gm';
const ALG: Record<SuiteName, string> = { intl: 'EdDSA', gm: 'SM2' };

/** Everything the peers answered, on both front doors: a refusal of the old or new suite would show here. */
function answeredCodes(h: TwoNodeHarness): string[] {
  return [...h.doors.SC.answeredCodes, ...h.doors.CQ.answeredCodes];
}

/** The JWS `alg` of a compact envelope. */
function algOf(compact: string): string {
  return (JSON.parse(Buffer.from(compact.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg: string }).alg;
}

/** A card application at `from`'s window for a card centre of `to` (Chengdu 510104 or Chongqing 500103). */
async function submitCard(from: NodeUnderTest, to: NodeCode): Promise<string> {
  const response = await fetch(from.url('/api/v1/applications'), {
    method: 'POST',
    headers: { authorization: from.window, 'content-type': 'application/json' },
    body: JSON.stringify(cardApplication({ issuingRegion: to === 'SC' ? '510104' : '500103', idNumber: freshIdNumber() })),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { caseId: string }).caseId;
}

/** The federation authority signs `doc` with the operator's tool and publishes its public keys to both nodes. */
async function signWithCli(h: TwoNodeHarness, doc: Federation): Promise<string> {
  const inFile = join(h.dir, 'authority-desk', `federation-${doc.serial ?? 0}.json`);
  const outFile = join(h.dir, 'authority-desk', `federation-${doc.serial ?? 0}.jws`);
  writeTextAtomically(inFile, JSON.stringify(doc, null, 2));
  const lines: string[] = [];
  const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
  const code = await runFederationCli(['sign', inFile, outFile, '--authority-key-dir', join(h.dir, 'federation-authority')], io, h.clock);
  expect({ code, refusal: code === 0 ? undefined : lines.join('; ') }).toEqual({ code: 0, refusal: undefined });
  // The nodes' FEDERATION_AUTHORITY_JWKS (one file: the harness's nodes share DATA_DIR).
  writeTextAtomically(join(h.dir, 'federation-authority.jwks.json'), readFileSync(`${outFile}.authority.jwks.json`, 'utf8'));
  return readFileSync(outFile, 'utf8').trim();
}

/** An operator of node `n` reloads the signed federation; answers the serial now in force. */
async function reload(n: NodeUnderTest, signedFederation: string, reason: string): Promise<{ serial: number; previousSerial: number; changed: boolean }> {
  const response = await fetch(n.url('/api/v1/operator/federation/reload'), {
    method: 'POST',
    headers: { authorization: n.operator, 'content-type': 'application/json' },
    body: JSON.stringify({ reason, signedFederation }),
  });
  const body = (await response.json()) as { serial: number; previousSerial: number; changed: boolean };
  expect({ status: response.status, body }).toMatchObject({ status: 200, body: { changed: true } });
  return body;
}

/** Issues a federation document with the harness's nodes and signs it with the CLI. */
async function stage(h: TwoNodeHarness, serial: number, suite: SuiteName, overlap: { suite: SuiteName; until: string }): Promise<string> {
  const { federation } = await h.issueFederation({ serial, suite, overlap });
  return signWithCli(h, federation);
}

/** The outbox rows of `caseId` on node `n` bound for the other node. */
function peerRows(n: NodeUnderTest, caseId: string) {
  return n.gateway.db.read((s) => s.outbox.list({ caseId, destination: `peer:${n.node === 'SC' ? 'CQ' : 'SC'}`, limit: 100 }));
}

/** Waits until each case's first message to the peer sits in `n`'s outbox undelivered (the peer is away). */
async function waitingAt(n: NodeUnderTest, caseIds: readonly string[]): Promise<void> {
  for (const caseId of caseIds) {
    await eventually(() => peerRows(n, caseId), (rows) => rows.length > 0 && rows.every((r) => r.state !== 'delivered'), 30_000);
  }
}

async function deadLetters(h: TwoNodeHarness) {
  return [
    ...(await h.sc.gateway.db.read((s) => s.outbox.list({ state: 'dead', limit: 100 }))),
    ...(await h.cq.gateway.db.read((s) => s.outbox.list({ state: 'dead', limit: 100 }))),
  ].map((m) => ({ messageId: m.messageId, destination: m.destination, deadReason: m.deadReason, lastError: m.lastError }));
}

/**
 * The peer is back: every message waiting between the nodes goes, however long the machine takes.
 * The business clock moves past every backoff drawn meanwhile (a few minutes at most), then on by
 * a few seconds while anything is still waiting, so a circuit that opened again on a slow answer
 * gets its next probe on the frozen clock too.
 */
async function deliverEverything(h: TwoNodeHarness): Promise<void> {
  h.clock.advance(10 * 60_000);
  const waiting = async () => {
    const rows = [
      ...(await h.sc.gateway.db.read((s) => s.outbox.list({ destination: 'peer:CQ', limit: 1000 }))),
      ...(await h.cq.gateway.db.read((s) => s.outbox.list({ destination: 'peer:SC', limit: 1000 }))),
    ];
    // Ids, states and errors only: a failure names what is stuck and why, without the envelopes.
    return rows.filter((r) => r.state !== 'delivered').map((r) => ({ messageId: r.messageId, destination: r.destination, state: r.state, lastError: r.lastError }));
  };
  const deadline = Date.now() + 90_000;
  for (let left = await waiting(); left.length > 0; left = await waiting()) {
    if (Date.now() > deadline) throw new Error(`still waiting after 90 s: ${JSON.stringify(left)}`);
    for (const n of [h.sc, h.cq]) n.gateway.relay.kick();
    await eventually(waiting, (rows) => rows.length === 0, 1_000).catch(() => h.clock.advance(5_000));
  }
}

/** Runs a case to its end at its accepting node, with room for a loaded machine. */
async function completed(h: TwoNodeHarness, accepting: NodeUnderTest, caseId: string) {
  return h.runToEnd(accepting, caseId, 20, 15_000);
}

interface AuditItem {
  readonly action: string;
  readonly subject: string;
  readonly detailJson: string | null;
}

async function auditOf(n: NodeUnderTest, subject?: string): Promise<AuditItem[]> {
  const response = await fetch(n.url(`/api/v1/operator/audit${subject === undefined ? '' : `?subject=${encodeURIComponent(subject)}`}`), {
    headers: { authorization: n.operator },
  });
  return ((await response.json()) as { items: AuditItem[] }).items;
}

describe(`a federation moved from ${FROM} to ${TO} with cases in flight`, () => {
  let h: TwoNodeHarness;
  let until: string;

  beforeAll(async () => {
    h = await TwoNodeHarness.start({ frontDoors: true, suite: FROM });
    // A day of overlap: the whole move, and every case below, fits in it.
    until = new Date(h.clock.nowMs() + 24 * 3600_000).toISOString();
  }, 90_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('loses none, refuses none during the overlap, completes every case, and audits the switch', async () => {
    // Under the old suite: one case each way already at its agency.
    const cqToSc = [await submitCard(h.cq, 'SC')];
    const scToCq = [await submitCard(h.sc, 'CQ')];
    for (const caseId of cqToSc) await eventually(() => h.caseAt(h.cq, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'), 30_000);
    for (const caseId of scToCq) await eventually(() => h.caseAt(h.sc, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'), 30_000);

    // Sichuan drops off the network: Chongqing's applications and its status updates on the
    // Sichuan case wait in its outbox, signed in the old suite.
    h.doors.SC.mode = 'reset';
    cqToSc.push(await submitCard(h.cq, 'SC'));
    await h.advanceAgencies();
    await waitingAt(h.cq, [cqToSc[1]]);

    // Serial 2: the old suite still, the new one accepted too. Reloaded on Sichuan, then on Chongqing.
    const stage1 = await stage(h, 2, FROM, { suite: TO, until });
    expect(await reload(h.sc, stage1, `suite move, step 1 of 2: accept ${TO}`)).toMatchObject({ serial: 2, previousSerial: 1 });
    scToCq.push(await submitCard(h.sc, 'CQ'));
    expect(await reload(h.cq, stage1, `suite move, step 1 of 2: accept ${TO}`)).toMatchObject({ serial: 2, previousSerial: 1 });
    cqToSc.push(await submitCard(h.cq, 'SC'));

    // Serial 3: the new suite, the old one accepted until the overlap ends. Sichuan first: it
    // signs in the new suite while Chongqing is still on serial 2 (which accepts it), then Chongqing.
    const stage2 = await stage(h, 3, TO, { suite: FROM, until });
    expect(await reload(h.sc, stage2, `suite move, step 2 of 2: sign ${TO}`)).toMatchObject({ serial: 3, previousSerial: 2 });
    scToCq.push(await submitCard(h.sc, 'CQ'));
    cqToSc.push(await submitCard(h.cq, 'SC'));
    expect(await reload(h.cq, stage2, `suite move, step 2 of 2: sign ${TO}`)).toMatchObject({ serial: 3, previousSerial: 2 });
    cqToSc.push(await submitCard(h.cq, 'SC'));
    await waitingAt(h.cq, cqToSc.slice(1));

    // Sichuan is back, still within the overlap: everything waiting goes, in whichever suite it was signed.
    h.doors.SC.mode = 'pass';
    await deliverEverything(h);
    for (const caseId of cqToSc) expect(await completed(h, h.cq, caseId)).toMatchObject({ status: 'completed' });
    for (const caseId of scToCq) expect(await completed(h, h.sc, caseId)).toMatchObject({ status: 'completed' });
    expect(h.clock.nowMs()).toBeLessThan(Date.parse(until));

    // Both suites crossed the wire during the move, and neither was refused.
    const sentByCq = await h.cq.gateway.db.read((s) => s.outbox.list({ destination: 'peer:SC', limit: 1000 }));
    expect(new Set(sentByCq.map((m) => algOf(m.payload)))).toEqual(new Set([ALG[FROM], ALG[TO]]));
    expect(sentByCq.every((m) => m.state === 'delivered')).toBe(true);
    expect(answeredCodes(h)).not.toContain('SUITE_NOT_ACCEPTED');
    expect(await deadLetters(h)).toEqual([]);

    // The switch is in each node's audit trail, under the operator, with both suites named.
    for (const n of [h.sc, h.cq]) {
      const steps = [...(await auditOf(n, 'federation:2')), ...(await auditOf(n, 'federation:3'))]
        .filter((a) => a.action === 'federation-reloaded')
        .map((a) => JSON.parse(a.detailJson ?? '{}') as Record<string, unknown>);
      expect(steps).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ previousSerial: 1, serial: 2, previousSuite: FROM, suite: FROM, suiteOverlap: { suite: TO, until } }),
          expect.objectContaining({ previousSerial: 2, serial: 3, previousSuite: FROM, suite: TO, suiteOverlap: { suite: FROM, until } }),
        ]),
      );
    }
  }, 240_000);
});

describe(`after the overlap of a move from ${FROM} to ${TO} ends, a message still waiting in the old suite`, () => {
  let h: TwoNodeHarness;
  let until: string;

  beforeAll(async () => {
    h = await TwoNodeHarness.start({ frontDoors: true, suite: FROM });
    until = new Date(h.clock.nowMs() + 3600_000).toISOString();
  }, 90_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('is signed again in the suite in force before it is sent: delivered, not refused, the case completed', async () => {
    // Sichuan is away through the whole move: two applications wait in Chongqing's outbox, in the old suite.
    h.doors.SC.mode = 'reset';
    const cases = [await submitCard(h.cq, 'SC'), await submitCard(h.cq, 'SC')];
    await waitingAt(h.cq, cases);
    const before = new Map<string, string>();
    for (const caseId of cases) for (const row of await peerRows(h.cq, caseId)) before.set(row.messageId, row.payload);
    expect([...before.values()].map(algOf)).toEqual([ALG[FROM], ALG[FROM]]);

    const stage1 = await stage(h, 2, FROM, { suite: TO, until });
    await reload(h.sc, stage1, 'suite move, step 1 of 2');
    await reload(h.cq, stage1, 'suite move, step 1 of 2');
    const stage2 = await stage(h, 3, TO, { suite: FROM, until });
    await reload(h.sc, stage2, 'suite move, step 2 of 2');
    await reload(h.cq, stage2, 'suite move, step 2 of 2');

    // The overlap ends while Sichuan is still away; it comes back an hour later.
    h.clock.advance(2 * 3600_000);
    h.doors.SC.mode = 'pass';
    await deliverEverything(h);

    // The same messages (same ids, same claims), now signed in the new suite, were taken at the first try.
    const after = new Map<string, string>();
    for (const caseId of cases) for (const row of await peerRows(h.cq, caseId)) after.set(row.messageId, row.payload);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [messageId, payload] of after) {
      expect(algOf(payload)).toBe(ALG[TO]);
      expect(payload.split('.')[1]).toBe(before.get(messageId)?.split('.')[1]);
    }
    expect(answeredCodes(h)).not.toContain('SUITE_NOT_ACCEPTED');
    for (const caseId of cases) expect(await completed(h, h.cq, caseId)).toMatchObject({ status: 'completed' });
    expect(await deadLetters(h)).toEqual([]);

    // Each re-signature is in Chongqing's audit trail: which message, from which algorithm to which.
    for (const messageId of after.keys()) {
      const entries = (await auditOf(h.cq, messageId)).filter((a) => a.action === 'envelope-resigned');
      expect(entries.map((a) => JSON.parse(a.detailJson ?? '{}') as Record<string, unknown>)).toEqual([
        expect.objectContaining({ destination: 'peer:SC', previousAlg: ALG[FROM], alg: ALG[TO] }),
      ]);
    }
  }, 240_000);
});
