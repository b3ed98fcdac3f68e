import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import { of, throwError, type Observable } from 'rxjs';
import { AGENCY_STATUS, AGENCY_STATUS_BATCH, type AgencyBatchOutcome, type AgencyStatusAck, type AgencyStatusReport } from '#contracts';
import { ManualClock } from '#core';
import { AGENCY_BATCH_RETRY_MS } from '#contracts';
import { checkLinkProof } from '#delivery';
import { INTL_SUITE } from '#signing';
import type { AgencyClient, FeedEvent } from './agency-client.js';
import { UnmappedAgencyValue } from './agency-errors.js';
import { CursorFile } from './cursor-file.js';
import { StatusPump } from './status-pump.js';

const SECRET = 'status-pump-spec-link-secret-0123456789';
const CASE = 'CQ-20261123-7K3F9ZQ2M8';

/** A feed of `count` events; the event at `unmappedAt` has a status word with no mapping. */
function feed(count: number, unmappedAt?: number): AgencyClient {
  const events: FeedEvent[] = Array.from({ length: count }, (_, i) => ({
    position: i + 1,
    toReport: () => {
      if (i + 1 === unmappedAt) throw new UnmappedAgencyValue('zt', '挂起', i + 1);
      return { caseId: CASE, stage: 'in-production', at: '2026-11-23T10:00:00.000+08:00' };
    },
  }));
  return {
    agency: 'SC.card',
    submit: async () => ({ agencyRef: 'R', duplicate: false }),
    withdraw: async () => ({ agencyRef: 'R', duplicate: false }),
    supplement: async () => ({ agencyRef: 'R', duplicate: false }),
    lookUp: async () => null,
    fetchEvents: async (cursor, limit) => ({ events: events.filter((e) => e.position > cursor).slice(0, limit) }),
  };
}

type Answer = (pattern: string, items: readonly AgencyStatusReport[]) => Observable<unknown>;

/** A gateway link that records each request and answers with `answer`. */
function gatewayLink(answer: Answer) {
  const requests: { pattern: string; items: readonly AgencyStatusReport[] }[] = [];
  const link = {
    send: (pattern: string, data: { items?: readonly AgencyStatusReport[] } & AgencyStatusReport) => {
      const items = pattern === AGENCY_STATUS_BATCH ? (data.items ?? []) : [data];
      requests.push({ pattern, items });
      return answer(pattern, items);
    },
  } as unknown as ClientProxy;
  return { link, requests };
}

const acked = (r: AgencyStatusReport): AgencyBatchOutcome<AgencyStatusAck> => ({ ok: true, ack: { eventId: r.eventId, duplicate: false } });

/** Counts cursor writes. */
class CountingCursor extends CursorFile {
  writes = 0;
  override write(cursor: number): void {
    this.writes += 1;
    super.write(cursor);
  }
}

