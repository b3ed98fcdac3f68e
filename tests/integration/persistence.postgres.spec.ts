import pg from 'pg';
import { ManualClock } from '#core';
import { GatewayDatabase, type MessageLogRecord } from '#persistence';
import { caseRecord, outboxMessage, testMessageId } from '../../libs/persistence/src/records.fixtures.js';
import { verifyChain } from '#signing';
import { DEFAULT_RELAY_OPTIONS, Relay, type DestinationTransport } from '#delivery';
import { eventually } from '../e2e/support/free-port.js';
import { MessageLogChainer } from '../../apps/gateway/src/message-log/message-log-chainer.js';
import { MessageLogService } from '../../apps/gateway/src/message-log/message-log.service.js';
import { FederationHolder } from '../../apps/gateway/src/trust/federation-holder.js';
import { dropPostgresDatabase, freshPostgresDatabase } from './support/postgres.js';

/**
 * The same stores and migrations as the embedded default, against a real PostgreSQL: the
 * relay's claim must never hand one message to two replicas.
 */
describe('GatewayDatabase on PostgreSQL', () => {
  let url: string | null;
  let replicas: GatewayDatabase[] = [];

  beforeAll(async () => {
    url = await freshPostgresDatabase('persistence');
    if (!url) return;
    replicas = [
      await GatewayDatabase.open({ kind: 'postgres', url }, { migrate: true }),
      await GatewayDatabase.open({ kind: 'postgres', url }, { migrate: false }),
    ];
  });

  afterAll(async () => {
    for (const db of replicas) await db.close();
    await dropPostgresDatabase(url);
  });

  it('applies the migrations once and refuses nothing afterwards', async () => {
    if (!url) return;
    expect(await replicas[1].migrate()).toBe(0);
  });

  it('keeps countersigned log checkpoints (migration 0007) and reads the newest of a node without the chain lock', async () => {
    if (!url) return;
    const [db] = replicas as [GatewayDatabase];
    const row = (count: number, at: number) => ({ node: 'SC', countersigner: 'CQ', count, headHash: 'a'.repeat(64), at, checkpoint: `cp-${count}`, countersignature: `cs-${count}`, countersignedAt: at + 1 });
    await db.transaction(async (tx) => {
      await tx.logCheckpoints.insert(row(10, 1_795_398_068_000));
      await tx.logCheckpoints.insert(row(12, 1_795_398_128_000));
    });
    expect(await db.read((s) => s.logCheckpoints.latest('SC', 'CQ'))).toMatchObject(row(12, 1_795_398_128_000));
    expect((await db.read((s) => s.logCheckpoints.list('SC', 10))).map((r) => r.count)).toEqual([12, 10]);
    expect(await db.read((s) => s.logCheckpoints.latest('CQ'))).toBeNull();
    // Outside a transaction: `head()` would LOCK TABLE, which PostgreSQL allows only in one.
    await db.read((s) => s.messageLog.newest());
  });

  it('never claims one outbox row for two replicas (FOR UPDATE SKIP LOCKED)', async () => {
    if (!url) return;
    const [a, b] = replicas as [GatewayDatabase, GatewayDatabase];
    await a.transaction(async (tx) => {
      for (let i = 0; i < 200; i += 1) {
        await tx.outbox.enqueue(outboxMessage(i, { messageType: 'status-update', caseId: null, createdAt: 0 }));
      }
    });
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).transaction((tx) => tx.outbox.claimDue(1, 60_000, 25))),
    );
    const ids = claims.flat().map((m) => m.messageId);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
  });

  it('marks a group delivered in one statement, each message with its own proof kept exactly', async () => {
    if (!url) return;
    const [db] = replicas as [GatewayDatabase];
    const ids = [1, 2, 3].map((i) => testMessageId(1_000 + i));
    await db.transaction(async (tx) => {
      for (const n of [1, 2, 3]) await tx.outbox.enqueue(outboxMessage(1_000 + n, { messageType: 'status-update', caseId: null }));
    });
    // A batch proof is JSON: quotes, braces, commas and backslashes must survive the array.
    const proofs = ['{"v":1,"kind":"batch","path":["a,b","c\\"d"]}', 'eyJhbGciOiJFZERTQSJ9.e30.c2ln', null];
    await db.transaction((tx) => tx.outbox.markAllDelivered(ids.map((messageId, i) => ({ messageId, receipt: proofs[i] })), 42));
    const rows = await db.read((s) => Promise.all(ids.map((id) => s.outbox.get(id))));
    expect(rows.map((r) => [r?.state, r?.deliveredAt, r?.receipt])).toEqual(proofs.map((p) => ['delivered', 42, p]));
  });

  it('lists the cases of every window of one agency, and no other', async () => {
    if (!url) return;
    const [db] = replicas as [GatewayDatabase];
    const window = (credentialId: string, agency: string) => ({ credentialId, role: 'window' as const, name: credentialId, region: '500103', agency, secretHash: '0'.repeat(64), createdAt: 0, expiresAt: null, disabledAt: null, disabledReason: null, lastUsedAt: null });
    const acceptedAt = (n: number) => Date.UTC(2026, 10, 23, 1, n);
    await db.transaction(async (tx) => {
      await tx.credentials.insert(window('yz-1', '渝中区社会保险事务中心'));
      await tx.credentials.insert(window('yz-2', '渝中区社会保险事务中心'));
      await tx.credentials.insert(window('dz-1', '大足区社会保险事务中心'));
      for (const [i, windowId] of ['yz-1', 'yz-2', 'dz-1'].entries()) {
        await tx.cases.insert(caseRecord(`CQ-20261123-00000000${i}${i}`, { windowId, acceptedAt: acceptedAt(i), updatedAt: acceptedAt(i) }));
      }
    });
    const windows = await db.read((s) => s.credentials.windowsOfAgency('渝中区社会保险事务中心'));
    expect(windows.sort()).toEqual(['yz-1', 'yz-2']);
    const cases = await db.read((s) => s.cases.listByWindows(windows, 10));
    expect(cases.map((c) => c.windowId)).toEqual(['yz-2', 'yz-1']);
  });

  it('keeps the expiry, disabled state and last use, and clears the disabled state on a new secret', async () => {
    if (!url) return;
    const [db] = replicas as [GatewayDatabase];
    const at = Date.UTC(2026, 10, 23, 1, 0);
    const record = { credentialId: 'lifecycle-1', role: 'window' as const, name: 'lifecycle', region: '500103', agency: null, secretHash: '1'.repeat(64), createdAt: at };
    await db.transaction((tx) => tx.credentials.insert({ ...record, expiresAt: at + 1000, disabledAt: null, disabledReason: null, lastUsedAt: null }));
    await db.transaction(async (tx) => {
      await tx.credentials.touch('lifecycle-1', at + 10);
      await tx.credentials.disable('lifecycle-1', at + 20, '窗口电脑失窃');
    });
    expect(await db.read((s) => s.credentials.get('lifecycle-1'))).toEqual({ ...record, expiresAt: at + 1000, disabledAt: at + 20, disabledReason: '窗口电脑失窃', lastUsedAt: at + 10 });
    await db.transaction((tx) => tx.credentials.replaceSecret('lifecycle-1', '2'.repeat(64), null));
    expect(await db.read((s) => s.credentials.get('lifecycle-1'))).toMatchObject({ secretHash: '2'.repeat(64), expiresAt: null, disabledAt: null, disabledReason: null });
    expect((await db.read((s) => s.credentials.list())).map((c) => c.credentialId)).toContain('lifecycle-1');
  });

  it('lets two transactions that move the same cases in opposite orders both commit (cases locked in one order)', async () => {
    if (!url) return;
    const [a, b] = replicas as [GatewayDatabase, GatewayDatabase];
    const ids = ['CQ-20261125-00000000a1', 'CQ-20261125-00000000b2'];
    await a.transaction(async (tx) => {
      for (const caseId of ids) await tx.cases.insert(caseRecord(caseId));
    });
    let bothStarted!: () => void;
    const started = new Promise<void>((resolve) => (bothStarted = resolve));
    let waiting = 2;
    // Each moves its first case, waits until the other has started, then moves its second: in
    // message order that is a lock cycle (PostgreSQL aborts one with "deadlock detected").
    const move = (db: GatewayDatabase, order: readonly string[]) =>
      db.transaction(async (tx) => {
        await tx.cases.lockAll(order);
        await tx.cases.getForUpdate(order[0]);
        waiting -= 1;
        if (waiting === 0) bothStarted();
        await Promise.race([started, new Promise((resolve) => setTimeout(resolve, 300))]);
        await tx.cases.getForUpdate(order[1]);
        await tx.cases.update(order[1], { stage: 'forwarded' });
      });
    await expect(Promise.all([move(a, ids), move(b, [...ids].reverse())])).resolves.toBeDefined();
  });

  describe('the relay on two replicas', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 26, 8));
    // A database of their own: the claim tests above leave rows whose leases (epoch 0 + 60 s) are long past.
    let relayUrl: string | null;
    let relayReplicas: GatewayDatabase[] = [];
    beforeAll(async () => {
      relayUrl = await freshPostgresDatabase('persistence-relay');
      if (!relayUrl) return;
      relayReplicas = [
        await GatewayDatabase.open({ kind: 'postgres', url: relayUrl }, { migrate: true }),
        await GatewayDatabase.open({ kind: 'postgres', url: relayUrl }, { migrate: false }),
      ];
    });
    afterAll(async () => {
      for (const db of relayReplicas) await db.close();
      await dropPostgresDatabase(relayUrl);
    });
    const enqueue = (db: GatewayDatabase, from: number, count: number) =>
      db.transaction(async (tx) => {
        for (let i = 0; i < count; i += 1) await tx.outbox.enqueue(outboxMessage(from + i, { messageType: 'status-update', caseId: null, createdAt: clock.nowMs(), nextAttemptAt: clock.nowMs() }));
      });
    const states = (db: GatewayDatabase, from: number, count: number) =>
      db.read(async (s) => {
        const out: string[] = [];
        for (let i = 0; i < count; i += 1) out.push((await s.outbox.get(testMessageId(from + i)))?.state ?? 'missing');
        return out;
      });

    it('keeps the claims of a replica whose sends are slow (renewed leases), so the other never sends them at the same time', async () => {
      if (!relayUrl) return;
      const [a, b] = relayReplicas as [GatewayDatabase, GatewayDatabase];
      const sends: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const slow: DestinationTransport = { send: async (m) => (sends.push(m.messageId), await held, { proof: 'receipt' }) };
      const fast: DestinationTransport = { send: async (m) => (sends.push(m.messageId), { proof: 'receipt' }) };
      const leased = { ...DEFAULT_RELAY_OPTIONS, leaseMs: 300, idleMs: 5, batchesInFlight: 1 };
      await enqueue(a, 5_000, 20);
      const replicaA = new Relay(a, () => slow, clock, leased);
      const replicaB = new Relay(b, () => fast, clock, leased);
      replicaA.start();
      await eventually(async () => sends.length, (n) => n === 20);
      // Three times the lease passes while A's sends wait; its heartbeat keeps them.
      for (let i = 0; i < 3; i += 1) {
        clock.advance(300);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await replicaB.runOnce()).toBe(0);
      }
      expect(sends).toHaveLength(20);
      release();
      await replicaA.stop();
      expect(new Set(await states(a, 5_000, 20))).toEqual(new Set(['delivered']));
    });

    it("takes over the claims a killed replica held once the default lease (8 s) runs out, not before", async () => {
      if (!relayUrl) return;
      const [a, b] = relayReplicas as [GatewayDatabase, GatewayDatabase];
      await enqueue(a, 6_000, 20);
      // What a replica killed mid-send leaves behind: claims under a lease nobody renews.
      await a.transaction((tx) => tx.outbox.claimDue(clock.nowMs(), clock.nowMs() + DEFAULT_RELAY_OPTIONS.leaseMs, 20));
      const sends: string[] = [];
      const replicaB = new Relay(b, () => ({ send: async (m) => (sends.push(m.messageId), { proof: 'receipt' }) }), clock, DEFAULT_RELAY_OPTIONS);
      clock.advance(DEFAULT_RELAY_OPTIONS.leaseMs - 1);
      expect(await replicaB.runOnce()).toBe(0);
      clock.advance(2);
      expect(DEFAULT_RELAY_OPTIONS.leaseMs).toBeLessThanOrEqual(10_000);
      expect(await replicaB.runOnce()).toBe(20);
      expect(new Set(sends).size).toBe(20);
      expect(new Set(await states(b, 6_000, 20))).toEqual(new Set(['delivered']));
    });
  });

  describe('the message log', () => {
    // The suite in force (intl here until the last test moves it to gm).
    const federation = new FederationHolder({ version: 2, serial: 1, nodes: [], rules: [] });
    const log = new MessageLogService(new ManualClock(Date.UTC(2026, 10, 25, 8)), federation);
    const entries = (messageId: string) => [
      { direction: 'received' as const, kind: 'envelope' as const, messageId, peer: 'CQ', content: `envelope ${messageId}` },
      { direction: 'sent' as const, kind: 'receipt' as const, messageId, peer: 'CQ', content: `receipt ${messageId}` },
    ];
    const id = (n: number) => `00000000-0000-7000-9000-${String(n).padStart(12, '0')}`;
    const whole = async (db: GatewayDatabase): Promise<MessageLogRecord[]> => {
      const out: MessageLogRecord[] = [];
      for (let page = await db.read((s) => s.messageLog.page(0, 1000)); page.length > 0; page = await db.read((s) => s.messageLog.page(out.at(-1)!.seq, 1000))) out.push(...page);
      return out;
    };

    it('lets logging transactions commit while another one is still open (no lock on the chain)', async () => {
      if (!url) return;
      const [a, b] = replicas as [GatewayDatabase, GatewayDatabase];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let staged!: () => void;
      const stagedInA = new Promise<void>((resolve) => (staged = resolve));
      const open = a.transaction(async (tx) => {
        await log.append(tx, entries(id(1)));
        staged();
        await held;
      });
      await stagedInA;
      // Before the chain writer, B waited here for A's lock on message_log until A committed.
      const other = b.transaction((tx) => log.append(tx, entries(id(2)))).then(() => 'committed');
      let timer: NodeJS.Timeout | undefined;
      const verdict = await Promise.race([other, new Promise((resolve) => (timer = setTimeout(() => resolve('blocked'), 3_000)))]);
      clearTimeout(timer);
      release();
      await open;
      await other;
      expect(verdict).toBe('committed');
    });

    it('chains every entry exactly once, in order, with two replicas writing the chain at once', async () => {
      if (!url) return;
      const [a, b] = replicas as [GatewayDatabase, GatewayDatabase];
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).transaction((tx) => log.append(tx, entries(id(100 + i))))));
      // A transaction that fails logs nothing.
      await expect(
        a.transaction(async (tx) => {
          await log.append(tx, entries(id(999)));
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      const writers = [new MessageLogChainer(a, federation), new MessageLogChainer(b, federation)];
      const drain = async (writer: MessageLogChainer) => {
        while ((await writer.chainOnce(7)) > 0);
      };
      await Promise.all(writers.map(drain));

      const chained = await whole(a);
      expect(await a.read((s) => s.messageLog.pendingCount())).toBe(0);
      expect(verifyChain(chained)).toEqual({ ok: true, count: 64 });
      const ids = chained.map((r) => r.messageId);
      expect(new Set(ids).size).toBe(32);
      expect(ids).not.toContain(id(999));
      // Each message's two entries, written together, stay in their order: envelope, then receipt.
      for (const messageId of new Set(ids)) {
        expect(chained.filter((r) => r.messageId === messageId).map((r) => r.kind)).toEqual(['envelope', 'receipt']);
      }
      expect(typeof chained[0].seq).toBe('number');
    });

    it('chains with SM3 once the federation is in the gm suite, records it (migration 0011), and the log spanning the move verifies', async () => {
      // Fails before issue 17.1/4: the chain writer hashed with SHA-256 whatever the suite.
      if (!url) return;
      const [a, b] = replicas as [GatewayDatabase, GatewayDatabase];
      const before = (await whole(a)).length;
      federation.replace({ version: 2, serial: 2, nodes: [], rules: [], suite: 'gm' });
      await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).transaction((tx) => log.append(tx, entries(id(300 + i))))));
      const writers = [new MessageLogChainer(a, federation), new MessageLogChainer(b, federation)];
      await Promise.all(writers.map(async (writer) => {
        while ((await writer.chainOnce(5)) > 0);
      }));
      const chained = await whole(a);
      expect(chained.length).toBe(before + 12);
      expect(new Set(chained.slice(0, before).map((r) => r.hashAlg))).toEqual(new Set(['sha256']));
      expect(new Set(chained.slice(before).map((r) => r.hashAlg))).toEqual(new Set(['sm3']));
      expect(verifyChain(chained)).toEqual({ ok: true, count: before + 12 });
      // Relabel one SM3 entry as SHA-256: the chain names it.
      const raw = new pg.Client({ connectionString: url });
      await raw.connect();
      await raw.query("UPDATE message_log SET hash_alg = 'sha256' WHERE seq = $1", [before + 3]);
      await raw.end();
      expect(verifyChain(await whole(a))).toEqual({ ok: false, brokenAt: before + 3, reason: 'HASH_MISMATCH' });
    });
  });
});
