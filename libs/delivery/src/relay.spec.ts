import { ManualClock } from '#core';
import type { GatewayDatabase, OutboxRecord } from '#persistence';
import { outboxMessage, temporarySqlite } from '../../persistence/src/records.fixtures.js';
import { DeliveryFailure } from './delivery-failure.js';
import { DEFAULT_RELAY_OPTIONS, Relay, type DestinationTransport } from './relay.js';

describe('Relay', () => {
  let temp: Awaited<ReturnType<typeof temporarySqlite>>;
  let db: GatewayDatabase;
  const clock = new ManualClock(1_000_000);

  beforeEach(async () => {
    temp = await temporarySqlite('relay-');
    db = temp.db;
  });

  afterEach(() => temp.dispose());

  async function enqueue(id: string, destination: string, caseId = 'SC-20261122-0000000001'): Promise<void> {
    const message = outboxMessage(0, { destination, messageType: 'status-update', caseId, payload: 'p', nextAttemptAt: clock.nowMs(), createdAt: clock.nowMs() });
    await db.transaction((tx) => tx.outbox.enqueue({ ...message, messageId: id }));
  }

  const options = {
    ...DEFAULT_RELAY_OPTIONS,
    defaultPolicy: { baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0, maxAttempts: 3, maxAgeMs: 3_600_000 },
  };

  it('retries a transient failure later and delivers it when the destination is back', async () => {
    let up = false;
    const sent: string[] = [];
    const transport: DestinationTransport = {
      send: async (m: OutboxRecord) => {
        if (!up) throw DeliveryFailure.of('PEER_UNREACHABLE', 'connection refused');
        sent.push(m.messageId);
        return { proof: 'receipt-1' };
      },
    };
    const relay = new Relay(db, () => transport, clock, options);
    await enqueue('00000000-0000-7000-8000-000000000001', 'peer:CQ');

    expect(await relay.runOnce()).toBe(1);
    const retrying = await db.read((s) => s.outbox.get('00000000-0000-7000-8000-000000000001'));
    expect(retrying).toMatchObject({ state: 'retrying', attempts: 1, nextAttemptAt: clock.nowMs() + 1_000 });
    expect(await relay.runOnce()).toBe(0); // not due yet

    up = true;
    clock.advance(1_000);
    expect(await relay.runOnce()).toBe(1);
    expect(sent).toEqual(['00000000-0000-7000-8000-000000000001']);
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-000000000001'))).toMatchObject({
      state: 'delivered',
      receipt: 'receipt-1',
    });
  });

  it('sends what the before-send hook hands back (a new payload, stored by the hook), and on its failure sends nothing and retries', async () => {
    const sent: string[] = [];
    const transport: DestinationTransport = {
      send: async (m: OutboxRecord) => {
        sent.push(`${m.messageId.slice(-1)}:${m.payload}`);
        return { proof: 'receipt' };
      },
    };
    let failing = true;
    const relay = new Relay(db, () => transport, clock, options, {
      beforeSend: async (messages) => {
        if (failing) throw new Error('the key store is busy');
        await db.transaction(async (tx) => {
          for (const m of messages) await tx.outbox.replaceInFlightPayload(m.messageId, `${m.payload}-again`);
        });
        // The second is no longer this relay's to send: left out.
        return messages.filter((m) => m.messageId.endsWith('1')).map((m) => ({ ...m, payload: `${m.payload}-again` }));
      },
    });
    await enqueue('00000000-0000-7000-8000-0000000000b1', 'peer:CQ');
    await enqueue('00000000-0000-7000-8000-0000000000b2', 'peer:CQ');
    await relay.runOnce();
    expect(sent).toEqual([]);
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-0000000000b1'))).toMatchObject({ state: 'retrying', attempts: 1, payload: 'p' });

    failing = false;
    clock.advance(1_000);
    await relay.runOnce();
    expect(sent).toEqual(['1:p-again']);
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-0000000000b1'))).toMatchObject({ state: 'delivered', payload: 'p-again' });
    // Left out: still in flight under this relay's lease, never sent; its lease ends and it is claimed again.
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-0000000000b2'))).toMatchObject({ state: 'in-flight', payload: 'p-again' });
  });

  it('tells the after-delivery hook when the delivering attempt was sent, not when its answer was recorded', async () => {
    // A peer that takes 20 ms to answer (its receipt): 'forwarded' is the moment the envelope left.
    const sentAt = clock.nowMs();
    const transport: DestinationTransport = {
      send: async () => {
        clock.advance(20);
        return { proof: 'receipt' };
      },
    };
    const seen: (number | undefined)[] = [];
    const relay = new Relay(db, () => transport, clock, options, { afterDelivered: async (_tx, _m, outcome) => void seen.push(outcome.sentAt) });
    await enqueue('00000000-0000-7000-8000-0000000000a1', 'peer:CQ');
    await relay.runOnce();
    expect(seen).toEqual([sentAt]);
  });

  it('records the deliveries that finished together in case order, so their case locks are taken in one order', async () => {
    // The four sends finish together (the last one releases all), so they are recorded as one group.
    let release!: () => void;
    const allSent = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const transport: DestinationTransport = {
      send: async () => {
        calls += 1;
        if (calls === 4) release();
        await allSent;
        return { proof: 'receipt' };
      },
    };
    const hooked: string[] = [];
    const relay = new Relay(db, () => transport, clock, options, {
      afterDelivered: async (_tx, message) => {
        hooked.push(message.caseId ?? '');
      },
    });
    const cases = ['SC-20261122-0000000009', 'SC-20261122-0000000002', 'SC-20261122-0000000005', 'SC-20261122-0000000001'];
    for (const [i, caseId] of cases.entries()) await enqueue(`00000000-0000-7000-8000-00000000010${i}`, 'peer:CQ', caseId);
    expect(await relay.runOnce()).toBe(4);
    expect(hooked).toEqual([...cases].sort());
  });

  it('sends several claimed batches at once, and one at a time while the hook says so', async () => {
    const peak = async (limit: number | undefined) => {
      let sending = 0;
      let most = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const transport: DestinationTransport = {
        send: async () => {
          sending += 1;
          most = Math.max(most, sending);
          await gate;
          sending -= 1;
          return { proof: 'receipt' };
        },
      };
      const relay = new Relay(db, () => transport, clock, { ...options, batchSize: 1, batchesInFlight: 3 }, limit === undefined ? {} : { batchesInFlight: () => limit });
      relay.start();
      // Let the loop claim as much as it may while the first sends are held.
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      await relay.stop();
      return most;
    };
    for (let i = 0; i < 6; i += 1) await enqueue(`00000000-0000-7000-8000-00000000020${i}`, 'peer:CQ');
    expect(await peak(undefined)).toBe(3);
    for (let i = 0; i < 6; i += 1) await enqueue(`00000000-0000-7000-8000-00000000030${i}`, 'peer:CQ');
    expect(await peak(1)).toBe(1);
  });

  it('does not send a message a second time while its first send is still under way, though its lease ran out', async () => {
    let sends = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transport: DestinationTransport = {
      send: async () => {
        sends += 1;
        await held;
        return { proof: 'receipt' };
      },
    };
    const relay = new Relay(db, () => transport, clock, { ...options, batchSize: 1, batchesInFlight: 2, leaseMs: 1_000, idleMs: 5 });
    await enqueue('00000000-0000-7000-8000-000000000401', 'peer:CQ');
    relay.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    // A slow destination: the lease runs out while the send waits; the relay's loop keeps claiming.
    clock.advance(5_000);
    relay.kick();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sends).toBe(1);
    release();
    await relay.stop();
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-000000000401'))).toMatchObject({ state: 'delivered' });
  });

  it('dead-letters a permanent failure at once with its reason', async () => {
    const transport: DestinationTransport = {
      send: async () => {
        throw DeliveryFailure.of('CONTRACT_INVALID', 'peer refused the body');
      },
    };
    const relay = new Relay(db, () => transport, clock, options);
    await enqueue('00000000-0000-7000-8000-000000000002', 'peer:CQ');
    await relay.runOnce();
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-000000000002'))).toMatchObject({
      state: 'dead',
      attempts: 1,
      deadReason: 'CONTRACT_INVALID',
    });
  });

  it('dead-letters after the last allowed attempt', async () => {
    const transport: DestinationTransport = {
      send: async () => {
        throw DeliveryFailure.of('PEER_UNAVAILABLE', 'status 503');
      },
    };
    const relay = new Relay(db, () => transport, clock, options);
    await enqueue('00000000-0000-7000-8000-000000000003', 'peer:CQ');
    for (let i = 0; i < 3; i += 1) {
      await relay.runOnce();
      clock.advance(60_000);
    }
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-000000000003'))).toMatchObject({
      state: 'dead',
      attempts: 3,
      deadReason: 'RETRIES_EXHAUSTED',
    });
  });

  it('keeps delivering to a healthy destination while another fails', async () => {
    const relay = new Relay(
      db,
      (destination) => ({
        send: async () => {
          if (destination === 'peer:CQ') throw DeliveryFailure.of('PEER_UNREACHABLE', 'down');
          return { proof: null };
        },
      }),
      clock,
      options,
    );
    await enqueue('00000000-0000-7000-8000-000000000004', 'peer:CQ');
    await enqueue('00000000-0000-7000-8000-000000000005', 'agency:SC.card');
    await relay.runOnce();
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-000000000005'))).toMatchObject({ state: 'delivered' });
  });

  it('sends nothing for an unknown destination and dead-letters it as ROUTE_UNKNOWN', async () => {
    const relay = new Relay(db, () => undefined, clock, options);
    await enqueue('00000000-0000-7000-8000-000000000006', 'peer:XX');
    await relay.runOnce();
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-000000000006'))).toMatchObject({
      state: 'dead',
      deadReason: 'ROUTE_UNKNOWN',
    });
  });

  it('stops sending to a destination whose circuit opened and probes it with one message later', async () => {
    let calls = 0;
    let up = false;
    const relay = new Relay(
      db,
      () => ({
        send: async () => {
          calls += 1;
          if (!up) throw DeliveryFailure.of('PEER_UNREACHABLE', 'down');
          return { proof: null };
        },
      }),
      clock,
      { ...options, circuit: { failureThreshold: 2, openMs: 10_000, maxOpenMs: 60_000 }, concurrencyPerDestination: 1 },
    );
    for (let i = 0; i < 4; i += 1) await enqueue(`00000000-0000-7000-8000-00000000010${i}`, 'peer:CQ');
    await relay.runOnce(); // two failures open the circuit; the other two go back untried
    expect(relay.circuits.state('peer:CQ')).toBe('open');
    const afterOpen = calls;
    expect(afterOpen).toBe(2);
    clock.advance(5_000);
    expect(await relay.runOnce()).toBe(0); // open: nothing claimed, no attempt used
    expect(calls).toBe(afterOpen);
    up = true;
    clock.advance(5_000);
    await relay.runOnce(); // half-open: exactly one probe
    expect(calls).toBe(afterOpen + 1);
    expect(relay.circuits.state('peer:CQ')).toBe('closed');
    clock.advance(60_000);
    await relay.runOnce();
    const states = await db.read((s) => s.outbox.countsByState());
    expect(states).toEqual({ delivered: 4 });
  });

  it('does not let one poison message hold back the messages behind it on the same destination', async () => {
    const delivered: string[] = [];
    const relay = new Relay(
      db,
      () => ({
        send: async (m: OutboxRecord) => {
          if (m.messageId.endsWith('0666')) throw DeliveryFailure.of('PEER_UNAVAILABLE', 'this one always fails');
          delivered.push(m.messageId);
          return { proof: null };
        },
      }),
      clock,
      { ...options, concurrencyPerDestination: 1, defaultPolicy: { ...options.defaultPolicy, maxAttempts: 1000 } },
    );
    await enqueue('00000000-0000-7000-8000-000000000666', 'peer:CQ');
    for (let i = 0; i < 5; i += 1) await enqueue(`00000000-0000-7000-8000-00000000070${i}`, 'peer:CQ');
    await relay.runOnce();
    expect(delivered).toHaveLength(5);
    expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-000000000666'))).toMatchObject({ state: 'retrying', attempts: 1 });
  });
  it('counts a batch in which every message failed for a reason that may pass as a failure of the destination, and stops sending to it', async () => {
    let requests = 0;
    const transport: DestinationTransport = {
      send: async () => {
        throw DeliveryFailure.of('AGENCY_UNAVAILABLE', 'down');
      },
      // Each request is taken, but the agency behind the adapter is down for every message.
      sendBatch: async (messages) => {
        requests += 1;
        return messages.map(() => ({ ok: false as const, failure: DeliveryFailure.of('AGENCY_UNAVAILABLE', 'down') }));
      },
      batchLimit: { messages: 2, bytes: 1024 },
    };
    const relay = new Relay(db, () => transport, clock, { ...options, circuit: { failureThreshold: 2, openMs: 10_000, maxOpenMs: 60_000 }, concurrencyPerDestination: 1 });
    for (let i = 0; i < 6; i += 1) await enqueue(`00000000-0000-7000-8000-00000000020${i}`, 'agency:SC.card');
    await relay.runOnce();
    // Two failed batches open the circuit; the third batch goes back without an attempt.
    expect(requests).toBe(2);
    expect(relay.circuits.state('agency:SC.card')).toBe('open');
    const attempts = await db.read(async (s) => {
      const counts: number[] = [];
      for (let i = 0; i < 6; i += 1) counts.push((await s.outbox.get(`00000000-0000-7000-8000-00000000020${i}`))?.attempts ?? -1);
      return counts.sort();
    });
    expect(attempts).toEqual([0, 0, 1, 1, 1, 1]);
  });

  it('keeps the circuit closed when a batch has at least one message through', async () => {
    const transport: DestinationTransport = {
      send: async () => ({ proof: null }),
      sendBatch: async (messages) =>
        messages.map((_, i) => (i === 0 ? { ok: true as const, outcome: { proof: 'ack' } } : { ok: false as const, failure: DeliveryFailure.of('AGENCY_UNAVAILABLE', 'down') })),
      batchLimit: { messages: 2, bytes: 1024 },
    };
    const relay = new Relay(db, () => transport, clock, { ...options, circuit: { failureThreshold: 1, openMs: 10_000, maxOpenMs: 60_000 }, concurrencyPerDestination: 1 });
    for (let i = 0; i < 4; i += 1) await enqueue(`00000000-0000-7000-8000-00000000030${i}`, 'agency:SC.card');
    await relay.runOnce();
    expect(relay.circuits.state('agency:SC.card')).toBe('closed');
    expect(await db.read((s) => s.outbox.countsByState())).toEqual({ delivered: 2, retrying: 2 });
  });

  describe('during and after an outage of a destination', () => {
    const down = (state: { up: boolean; sent: string[] }): DestinationTransport => ({
      send: async (m: OutboxRecord) => {
        if (!state.up) throw DeliveryFailure.of('PEER_UNREACHABLE', 'connection refused');
        state.sent.push(m.messageId);
        return { proof: 'receipt' };
      },
    });
    const id = (n: number) => `00000000-0000-7000-8000-${String(900_000 + n).padStart(12, '0')}`;
    /** Runs the relay's rounds for `ms` of clock time, one round every `stepMs`. */
    async function rounds(relay: Relay, ms: number, stepMs: number, until: () => Promise<boolean> = async () => false): Promise<number> {
      for (let spent = 0; spent < ms; spent += stepMs) {
        await relay.runOnce();
        if (await until()) return spent;
        clock.advance(stepMs);
      }
      return ms;
    }

    it('sends every waiting message within 5 s of the destination answering again, after an outage of ten minutes', async () => {
      const state = { up: false, sent: [] as string[] };
      // The default policy backs off up to 5 minutes per message; recovery must not wait that out.
      const relay = new Relay(db, () => down(state), clock, { ...DEFAULT_RELAY_OPTIONS, concurrencyPerDestination: 2 }, {}, () => 0.5);
      for (let i = 0; i < 10; i += 1) await enqueue(id(i), 'peer:CQ');
      await rounds(relay, 10 * 60_000, 500);
      // A case accepted while the destination is still down waits with the others.
      await enqueue(id(10), 'peer:CQ');
      state.up = true;
      const allSent = async () => (await db.read((s) => s.outbox.countsByState()))['delivered'] === 11;
      const took = await rounds(relay, 60_000, 250, allSent);
      expect(await db.read((s) => s.outbox.countsByState())).toEqual({ delivered: 11 });
      expect(took).toBeLessThanOrEqual(5_000);
    });

    it('dead-letters every message of a down destination once it is older than maxAgeMs, not only the one probing it', async () => {
      const state = { up: false, sent: [] as string[] };
      const policy = { ...options.defaultPolicy, maxAttempts: 1_000, maxAgeMs: 60_000 };
      const relay = new Relay(db, () => down(state), clock, { ...options, defaultPolicy: policy, concurrencyPerDestination: 1 }, {}, () => 0.5);
      for (let i = 0; i < 40; i += 1) await enqueue(id(100 + i), 'peer:CQ');
      const dead = async () => (await db.read((s) => s.outbox.countsByState()))['dead'] === 40;
      const took = await rounds(relay, 5 * 60_000, 500, dead);
      const letters = await db.read((s) => s.outbox.list({ state: 'dead', limit: 100 }));
      expect(letters).toHaveLength(40);
      expect(new Set(letters.map((m) => m.deadReason))).toEqual(new Set(['RETRIES_EXHAUSTED']));
      // All within moments of the age limit, whether or not the message was ever tried.
      expect(took).toBeGreaterThanOrEqual(60_000);
      expect(took).toBeLessThanOrEqual(62_000);
      // Every message was kept until the age ran out: none died alone for its attempts.
      expect(letters.every((m) => m.attempts <= 1)).toBe(true);
    });

    it('does not use up the attempts of the message that probes a down destination, so none is dead-lettered while its siblings later go through', async () => {
      const state = { up: false, sent: [] as string[] };
      const policy = { ...options.defaultPolicy, maxAttempts: 3 };
      const relay = new Relay(db, () => down(state), clock, { ...options, defaultPolicy: policy, concurrencyPerDestination: 1 }, {}, () => 0.5);
      for (let i = 0; i < 6; i += 1) await enqueue(id(200 + i), 'peer:CQ');
      await rounds(relay, 10 * 60_000, 500);
      expect(await db.read((s) => s.outbox.countsByState())).toEqual({ retrying: 6 });
      state.up = true;
      await rounds(relay, 10_000, 250);
      expect(await db.read((s) => s.outbox.countsByState())).toEqual({ delivered: 6 });
    });
  });

  describe('leases', () => {
    it("takes over a dead relay's claims within 10 s with the default lease", async () => {
      const sent: string[] = [];
      // Relay A claims and then never answers (its process was killed mid-send).
      const hung: DestinationTransport = { send: () => new Promise(() => undefined) };
      const a = new Relay(db, () => hung, clock, DEFAULT_RELAY_OPTIONS);
      const b = new Relay(db, () => ({ send: async (m: OutboxRecord) => (sent.push(m.messageId), { proof: 'receipt' }) }), clock, DEFAULT_RELAY_OPTIONS);
      await enqueue('00000000-0000-7000-8000-000000000501', 'peer:CQ');
      void a.runOnce();
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(await b.runOnce()).toBe(0);
      clock.advance(10_000);
      expect(await b.runOnce()).toBe(1);
      expect(sent).toEqual(['00000000-0000-7000-8000-000000000501']);
    });

    it('renews the lease of a message while its send is under way, so another relay does not send it at the same time', async () => {
      let sends = 0;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const slow: DestinationTransport = {
        send: async () => {
          sends += 1;
          await held;
          return { proof: 'receipt' };
        },
      };
      // One batch in flight: A's loop waits for it and claims nothing meanwhile (no renewal by a re-claim).
      const leased = { ...options, leaseMs: 300, idleMs: 5, batchesInFlight: 1 };
      const a = new Relay(db, () => slow, clock, leased);
      const b = new Relay(db, () => ({ send: async () => (sends += 1, { proof: 'receipt' }) }), clock, leased);
      await enqueue('00000000-0000-7000-8000-000000000502', 'peer:CQ');
      a.start();
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(sends).toBe(1);
      // Twice the lease passes while A's send waits; A's heartbeat (every third of the lease) renews it.
      for (let i = 0; i < 3; i += 1) {
        clock.advance(200);
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(await b.runOnce()).toBe(0);
      }
      expect(sends).toBe(1);
      release();
      await a.stop();
      expect(await db.read((s) => s.outbox.get('00000000-0000-7000-8000-000000000502'))).toMatchObject({ state: 'delivered' });
    });
  });
});
