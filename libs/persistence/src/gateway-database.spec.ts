import { dirname, join } from 'node:path';
import { GatewayDatabase, MAX_UNITS_PER_COMMIT } from './gateway-database.js';
import { outboxMessage, temporarySqlite } from './records.fixtures.js';

let temp: Awaited<ReturnType<typeof temporarySqlite>>;
let db: GatewayDatabase;

beforeEach(async () => {
  temp = await temporarySqlite('gw-db-');
  db = temp.db;
});

afterEach(() => temp.dispose());

describe('GatewayDatabase on SQLite', () => {
  const message = (id: string, nextAttemptAt: number) => ({ ...outboxMessage(0, { nextAttemptAt }), messageId: id });

  it('rolls back every write of a failed transaction', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000001', 0));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.read((s) => s.outbox.backlog())).toBe(0);
  });

  it('claims only due messages and re-claims one whose lease expired', async () => {
    await db.transaction(async (tx) => {
      await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000001', 100));
      await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000002', 5_000));
    });
    const first = await db.transaction((tx) => tx.outbox.claimDue(1_000, 2_000, 10));
    expect(first.map((m) => m.messageId)).toEqual(['00000000-0000-7000-8000-000000000001']);
    expect(first[0].state).toBe('in-flight');
    // claimed and leased: not claimable again until the lease expires
    expect(await db.transaction((tx) => tx.outbox.claimDue(1_500, 3_000, 10))).toHaveLength(0);
    const again = await db.transaction((tx) => tx.outbox.claimDue(2_500, 4_000, 10));
    expect(again.map((m) => m.messageId)).toEqual(['00000000-0000-7000-8000-000000000001']);
  });

  it('renews the lease of messages still in flight only, so another claim waits for the renewed lease', async () => {
    await db.transaction(async (tx) => {
      await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000001', 0));
      await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000002', 0));
    });
    await db.transaction((tx) => tx.outbox.claimDue(1_000, 2_000, 10));
    await db.transaction((tx) => tx.outbox.markDelivered('00000000-0000-7000-8000-000000000002', 1_500, null));
    const renewed = await db.transaction((tx) => tx.outbox.renewLeases(['00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-000000000002'], 5_000));
    expect(renewed).toBe(1);
    expect(await db.transaction((tx) => tx.outbox.claimDue(4_000, 9_000, 10))).toHaveLength(0);
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-000000000002'))).toMatchObject({ state: 'delivered', leaseUntil: null });
    expect((await db.transaction((tx) => tx.outbox.claimDue(5_001, 9_000, 10))).map((m) => m.messageId)).toEqual(['00000000-0000-7000-8000-000000000001']);
  });

  it("makes a destination's retrying messages due now, and no other destination's", async () => {
    await db.transaction(async (tx) => {
      await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000001', 0));
      await tx.outbox.enqueue({ ...message('00000000-0000-7000-8000-000000000002', 0), destination: 'agency:SC.card' });
    });
    await db.transaction(async (tx) => {
      await tx.outbox.markRetry('00000000-0000-7000-8000-000000000001', 3, 300_000, 'down');
      await tx.outbox.markRetry('00000000-0000-7000-8000-000000000002', 3, 300_000, 'down');
    });
    expect(await db.transaction((tx) => tx.outbox.makeDue('peer:CQ', 1_000))).toBe(1);
    expect((await db.transaction((tx) => tx.outbox.claimDue(1_000, 9_000, 10))).map((m) => m.messageId)).toEqual(['00000000-0000-7000-8000-000000000001']);
  });

  it("dead-letters a destination's waiting messages past an age, keeping their last error, and leaves in-flight and younger ones", async () => {
    await db.transaction(async (tx) => {
      await tx.outbox.enqueue({ ...message('00000000-0000-7000-8000-000000000001', 0), createdAt: 100 });
      await tx.outbox.enqueue({ ...message('00000000-0000-7000-8000-000000000002', 0), createdAt: 100 });
      await tx.outbox.enqueue({ ...message('00000000-0000-7000-8000-000000000003', 0), createdAt: 100 });
      await tx.outbox.enqueue({ ...message('00000000-0000-7000-8000-000000000004', 0), createdAt: 900 });
      await tx.outbox.enqueue({ ...message('00000000-0000-7000-8000-000000000005', 0), createdAt: 100, destination: 'agency:SC.card' });
    });
    await db.transaction((tx) => tx.outbox.markRetry('00000000-0000-7000-8000-000000000002', 1, 0, 'PEER_UNREACHABLE: down'));
    await db.transaction(async (tx) => {
      const [first] = await tx.outbox.claimDue(0, 9_000, 1);
      expect(first.messageId).toBe('00000000-0000-7000-8000-000000000001');
    });
    const expired = await db.transaction((tx) => tx.outbox.expireWaiting('peer:CQ', 500, 'RETRIES_EXHAUSTED', 'not delivered within maxAgeMs'));
    expect(expired.map((m) => m.messageId).sort()).toEqual(['00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000003']);
    const get = (id: string) => db.read((s) => s.outbox.get(id));
    expect(await get('00000000-0000-7000-8000-000000000002')).toMatchObject({ state: 'dead', deadReason: 'RETRIES_EXHAUSTED', lastError: 'PEER_UNREACHABLE: down' });
    expect(await get('00000000-0000-7000-8000-000000000003')).toMatchObject({ state: 'dead', lastError: 'not delivered within maxAgeMs' });
    expect(await get('00000000-0000-7000-8000-000000000001')).toMatchObject({ state: 'in-flight' });
    expect(await get('00000000-0000-7000-8000-000000000004')).toMatchObject({ state: 'pending' });
    expect(await get('00000000-0000-7000-8000-000000000005')).toMatchObject({ state: 'pending' });
  });

  it('counts undelivered messages per destination in the database', async () => {
    await db.transaction(async (tx) => {
      await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000001', 0));
      await tx.outbox.enqueue(message('00000000-0000-7000-8000-000000000002', 0));
      await tx.outbox.enqueue({ ...message('00000000-0000-7000-8000-000000000003', 0), destination: 'agency:SC.card' });
    });
    // One of them in flight still counts; nothing else is there.
    await db.transaction((tx) => tx.outbox.claimDue(1, 60_000, 1));
    expect(await db.read((s) => s.outbox.backlogByDestination())).toEqual(new Map([['peer:CQ', 2], ['agency:SC.card', 1]]));
  });

  it('records an inbox message id once, and tells a repeat without writing it again', async () => {
    const row = { messageId: '00000000-0000-7000-8000-000000000009', sender: 'CQ', messageType: 'status-update', caseId: null, sha256: 'a', receipt: 'r1', receivedAt: 1 };
    expect(await db.transaction((tx) => tx.inbox.insertOnce(row))).toBe(true);
    expect(await db.transaction((tx) => tx.inbox.insertOnce({ ...row, sha256: 'b', receipt: 'r2' }))).toBe(false);
    expect(await db.read((s) => s.inbox.get(row.messageId))).toMatchObject({ sha256: 'a', receipt: 'r1' });
  });

  it('refuses to open a database whose schema is behind when not told to migrate', async () => {
    const file = join(dirname(temp.file), 'empty.db');
    await expect(GatewayDatabase.open({ kind: 'sqlite', file }, { migrate: false })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});

describe('GatewayDatabase group commit on SQLite', () => {
  const message = (n: number) => outboxMessage(n);
  const ids = async () => (await db.read((s) => s.outbox.list({}))).map((m) => m.messageId).sort();

  it('commits the units queued behind a busy writer together, and settles each only after that commit', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const ran: string[] = [];
    const settled: string[] = [];
    const first = db.transaction(async (tx) => {
      await tx.outbox.enqueue(message(1));
      await gate;
      ran.push('first');
    }).then(() => settled.push(`first, after ${ran.length} ran`));
    // Queued while the first unit holds the writer: they join its transaction.
    const second = db.transaction(async (tx) => {
      await tx.outbox.enqueue(message(2));
      ran.push('second');
    }).then(() => settled.push('second'));
    const third = db.transaction(async (tx) => {
      await tx.outbox.enqueue(message(3));
      ran.push('third');
    }).then(() => settled.push('third'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toEqual([]);
    open();
    await Promise.all([first, second, third]);
    // The first unit's caller heard back only after the later units ran: one commit for the three.
    expect(ran).toEqual(['first', 'second', 'third']);
    expect(settled).toEqual(['first, after 3 ran', 'second', 'third']);
    expect(await ids()).toEqual([message(1), message(2), message(3)].map((m) => m.messageId));
  });

  it('rolls back only the unit that failed when it shares a commit with others', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const first = db.transaction(async (tx) => {
      await gate;
      await tx.outbox.enqueue(message(1));
    });
    const failing = db.transaction(async (tx) => {
      await tx.outbox.enqueue(message(2));
      throw new Error('boom');
    });
    const duplicate = db.transaction(async (tx) => {
      await tx.outbox.enqueue(message(3));
      await tx.outbox.enqueue(message(1)); // the primary key refuses it: this unit fails
    });
    const last = db.transaction(async (tx) => tx.outbox.enqueue(message(4)));
    open();
    await expect(first).resolves.toBeUndefined();
    await expect(failing).rejects.toThrow('boom');
    await expect(duplicate).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_CONSTRAINT/) as unknown });
    await expect(last).resolves.toBeUndefined();
    expect(await ids()).toEqual([message(1), message(4)].map((m) => m.messageId));
  });

  it('commits the units made ready in one turn of the event loop together, though the writer was idle', async () => {
    const ran: string[] = [];
    const settled: string[] = [];
    const unit = (n: number) =>
      db
        .transaction(async (tx) => {
          await tx.outbox.enqueue(message(n));
          ran.push(`unit ${n}`);
        })
        .then(() => settled.push(`unit ${n}, after ${ran.length} ran`));
    // Two callbacks of one turn (as two requests' bodies read in the same poll): not one call stack.
    const both = await new Promise<Promise<unknown>[]>((resolve) => {
      const started: Promise<unknown>[] = [];
      setImmediate(() => started.push(unit(1)));
      setImmediate(() => {
        started.push(unit(2));
        resolve(started);
      });
    });
    await Promise.all(both);
    expect(settled).toEqual(['unit 1, after 2 ran', 'unit 2, after 2 ran']);
  });

  it('commits at most MAX_UNITS_PER_COMMIT units together, and lets a read in between groups', async () => {
    const events: string[] = [];
    const total = MAX_UNITS_PER_COMMIT * 2 + 3;
    let read: Promise<unknown> = Promise.resolve();
    const units = Array.from({ length: total }, (_, i) =>
      db
        .transaction(async (tx) => {
          events.push(`ran ${i + 1}`);
          // Asked while the first group holds the writer: served after that group, not after the last.
          if (i === 0) read = db.read((s) => s.outbox.backlog()).then((n) => events.push(`read ${n}`));
          await tx.outbox.enqueue(message(i + 1));
        })
        .then(() => events.push(`settled ${i + 1}`)),
    );
    await Promise.all(units);
    await read;
    expect(await ids()).toHaveLength(total);
    // The first group's callers hear back before the next group runs.
    expect(events.indexOf('settled 1')).toBeLessThan(events.indexOf(`ran ${MAX_UNITS_PER_COMMIT + 1}`));
    expect(events.indexOf(`ran ${MAX_UNITS_PER_COMMIT}`)).toBeLessThan(events.indexOf('settled 1'));
    expect(events).toContain(`read ${MAX_UNITS_PER_COMMIT}`);
  });
});
