import { cardApplication, freshIdNumber } from './support/applications.js';
import { eventually } from './support/free-port.js';
import { TwoNodeHarness } from './support/two-node-harness.js';

interface Page {
  readonly items: readonly { readonly messageId: string; readonly deadReason: string | null; readonly createdAt: number }[];
  readonly total: number;
  readonly nextCursor: string | null;
}
interface Job {
  readonly jobId: string;
  readonly state: string;
  readonly total: number;
  readonly replayed: number;
  readonly skipped: number;
  readonly failed: number;
}

/**
 * After a long outage an operator sees every dead letter (pages with the total) and replays
 * them by filter as one audited action whose progress can be followed.
 */
describe('dead letters after a long outage: every one seen, replayed by filter', () => {
  let harness: TwoNodeHarness;
  const ids: string[] = [];

  beforeAll(async () => {
    harness = await TwoNodeHarness.start();
    const cq = harness.cq;
    // 450 cases from Chongqing windows to Sichuan, delivered, then dead-lettered as if the
    // receipts of a broken front door had not verified (400) or the retries had run out (50).
    for (let i = 0; i < 450; i += 1) {
      const response = await fetch(cq.url('/api/v1/applications'), {
        method: 'POST',
        headers: { authorization: cq.window, 'content-type': 'application/json' },
        body: JSON.stringify(cardApplication({ issuingRegion: '510104', idNumber: freshIdNumber() })),
      });
      expect(response.status).toBe(201);
    }
    const sent = await eventually(
      () => cq.gateway.db.read((s) => s.outbox.list({ destination: 'peer:SC', limit: 1000 })),
      (rows) => rows.length === 450 && rows.every((r) => r.state === 'delivered'),
      60_000,
    );
    ids.push(...sent.map((r) => r.messageId));
    await cq.gateway.db.transaction(async (tx) => {
      for (const [i, id] of ids.entries()) await tx.outbox.markDead(id, 3, i < 400 ? 'RECEIPT_INVALID' : 'RETRIES_EXHAUSTED', 'test: dead-lettered by the test');
    });
  }, 120_000);
  afterAll(() => harness.stop());

  const operatorGet = async (path: string) => fetch(harness.cq.url(path), { headers: { authorization: harness.cq.operator } });

  it('pages through all 450 dead letters with the total, newest first, none twice, and ends with no cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await operatorGet(`/api/v1/operator/messages?state=dead&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as Page;
      expect(page.total).toBe(450);
      seen.push(...page.items.map((m) => m.messageId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(450);
    expect(new Set(seen)).toEqual(new Set(ids));
    // The filter counts what it matches, not what one page holds.
    const byReason = (await (await operatorGet('/api/v1/operator/messages?state=dead&reason=RETRIES_EXHAUSTED&limit=10')).json()) as Page;
    expect(byReason).toMatchObject({ total: 50 });
    expect(byReason.items).toHaveLength(10);
  });

  it('refuses a bad page size or a cursor it did not hand out, naming the field', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
    ] as const) {
      const response = await operatorGet(`/api/v1/operator/messages?state=dead&${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
    }
  });

  it('refuses a replay by filter without a filter (no accidental replay of everything)', async () => {
    const response = await fetch(harness.cq.url('/api/v1/operator/messages/replay-by-filter'), {
      method: 'POST',
      headers: { authorization: harness.cq.operator, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'front door fixed' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'all' })] });
  });

  it('replays every dead letter of a reason as one audited job, with progress up to the total, and all are delivered again', async () => {
    const response = await fetch(harness.cq.url('/api/v1/operator/messages/replay-by-filter'), {
      method: 'POST',
      headers: { authorization: harness.cq.operator, 'content-type': 'application/json' },
      body: JSON.stringify({ destination: 'peer:SC', deadReason: 'RECEIPT_INVALID', reason: 'front door fixed after the outage' }),
    });
    expect(response.status).toBe(202);
    const started = (await response.json()) as Job;
    expect(started).toMatchObject({ total: 400 });
    const done = await eventually(
      async () => (await (await operatorGet(`/api/v1/operator/replays/${started.jobId}`)).json()) as Job,
      (job) => job.state !== 'running',
      30_000,
    );
    expect(done).toMatchObject({ state: 'done', total: 400, replayed: 400, skipped: 0, failed: 0 });
    // Delivered again under their original ids (the receiver answers its original receipts).
    const rows = await eventually(
      () => harness.cq.gateway.db.read((s) => s.outbox.list({ destination: 'peer:SC', limit: 1000 })),
      (list) => list.filter((r) => r.state === 'delivered').length === 400,
      30_000,
    );
    expect(rows.filter((r) => r.state === 'dead').map((r) => r.deadReason)).toEqual(Array.from({ length: 50 }, () => 'RETRIES_EXHAUSTED'));
    // One audit record for the whole action, with the filter and the count.
    const audit = (await (await operatorGet(`/api/v1/operator/audit?subject=${started.jobId}`)).json()) as { items: { action: string; detailJson: string }[] };
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0].action).toBe('replay-by-filter');
    expect(JSON.parse(audit.items[0].detailJson)).toEqual({ filter: { destination: 'peer:SC', deadReason: 'RECEIPT_INVALID' }, total: 400 });
    expect((await operatorGet('/api/v1/operator/replays/00000000-0000-7000-8000-000000000000')).status).toBe(404);
  }, 90_000);
});
