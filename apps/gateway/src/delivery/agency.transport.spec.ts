import type { ClientProxy } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import { of, throwError, type Observable } from 'rxjs';
import { AGENCY_DELIVER, AGENCY_DELIVER_BATCH, type AgencyDelivery } from '#contracts';
import { DeliveryFailure } from '#delivery';
import type { OutboxRecord } from '#persistence';
import { AgencyTransport } from './agency.transport.js';

function message(n: number): OutboxRecord {
  const messageId = `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const delivery = { messageId, agency: 'SC.card', messageType: 'ssc.apply.request', contractVersion: 1, caseId: 'CQ-20261123-7K3F9ZQ2M8', proof: `proof-${n}` };
  return {
    messageId,
    destination: 'agency:SC.card',
    messageType: 'ssc.apply.request',
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

  it('falls back to one request per message for an adapter without the batch handler, and stays there', async () => {
    const { client, requests } = adapterLink((pattern, data) =>
      pattern === AGENCY_DELIVER_BATCH ? throwError(() => NO_MESSAGE_HANDLER) : of(ackFor({ messageId: (data as AgencyDelivery).messageId } as OutboxRecord)),
    );
    const transport = new AgencyTransport(client, 1000);
    expect((await transport.sendBatch([message(1), message(2)])).map((r) => r.ok)).toEqual([true, true]);
    await transport.sendBatch([message(3)]);
    expect(requests.map((r) => r.pattern)).toEqual([AGENCY_DELIVER_BATCH, AGENCY_DELIVER, AGENCY_DELIVER, AGENCY_DELIVER]);
  });
});
