import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { evidenceHash, readCheckpointClaims, suitePolicyOf, TrustStore, trustedKeysOf, verifyCheckpoint, verifyCountersignature } from '#signing';
import { cardApplication } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { GatewayPair } from './support/gateway-pair.js';
import { harnessSuite } from './support/harness-suite.js';
import { runVerifyLog } from './support/verify-log-process.js';

interface Exported {
  items: { node: string; countersigner: string; count: number; headHash: string; at: number; checkpoint: string; countersignature: string }[];
}

describe('message-log checkpoints between two nodes', () => {
  let pair: GatewayPair;

  beforeAll(async () => {
    pair = await GatewayPair.start();
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  const apply = async () => {
    const response = await fetch(pair.cq.url('/api/v1/applications'), {
      method: 'POST',
      headers: { authorization: pair.cq.window, 'content-type': 'application/json' },
      body: JSON.stringify(cardApplication({ issuingRegion: '510104' })),
    });
    expect(response.status).toBe(201);
  };
  const exported = async (on: 'sc' | 'cq', node: string): Promise<Exported> => {
    const response = await fetch(pair[on].url(`/api/v1/operator/checkpoints?node=${node}`), { headers: { authorization: pair[on].operator } });
    expect(response.status).toBe(200);
    return (await response.json()) as Exported;
  };
  const logLength = (on: 'sc' | 'cq') => pair[on].gateway.db.read(async (s) => (await s.messageLog.newest())?.seq ?? 0);

  it('exchanges and countersigns checkpoints each period, and the verifier names a copy cut short against the peer\'s', async () => {
    // 1. Traffic both ways: CQ's requests and SC's 'received' updates, each with its receipt.
    for (let i = 0; i < 3; i += 1) await apply();
    await eventually(() => logLength('sc'), (n) => n >= 6);

    // 2. Each node's first checkpoint goes out at once (the log was empty at start); each peer countersigns it.
    const fromCq = await eventually(() => exported('cq', 'SC'), (e) => e.items.length >= 1);
    const fromSc = await eventually(() => exported('sc', 'CQ'), (e) => e.items.length >= 1);
    const trust = await TrustStore.create(trustedKeysOf(pair.federation), undefined, suitePolicyOf(pair.federation));
    for (const [item, signer, countersigner] of [[fromCq.items[0], 'SC', 'CQ'], [fromSc.items[0], 'CQ', 'SC']] as const) {
      expect(item).toMatchObject({ node: signer, countersigner });
      await expect(verifyCheckpoint(item.checkpoint, { trust, expectedSigner: signer })).resolves.toMatchObject({ node: signer, peer: countersigner, count: item.count, headHash: item.headHash });
      await expect(verifyCountersignature(item.countersignature, { trust, checkpoint: item.checkpoint, expectedSigner: countersigner })).resolves.toMatchObject({ checkpoint: evidenceHash(item.checkpoint) });
    }
    // The log is chained in the suite's hash (SM3 under gm), and the checkpoint says so: its head
    // is the entry's hash as chained, countersigned with the same claim (fails before issue 17.1/4).
    const hashAlg = harnessSuite() === 'gm' ? 'sm3' : 'sha256';
    for (const [item, on] of [[fromCq.items[0], 'sc'], [fromSc.items[0], 'cq']] as const) {
      const head = await pair[on].gateway.db.read(async (s) => (await s.messageLog.page(item.count - 1, 1))[0]);
      expect(head).toMatchObject({ seq: item.count, hash: item.headHash, hashAlg });
      expect(readCheckpointClaims(item.checkpoint)).toMatchObject({ headHash: item.headHash, hashAlg });
      await expect(verifyCountersignature(item.countersignature, { trust, checkpoint: item.checkpoint })).resolves.toMatchObject({ hashAlg });
    }
    // The sender kept the same countersignature it got back.
    expect((await exported('sc', 'SC')).items.map((i) => i.countersignature)).toContain(fromCq.items[0].countersignature);

    // 3. More traffic: no new checkpoint before the period is over (by the node's clock), one after it.
    for (let i = 0; i < 2; i += 1) await apply();
    const grown = await eventually(() => logLength('sc'), (n) => n >= 10);
    const before = (await exported('cq', 'SC')).items.length;
    await new Promise((r) => setTimeout(r, 1_200)); // more than one tick of the sender's timer
    expect((await exported('cq', 'SC')).items).toHaveLength(before);
    pair.clock.advance(60_000);
    const latest = await eventually(() => exported('cq', 'SC'), (e) => e.items.length > before && e.items[0].count >= grown);
    const attested = latest.items[0].count;

    // The peer never countersigns a shorter log than it already did: the first checkpoint, sent again, is refused.
    const replayed = await fetch(pair.cq.url('/peer/v1/checkpoints'), { method: 'POST', headers: { 'content-type': 'application/jose' }, body: fromCq.items[0].checkpoint });
    expect(replayed.status).toBe(409);
    expect(await replayed.json()).toMatchObject({ code: 'CHECKPOINT_REGRESSED' });
    const notJose = await fetch(pair.cq.url('/peer/v1/checkpoints'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(notJose.status).toBe(415);

    // 4. The auditor's evidence: SC's checkpoints as Chongqing countersigned them.
    const evidence = join(pair.dir, 'cq-countersigned-sc.json');
    writeFileSync(evidence, JSON.stringify(latest));
    const scFile = (pair.sc.config.database as { file: string }).file;
    await pair.stopNode('SC');

    // 5. Sichuan's copy loses its two newest entries, and its own kept checkpoints with them.
    const raw = new Database(scFile);
    raw.prepare('DELETE FROM message_log WHERE seq > ?').run(attested - 2);
    raw.prepare('DELETE FROM log_checkpoints').run();
    raw.close();

    // The chain alone cannot see it: a shorter chain is still a valid chain.
    const alone = await runVerifyLog([scFile]);
    expect(alone).toMatchObject({ code: 0, stdout: `message log intact: ${attested - 2} entries\n  chained with ${hashAlg}\n` });

    // Against the peer's countersigned checkpoint, with the federation's keys: named truncated.
    const federation = ['--federation', join(pair.dir, 'federation.jws'), '--federation-authority', join(pair.dir, 'federation-authority.jwks.json')];
    const checked = await runVerifyLog([scFile, '--checkpoints', evidence, ...federation]);
    expect(checked.code).toBe(2);
    expect(checked.stdout).toMatch(new RegExp(`^message log BROKEN at entry ${attested - 1}: TRUNCATED \\(the copy ends at entry ${attested - 2}, but the checkpoint of .* countersigned by CQ`));
  }, 60_000);
});
