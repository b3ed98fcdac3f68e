import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import { defer, of, throwError, type Observable } from 'rxjs';
import { ERROR_CODES, ManualClock } from '#core';
import { AGENCY_BATCH_RETRY_MS, AGENCY_DELIVER, AGENCY_DELIVER_BATCH, type AgencyDelivery } from '#contracts';
import { DeliveryFailure } from '#delivery';
import type { OutboxRecord } from '#persistence';
import { AgencyTransport } from './agency.transport.js';

function message(n: number, caseId = 'CQ-20261123-7K3F9ZQ2M8', messageType = 'ssc.apply.request'): OutboxRecord {
  const messageId = `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const delivery = { messageId, agency: 'SC.card', messageType, contractVersion: 1, caseId, proof: `proof-${n}` };
  return {
    messageId,
    destination: 'agency:SC.card',
    messageType,
    contractVersion: 1,
    caseId: delivery.caseId,
    payload: JSON.stringify(delivery),
    state: 'in-flight',
    attempts: 0,
    nextAttemptAt: 0,
    leaseUntil: null,
    lastError: null,
    deadReason: null,
    createdAt: 0,
    deliveredAt: null,
    receipt: null,
  };
}

/** An agency link that records each request and answers with `answer`. */
function adapterLink(answer: (pattern: string, data: unknown) => Observable<unknown>) {
  const requests: { pattern: string; data: unknown }[] = [];
  const client = {
    send: (pattern: string, data: unknown) => {
      requests.push({ pattern, data });
      return answer(pattern, data);
    },
  } as unknown as ClientProxy;
  return { client, requests };
}

const ackFor = (m: OutboxRecord) => ({ messageId: m.messageId, agencyRef: `REF-${m.messageId.slice(-3)}`, duplicate: false });

describe('AgencyTransport', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('sends the messages in one AGENCY_DELIVER_BATCH request, each with its own proof, and takes each outcome on its own', async () => {
    const messages = [message(1), message(2), message(3), message(4)];
    const { client, requests } = adapterLink(() =>
      of({
        results: [
          { ok: true, ack: ackFor(messages[0]) },
          { ok: false, error: { code: 'AGENCY_LINK_UNAUTHENTICATED', message: 'no proof', permanent: true } },
          { ok: false, error: { code: 'AGENCY_UNAVAILABLE', message: 'agency down', permanent: false } },
          // An acknowledgement naming another message proves nothing for this one.
          { ok: true, ack: ackFor(messages[0]) },
        ],
      }),
    );
    const results = await new AgencyTransport(client, 1000).sendBatch(messages);
    expect(requests).toHaveLength(1);
    expect(requests[0].pattern).toBe(AGENCY_DELIVER_BATCH);
    expect((requests[0].data as { items: AgencyDelivery[] }).items.map((d) => d.proof)).toEqual(['proof-1', 'proof-2', 'proof-3', 'proof-4']);
    expect(results[0]).toEqual({ ok: true, outcome: { proof: JSON.stringify(ackFor(messages[0])), result: ackFor(messages[0]) } });
    const failures = results.slice(1).map((r) => (r.ok ? null : { reason: r.failure.reason, permanent: r.failure.permanent }));
    expect(failures).toEqual([
      { reason: 'AGENCY_LINK_UNAUTHENTICATED', permanent: true },
      { reason: 'AGENCY_UNAVAILABLE', permanent: false },
      { reason: 'AGENCY_BAD_ACK', permanent: false },
    ]);
  });

  it('fails the batch as a whole when the answer does not hold one outcome per message', async () => {
    const { client } = adapterLink(() => of({ results: [{ ok: true, ack: ackFor(message(1)) }] }));
    const failed = await new AgencyTransport(client, 1000).sendBatch([message(1), message(2)]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DeliveryFailure);
    expect(failed).toMatchObject({ reason: 'AGENCY_BAD_ACK', permanent: false });
  });

  it('fails the batch as a whole, transiently, when the adapter cannot be reached', async () => {
    const { client } = adapterLink(() => throwError(() => ({ code: 'ECONNREFUSED' })));
    await expect(new AgencyTransport(client, 1000).sendBatch([message(1)])).rejects.toMatchObject({ reason: 'ADAPTER_UNREACHABLE', permanent: false });
  });

  it('falls back to one request per message for an adapter without the batch handler, and tries a batch again after AGENCY_BATCH_RETRY_MS', async () => {
    const clock = new ManualClock();
    let upgraded = false;
    const { client, requests } = adapterLink((pattern, data) => {
      if (pattern === AGENCY_DELIVER_BATCH) {
        return upgraded ? of({ results: (data as { items: AgencyDelivery[] }).items.map((d) => ({ ok: true, ack: ackFor({ messageId: d.messageId } as OutboxRecord) })) }) : throwError(() => NO_MESSAGE_HANDLER);
      }
      return of(ackFor({ messageId: (data as AgencyDelivery).messageId } as OutboxRecord));
    });
    const transport = new AgencyTransport(client, 1000, clock);
    expect((await transport.sendBatch([message(1), message(2)])).map((r) => r.ok)).toEqual([true, true]);
    await transport.sendBatch([message(3)]);
    expect(requests.map((r) => r.pattern)).toEqual([AGENCY_DELIVER_BATCH, AGENCY_DELIVER, AGENCY_DELIVER, AGENCY_DELIVER]);
    // The adapter was upgraded in place (a rolling upgrade): after a while batches come back.
    upgraded = true;
    clock.advance(AGENCY_BATCH_RETRY_MS);
    requests.length = 0;
    expect((await transport.sendBatch([message(4), message(5)])).map((r) => r.ok)).toEqual([true, true]);
    expect(requests.map((r) => r.pattern)).toEqual([AGENCY_DELIVER_BATCH]);
  });

  it('sends the messages one by one when the adapter refuses the batch as a whole for good (a smaller batch limit), failing none for it', async () => {
    const { client, requests } = adapterLink((pattern, data) =>
      pattern === AGENCY_DELIVER_BATCH
        ? throwError(() => ({ code: 'CONTRACT_INVALID', message: 'an agency delivery batch holds 1 to 20 items', permanent: true }))
        : of(ackFor({ messageId: (data as AgencyDelivery).messageId } as OutboxRecord)),
    );
    const messages = Array.from({ length: 50 }, (_, i) => message(i + 1, `CQ-20261123-${String(i).padStart(10, '0')}`));
    const results = await new AgencyTransport(client, 1000).sendBatch(messages);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(requests.filter((r) => r.pattern === AGENCY_DELIVER)).toHaveLength(50);
  });

  it('one by one, hands one case’s messages to the adapter in batch order while another case goes alongside', async () => {
    const CASE_A = 'CQ-20261123-7K3F9ZQ2M8';
    const CASE_B = 'CQ-20261123-8M4G0ZR3N9';
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    const { client } = adapterLink((pattern, data) => {
      if (pattern === AGENCY_DELIVER_BATCH) return throwError(() => NO_MESSAGE_HANDLER);
      const d = data as AgencyDelivery;
      seen.push(`${d.messageType} ${d.caseId}`);
      const ack = ackFor({ messageId: d.messageId } as OutboxRecord);
      // Case A's new case is slow at the adapter; its withdrawal must wait behind it.
      if (d.caseId !== CASE_A || d.messageType !== 'ssc.apply.request') return of(ack);
      return defer(async () => {
        await held;
        return ack;
      });
    });
    const sent = new AgencyTransport(client, 1000).sendBatch([message(1, CASE_A), message(2, CASE_A, 'case.withdrawal'), message(3, CASE_B)]);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([`ssc.apply.request ${CASE_A}`, `ssc.apply.request ${CASE_B}`]);
    release();
    expect((await sent).map((r) => r.ok)).toEqual([true, true, true]);
    expect(seen).toEqual([`ssc.apply.request ${CASE_A}`, `ssc.apply.request ${CASE_B}`, `case.withdrawal ${CASE_A}`]);
  });

  it('names the fields the adapter found at fault in the failure (names only), and its codes are registry codes', async () => {
    const { client } = adapterLink(() =>
      of({
        results: [
          { ok: false, error: { code: 'CONTRACT_INVALID', message: 'not an agency delivery: caseId missing or malformed', permanent: true, fields: ['caseId'] } },
          { ok: true, ack: ackFor(message(1)) },
        ],
      }),
    );
    const [refused, misacked] = await new AgencyTransport(client, 1000).sendBatch([message(1), message(2)]);
    expect(refused).toMatchObject({ ok: false, failure: { reason: 'CONTRACT_INVALID', permanent: true, detail: expect.stringContaining('(fields: caseId)') } });
    expect(misacked).toMatchObject({ ok: false, failure: { reason: 'AGENCY_BAD_ACK', permanent: false } });
    expect(ERROR_CODES).toHaveProperty('AGENCY_BAD_ACK', expect.objectContaining({ origin: 'agency' }));
  });
});