describe('StatusPump', () => {
  let dir: string;
  let cursor: CountingCursor;
  const options = { pollMs: 0, batch: 100, ackTimeoutMs: 1000, link: { secret: SECRET, suite: INTL_SUITE } };

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'status-pump-'));
    cursor = new CountingCursor(join(dir, 'SC.card.cursor.json'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const onDisk = () => (JSON.parse(readFileSync(join(dir, 'SC.card.cursor.json'), 'utf8')) as { cursor: number }).cursor;

  it('reports a fetched batch in one request, each report with its own link proof, and writes the cursor once', async () => {
    const { link, requests } = gatewayLink((_, items) => of({ results: items.map(acked) }));
    const pump = new StatusPump(feed(150), link, cursor, options);
    expect(await pump.pumpOnce()).toBe(150);
    // Two fetches (100 + 50): two requests, two cursor writes, not 150.
    expect(requests.map((r) => [r.pattern, r.items.length])).toEqual([
      [AGENCY_STATUS_BATCH, 100],
      [AGENCY_STATUS_BATCH, 50],
    ]);
    expect(cursor.writes).toBe(2);
    expect(onDisk()).toBe(150);
    for (const item of requests.flatMap((r) => r.items)) expect(checkLinkProof(SECRET, item.eventId, item.proof, INTL_SUITE)).toBe(true);
    expect(requests[0].items[0]).toMatchObject({ eventId: 'SC.card:1', agency: 'SC.card', caseId: CASE });
  });

  it('moves past a report refused for good and stops before one that failed for a reason that may pass; the next round starts there', async () => {
    let round = 0;
    const { link, requests } = gatewayLink((_, items) => {
      round += 1;
      if (round > 1) return of({ results: items.map(acked) });
      return of({
        results: items.map((r, i): AgencyBatchOutcome<AgencyStatusAck> => {
          if (i === 1) return { ok: false, error: { code: 'STATUS_NOT_ALLOWED', message: 'not routed here', permanent: true } };
          if (i === 3) return { ok: false, error: { code: 'INTERNAL', message: 'database busy', permanent: false } };
          if (i > 3) return { ok: false, error: { code: 'BATCH_ITEM_NOT_ATTEMPTED', message: 'an earlier report failed', permanent: false } };
          return acked(r);
        }),
      });
    });
    const pump = new StatusPump(feed(6), link, cursor, options);
    expect(await pump.pumpOnce()).toBe(3);
    expect(onDisk()).toBe(3);
    expect(pump.lastProblem).toBe('database busy');
    expect(await pump.pumpOnce()).toBe(3);
    expect(requests[1].items.map((r) => r.eventId)).toEqual(['SC.card:4', 'SC.card:5', 'SC.card:6']);
    expect(onDisk()).toBe(6);
  });

  it('reports the events before an unmapped agency value, then stops at it', async () => {
    const { link, requests } = gatewayLink((_, items) => of({ results: items.map(acked) }));
    const pump = new StatusPump(feed(5, 3), link, cursor, options);
    expect(await pump.pumpOnce()).toBe(2);
    expect(requests).toHaveLength(1);
    expect(onDisk()).toBe(2);
    expect(pump.lastProblem).toMatch(/no mapping for zt=挂起/);
  });

  it('moves nothing when the gateway cannot be reached or answers a batch that does not match', async () => {
    const down = gatewayLink(() => throwError(() => ({ code: 'ECONNREFUSED' })));
    expect(await new StatusPump(feed(3), down.link, cursor, options).pumpOnce()).toBe(0);
    const short = gatewayLink(() => of({ results: [] }));
    expect(await new StatusPump(feed(3), short.link, cursor, options).pumpOnce()).toBe(0);
    expect(cursor.writes).toBe(0);
  });

  it('falls back to one report per request for a gateway without the batch handler, and tries a batch again after AGENCY_BATCH_RETRY_MS', async () => {
    const clock = new ManualClock();
    let upgraded = false;
    const { link, requests } = gatewayLink((pattern, items) => {
      if (pattern === AGENCY_STATUS_BATCH) return upgraded ? of({ results: items.map(acked) }) : throwError(() => NO_MESSAGE_HANDLER);
      return of({ eventId: items[0].eventId, duplicate: false });
    });
    let events = 3;
    const client = { ...feed(10), fetchEvents: async (after: number, limit: number) => feed(events).fetchEvents(after, limit) };
    const pump = new StatusPump(client, link, cursor, { ...options, clock });
    expect(await pump.pumpOnce()).toBe(3);
    expect(requests.map((r) => r.pattern)).toEqual([AGENCY_STATUS_BATCH, AGENCY_STATUS, AGENCY_STATUS, AGENCY_STATUS]);
    expect(onDisk()).toBe(3);
    // Still one by one a moment later; the gateway is upgraded in place, and after a while batches come back.
    events = 4;
    upgraded = true;
    requests.length = 0;
    expect(await pump.pumpOnce()).toBe(1);
    expect(requests.map((r) => r.pattern)).toEqual([AGENCY_STATUS]);
    clock.advance(AGENCY_BATCH_RETRY_MS);
    events = 6;
    requests.length = 0;
    expect(await pump.pumpOnce()).toBe(2);
    expect(requests.map((r) => r.pattern)).toEqual([AGENCY_STATUS_BATCH]);
    expect(onDisk()).toBe(6);
  });

  it.each([
    ['an error outcome without its error', { ok: false }],
    ['an error without permanent', { ok: false, error: { code: 'INTERNAL', message: 'x' } }],
    ['an acknowledgement of another report', { ok: true, ack: { eventId: 'SC.card:99', duplicate: false } }],
    ['an outcome that is neither', { ack: { eventId: 'SC.card:2', duplicate: false } }],
    ['no outcome at all', null],
  ])('takes an answer holding %s as a transient failure of the batch: nothing moves, the pump does not throw', async (_name, entry) => {
    const { link } = gatewayLink((_, items) => of({ results: [acked(items[0]), entry, ...items.slice(2).map(acked)] }));
    const pump = new StatusPump(feed(3), link, cursor, options);
    expect(await pump.pumpOnce()).toBe(0);
    expect(cursor.writes).toBe(0);
    expect(pump.lastProblem).toMatch(/does not match the batch/);
  });

  it('survives a cursor that cannot be written (logs it, never rejects) and reports the batch again next round', async () => {
    const { link, requests } = gatewayLink((_, items) => of({ results: items.map(acked) }));
    class FailingCursor extends CursorFile {
      fail = true;
      override write(position: number): void {
        if (this.fail) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${dir}'`), { code: 'ENOSPC' });
        super.write(position);
      }
    }
    const failing = new FailingCursor(join(dir, 'SC.card.cursor.json'));
    const pump = new StatusPump(feed(3), link, failing, options);
    await expect(pump.pumpOnce()).resolves.toBe(0);
    expect(pump.lastProblem).toBe('ENOSPC (Error)');
    failing.fail = false;
    expect(await pump.pumpOnce()).toBe(3);
    expect(requests).toHaveLength(2);
    expect(onDisk()).toBe(3);
  });
});
