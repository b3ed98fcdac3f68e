import { Logger } from '@nestjs/common';
import { ERROR_CODES, GatewayError } from '#core';
import { linkProof } from '#delivery';
import { INTL_SUITE } from '#signing';
import type { AgencyStatusAck, AgencyStatusReport } from '#contracts';
import type { GatewayConfig } from '../config/gateway.config.js';
import type { HandlingService } from '../cases/handling.service.js';
import { OutboxSignal } from '../runtime/outbox-signal.js';
import { AgencyStatusIntake } from './agency-status-intake.service.js';

const SECRET = 'status-intake-spec-link-secret-0123456789';

function report(n: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const eventId = `SC.card:${n}`;
  return { eventId, agency: 'SC.card', caseId: 'CQ-20261123-7K3F9ZQ2M8', stage: 'in-production', at: '2026-11-23T10:00:00.000+08:00', proof: linkProof(SECRET, eventId, INTL_SUITE), ...over };
}

/** The intake over a handling service that records what it was given and fails as told. */
function intake(fail: (report: AgencyStatusReport) => Error | null = () => null) {
  const recorded: string[] = [];
  let notified = 0;
  let transactions = 0;
  const handling = {
    recordAgencyStatus: async (r: AgencyStatusReport): Promise<AgencyStatusAck> => {
      transactions += 1;
      const error = fail(r);
      if (error) throw error;
      recorded.push(r.eventId);
      return { eventId: r.eventId, duplicate: false };
    },
    // All or nothing, as one transaction is.
    recordAgencyStatuses: async (reports: readonly AgencyStatusReport[]): Promise<AgencyStatusAck[]> => {
      transactions += 1;
      const error = reports.map(fail).find((e) => e !== null);
      if (error) throw error;
      recorded.push(...reports.map((r) => r.eventId));
      return reports.map((r) => ({ eventId: r.eventId, duplicate: false }));
    },
  } as unknown as HandlingService;
  const signal = new OutboxSignal();
  signal.subscribe(() => (notified += 1));
  const service = new AgencyStatusIntake({ agencyLinkSecret: SECRET, cryptoSuite: INTL_SUITE } as GatewayConfig, handling, signal);
  return { intake: service, recorded, notified: () => notified, transactions: () => transactions };
}

describe('AgencyStatusIntake, batches of status reports', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('records a batch of valid, proved reports in one transaction, in order', async () => {
    const { intake: statusIntake, recorded, notified, transactions } = intake();
    const answer = await statusIntake.reportBatch({ items: [report(1), report(2), report(3)] });
    expect(answer.results).toEqual([1, 2, 3].map((n) => ({ ok: true, ack: { eventId: `SC.card:${n}`, duplicate: false } })));
    expect(recorded).toEqual(['SC.card:1', 'SC.card:2', 'SC.card:3']);
    expect(transactions()).toBe(1);
    expect(notified()).toBe(1);
  });

  it('validates and checks the link proof of each report on its own: refused ones do not stop the others', async () => {
    const { intake: statusIntake, recorded, notified } = intake();
    const unproved = report(2, { proof: linkProof('another-province-secret-0123456789abc', 'SC.card:2', INTL_SUITE) });
    const invalid = report(3, { stage: 'teleported' });
    const answer = await statusIntake.reportBatch({ items: [report(1), unproved, invalid, report(4)] });
    expect(answer.results).toEqual([
      { ok: true, ack: { eventId: 'SC.card:1', duplicate: false } },
      { ok: false, error: expect.objectContaining({ code: 'AGENCY_LINK_UNAUTHENTICATED', permanent: true }) },
      { ok: false, error: expect.objectContaining({ code: 'CONTRACT_INVALID', permanent: true }) },
      { ok: true, ack: { eventId: 'SC.card:4', duplicate: false } },
    ]);
    expect(recorded).toEqual(['SC.card:1', 'SC.card:4']);
    // One wake-up of the relay for the whole batch.
    expect(notified()).toBe(1);
  });

  it('names the fields at fault in a refused report, never their values', async () => {
    const { intake: statusIntake } = intake();
    const answer = await statusIntake.reportBatch({ items: [report(1, { stage: 'teleported' })] });
    expect(answer.results[0]).toEqual({ ok: false, error: expect.objectContaining({ code: 'CONTRACT_INVALID', permanent: true, fields: ['stage'] }) });
    expect(JSON.stringify(answer)).not.toContain('teleported');
  });

  it('answers a case-level refusal for that report only (STATUS_NOT_ALLOWED, permanent)', async () => {
    const { intake: statusIntake, recorded } = intake((r) => (r.eventId === 'SC.card:1' ? new GatewayError('STATUS_NOT_ALLOWED') : null));
    const answer = await statusIntake.reportBatch({ items: [report(1), report(2)] });
    expect(answer.results[0]).toEqual({ ok: false, error: expect.objectContaining({ code: 'STATUS_NOT_ALLOWED', permanent: true }) });
    expect(recorded).toEqual(['SC.card:2']);
  });

  it('after a report that failed for a reason that may pass, records nothing more and answers the rest BATCH_ITEM_NOT_ATTEMPTED', async () => {
    const { intake: statusIntake, recorded } = intake((r) => (r.eventId === 'SC.card:2' ? new Error('database busy') : null));
    const answer = await statusIntake.reportBatch({ items: [report(1), report(2), report(3)] });
    expect(answer.results.map((r) => (r.ok ? 'ok' : `${r.error.code}/${r.error.permanent ? 'permanent' : 'transient'}`))).toEqual([
      'ok',
      'INTERNAL/transient',
      'BATCH_ITEM_NOT_ATTEMPTED/transient',
    ]);
    expect(recorded).toEqual(['SC.card:1']);
    // A registry code, like every code the gateway answers: its status says it is transient.
    expect(ERROR_CODES.BATCH_ITEM_NOT_ATTEMPTED.status).toBeGreaterThanOrEqual(500);
  });

  it.each([
    ['an empty batch', { items: [] }],
    ['a batch of 101', { items: Array.from({ length: 101 }, (_, i) => report(i + 1)) }],
    ['a single report', report(1)],
  ])('refuses %s as a whole with CONTRACT_INVALID', async (_name, payload) => {
    const { intake: statusIntake, recorded } = intake();
    await expect(statusIntake.reportBatch(payload)).rejects.toMatchObject({ code: 'CONTRACT_INVALID' });
    expect(recorded).toEqual([]);
  });
});
