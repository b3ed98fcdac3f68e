import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ManualClock } from '#core';
import { linkProof } from '#delivery';
import { INTL_SUITE } from '#signing';
import type { AgencyDelivery, ForwardedRequest } from '#contracts';
import type { AgencyClient, AgencyHandOver } from './agency-client.js';
import { AgencyCallError } from './agency-errors.js';
import { handleDeliveryBatch } from './delivery-batch-handler.js';
import type { DeliveryContext } from './delivery-handler.js';
import { HandOverJournal } from './hand-over-journal.js';
import { SealedDataOpener } from './sealed-data-opener.js';

const SECRET = 'batch-handler-spec-link-secret-0123456789';
const LINK = { secret: SECRET, suite: INTL_SUITE };
const CASE_A = 'CQ-20261123-7K3F9ZQ2M8';
const CASE_B = 'CQ-20261123-8M4G0ZR3N9';

function delivery(n: number, caseId: string, over: Partial<AgencyDelivery> = {}): AgencyDelivery {
  const messageId = `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  return {
    messageId,
    agency: 'SC.card',
    messageType: 'ssc.apply.request',
    contractVersion: 1,
    caseId,
    forwarded: { caseId } as ForwardedRequest,
    proof: linkProof(SECRET, messageId, INTL_SUITE),
    ...over,
  };
}

/** An agency client that records what reached the agency, in order; `hold` delays a case's submission. */
function recordingClient(options: { hold?: Promise<void>; failFor?: string } = {}) {
  const calls: string[] = [];
  const client: AgencyClient = {
    agency: 'SC.card',
    submit: async (forwarded, messageId): Promise<AgencyHandOver> => {
      calls.push(`submit ${forwarded.caseId}`);
      if (forwarded.caseId === CASE_A && options.hold) await options.hold;
      if (messageId === options.failFor) throw new AgencyCallError('AGENCY_UNAVAILABLE', 'the agency system did not answer');
      calls.push(`submitted ${forwarded.caseId}`);
      return { agencyRef: `REF-${forwarded.caseId}`, duplicate: false };
    },
    withdraw: async (withdrawal): Promise<AgencyHandOver> => {
      calls.push(`withdraw ${withdrawal.caseId}`);
      return { agencyRef: `REF-${withdrawal.caseId}`, duplicate: false };
    },
    supplement: async () => ({ agencyRef: 'REF', duplicate: false }),
    lookUp: async () => null,
    fetchEvents: async () => ({ events: [] }),
  };
  return { client, calls, clients: new Map([['SC.card', client]]) };
}

describe('handleDeliveryBatch', () => {
  let dir: string;
  let opener: SealedDataOpener;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dir = mkdtempSync(join(tmpdir(), 'delivery-batch-'));
    opener = await SealedDataOpener.open(dir, ['SC.card'], new ManualClock());
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What a batch needs, with a fresh hand-over journal of its own. */
  let journals = 0;
  const context = (clients: ReadonlyMap<string, AgencyClient>): DeliveryContext => ({
    clients,
    link: LINK,
    opener,
    journal: HandOverJournal.open(join(dir, `hand-overs-${(journals += 1)}.journal`)),
    lookUp: 'in-doubt',
  });

  it('answers each delivery on its own, in order: one without a valid link proof and one that is not a delivery are refused, the others reach the agency', async () => {
    const { clients, calls } = recordingClient();
    const unproved = { ...delivery(2, CASE_B), proof: linkProof('another-province-secret-0123456789abc', delivery(2, CASE_B).messageId, INTL_SUITE) };
    const answer = await handleDeliveryBatch({ items: [delivery(1, CASE_A), unproved, { nonsense: true }, delivery(4, CASE_B)] }, context(clients));
    expect(answer.results).toEqual([
      { ok: true, ack: { messageId: delivery(1, CASE_A).messageId, agencyRef: `REF-${CASE_A}`, duplicate: false } },
      { ok: false, error: expect.objectContaining({ code: 'AGENCY_LINK_UNAUTHENTICATED', permanent: true }) },
      { ok: false, error: expect.objectContaining({ code: 'CONTRACT_INVALID', permanent: true }) },
      { ok: true, ack: { messageId: delivery(4, CASE_B).messageId, agencyRef: `REF-${CASE_B}`, duplicate: false } },
    ]);
    expect(calls.filter((c) => c.startsWith('submit '))).toHaveLength(2);
  });

  it('names which of messageId, caseId, agency and messageType is at fault in a delivery that is not one (names only)', async () => {
    const { clients, calls } = recordingClient();
    const { caseId: _caseId, agency: _agency, ...withoutCaseOrAgency } = delivery(1, CASE_A);
    const badCase = delivery(2, 'CQ-510104199001011234');
    const noMessageId = { ...delivery(3, CASE_B), messageId: 42 };
    const answer = await handleDeliveryBatch({ items: [withoutCaseOrAgency, badCase, noMessageId] }, context(clients));
    expect(answer.results.map((r) => (r.ok ? null : r.error.fields))).toEqual([['caseId', 'agency'], ['caseId'], ['messageId']]);
    expect(answer.results.map((r) => (r.ok ? null : r.error.message))).toEqual([
      'not an agency delivery: caseId, agency missing or malformed',
      'not an agency delivery: caseId missing or malformed',
      'not an agency delivery: messageId missing or malformed',
    ]);
    expect(JSON.stringify(answer)).not.toContain('510104199001011234');
    expect(calls).toEqual([]);
  });

  it('answers an agency failure as that delivery’s own transient error, the others still delivered', async () => {
    const { clients } = recordingClient({ failFor: delivery(1, CASE_A).messageId });
    const answer = await handleDeliveryBatch({ items: [delivery(1, CASE_A), delivery(2, CASE_B)] }, context(clients));
    expect(answer.results[0]).toEqual({ ok: false, error: expect.objectContaining({ code: 'AGENCY_UNAVAILABLE', permanent: false }) });
    expect(answer.results[1]).toMatchObject({ ok: true });
  });

  it('hands one case’s deliveries to the agency in batch order while another case goes alongside', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const { clients, calls } = recordingClient({ hold });
    const withdrawal = delivery(2, CASE_A, {
      messageType: 'case.withdrawal',
      forwarded: undefined,
      withdrawal: { caseId: CASE_A, requestedAt: '2026-11-23T10:00:00.000+08:00', reason: 'changed my mind' },
    });
    const answered = handleDeliveryBatch({ items: [delivery(1, CASE_A), withdrawal, delivery(3, CASE_B)] }, context(clients));
    await new Promise((r) => setTimeout(r, 20));
    // Case B went ahead while case A's submission is held; A's withdrawal waits behind it.
    expect(calls).toEqual([`submit ${CASE_A}`, `submit ${CASE_B}`, `submitted ${CASE_B}`]);
    release();
    const answer = await answered;
    expect(calls.slice(3)).toEqual([`submitted ${CASE_A}`, `withdraw ${CASE_A}`]);
    expect(answer.results.map((r) => r.ok)).toEqual([true, true, true]);
  });

  it.each([
    ['an empty batch', { items: [] }],
    ['a batch of 51', { items: Array.from({ length: 51 }, (_, i) => delivery(i + 1, CASE_A)) }],
    ['a single delivery', delivery(1, CASE_A)],
    ['not an object', 'items'],
  ])('refuses %s as a whole with CONTRACT_INVALID, handing nothing to the agency', async (_name, payload) => {
    const { clients, calls } = recordingClient();
    const refused = await handleDeliveryBatch(payload, context(clients)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RpcException);
    expect((refused as RpcException).getError()).toMatchObject({ code: 'CONTRACT_INVALID', permanent: true });
    expect(calls).toEqual([]);
  });
});
