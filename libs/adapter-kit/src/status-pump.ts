import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import { firstValueFrom, timeout } from 'rxjs';
import { SystemClock, type Clock } from '#core';
import {
  AGENCY_BATCH_LIMITS,
  AGENCY_BATCH_RETRY_MS,
  AGENCY_STATUS,
  AGENCY_STATUS_BATCH,
  type AgencyBatchOutcome,
  type AgencyLinkError,
  type AgencyStatusAck,
  type AgencyStatusBatch,
  type AgencyStatusBatchAck,
  type AgencyStatusReport,
} from '#contracts';
import type { AgencyClient } from './agency-client.js';
import { GatewayAnswerInvalid } from './agency-errors.js';
import { CursorFile } from './cursor-file.js';
import { linkProof, type AgencyLinkKey } from '#delivery';

/** A report with the feed position it came from. */
interface Pending {
  readonly position: number;
  readonly report: AgencyStatusReport;
}

/**
 * Follows the agency's event feed and reports its events to the gateway in feed order, as many as
 * one fetch returns in one AGENCY_STATUS_BATCH request (each report with its own link proof).
 * The gateway answers each report on its own; the cursor then moves, in one write, past every
 * report it acknowledged or refused for good, and stops before the first one that failed for a
 * reason that may pass. A crash repeats at most the last batch, and the gateway is idempotent on
 * the event id: at-least-once, effectively once.
 */
export class StatusPump {
  private readonly logger = new Logger('StatusPump');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  /**
   * Until when reports go one by one because the gateway had no batch handler (an older
   * version); after AGENCY_BATCH_RETRY_MS a batch is tried again, so a gateway upgraded in place
   * gets batches back.
   */
  private oneByOneUntil = 0;
  private readonly clock: Clock;
  /** The last problem that stopped the pump (unmapped value, gateway down), for health checks. */
  lastProblem: string | null = null;

  constructor(
    private readonly client: AgencyClient,
    private readonly gateway: ClientProxy,
    private readonly cursor: CursorFile,
    private readonly options: { pollMs: number; batch: number; ackTimeoutMs: number; link: AgencyLinkKey; clock?: Clock },
  ) {
    this.clock = options.clock ?? new SystemClock();
  }

  start(): void {
    if (this.options.pollMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.pumpOnce(), this.options.pollMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * Reports every event available now. Returns how many were acknowledged. Never rejects: it runs
   * from a timer, where a rejection would end the adapter; whatever stopped the round is logged
   * (its code, no content) and the next round starts again from the cursor.
   */
  async pumpOnce(): Promise<number> {
    if (this.running) return this.running;
    const settled = { count: 0 };
    this.running = this.drain(settled)
      .catch((error: unknown) => {
        this.noteProblem(error, { withDetail: false });
        return settled.count;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async drain(settledSoFar: { count: number }): Promise<number> {
    let acknowledged = 0;
    const limit = Math.min(this.options.batch, AGENCY_BATCH_LIMITS.statuses);
    for (;;) {
      // 1. The next events after the cursor.
      let events;
      try {
        events = (await this.client.fetchEvents(this.cursor.read(), limit)).events;
      } catch (error) {
        this.noteProblem(error);
        return acknowledged;
      }
      if (events.length === 0) {
        this.lastProblem = null;
        return acknowledged;
      }
      // 2. Mapped to canonical reports; an unmapped status word stops the pump at that event
      //    (never an empty field, never a skip), after the ones before it are reported.
      const pending: Pending[] = [];
      let unmapped: unknown = null;
      for (const event of events) {
        try {
          const eventId = `${this.client.agency}:${event.position}`;
          pending.push({ position: event.position, report: { ...event.toReport(), eventId, agency: this.client.agency, proof: linkProof(this.options.link.secret, eventId, this.options.link.suite) } });
        } catch (error) {
          unmapped = error;
          break;
        }
      }
      // 3. Reported; the cursor moves once, past every report settled for good.
      if (pending.length > 0) {
        let results: readonly AgencyBatchOutcome<AgencyStatusAck>[];
        try {
          results = await this.report(pending.map((p) => p.report));
        } catch (error) {
          this.noteProblem(error);
          return acknowledged;
        }
        let settled = 0;
        let blocked: AgencyLinkError | null = null;
        for (const [i, result] of results.entries()) {
          if (!result.ok && !result.error.permanent) {
            blocked = result.error;
            break;
          }
          if (!result.ok) {
            // The gateway refuses this report for good (e.g. a case not routed here): log it and
            // move on, so one bad event does not block every case behind it.
            this.logger.error({
              msg: 'gateway refused a status report',
              eventId: pending[i].report.eventId,
              caseNumber: pending[i].report.caseId,
              code: result.error.code,
              ...(result.error.fields ? { fields: result.error.fields } : {}),
            });
          }
          settled += 1;
        }
        if (settled > 0) {
          // A cursor that cannot be written moves nothing: the batch is reported again next round.
          this.cursor.write(pending[settled - 1].position);
        }
        acknowledged += settled;
        settledSoFar.count = acknowledged;
        if (blocked) {
          this.noteProblem(blocked);
          return acknowledged;
        }
      }
      if (unmapped !== null) {
        this.noteProblem(unmapped);
        return acknowledged;
      }
    }
  }

  /**
   * One batch request; its answer must hold one well-formed outcome per report (an
   * acknowledgement of that very report, or an error with its code and `permanent`). Throws when
   * the request as a whole failed or the answer is malformed (GATEWAY_BAD_ACK): nothing is
   * settled then, and the batch is reported again next round.
   */
  private async report(reports: readonly AgencyStatusReport[]): Promise<readonly AgencyBatchOutcome<AgencyStatusAck>[]> {
    if (this.clock.nowMs() < this.oneByOneUntil) return this.reportOneByOne(reports);
    const batch: AgencyStatusBatch = { items: reports };
    let answer: AgencyStatusBatchAck;
    try {
      answer = await firstValueFrom(this.gateway.send<AgencyStatusBatchAck>(AGENCY_STATUS_BATCH, batch).pipe(timeout(this.options.ackTimeoutMs)));
    } catch (error) {
      if (error !== NO_MESSAGE_HANDLER) throw error;
      // A gateway of an older version: it takes reports one at a time (for a while).
      this.oneByOneUntil = this.clock.nowMs() + AGENCY_BATCH_RETRY_MS;
      return this.reportOneByOne(reports);
    }
    const results = (answer as Partial<AgencyStatusBatchAck> | undefined)?.results;
    if (!Array.isArray(results) || results.length !== reports.length) throw new GatewayAnswerInvalid();
    return reports.map((report, i) => {
      const outcome = checkedOutcome(results[i], report.eventId);
      if (!outcome) throw new GatewayAnswerInvalid();
      return outcome;
    });
  }

  /** The same answer shape, one AGENCY_STATUS request at a time, stopping at the first failure that may pass. */
  private async reportOneByOne(reports: readonly AgencyStatusReport[]): Promise<readonly AgencyBatchOutcome<AgencyStatusAck>[]> {
    const results: AgencyBatchOutcome<AgencyStatusAck>[] = [];
    for (const report of reports) {
      try {
        const ack = await firstValueFrom(this.gateway.send<AgencyStatusAck>(AGENCY_STATUS, report).pipe(timeout(this.options.ackTimeoutMs)));
        const outcome = checkedOutcome({ ok: true, ack }, report.eventId);
        if (!outcome) throw new GatewayAnswerInvalid();
        results.push(outcome);
      } catch (error) {
        const permanent = (error as { permanent?: unknown } | null)?.permanent === true;
        if (!permanent && results.length === 0) throw error;
        const code = (error as { code?: unknown } | null)?.code;
        const fields = fieldsOf((error as { fields?: unknown } | null)?.fields);
        results.push({
          ok: false,
          error: { code: typeof code === 'string' ? code : 'GATEWAY_UNREACHABLE', message: 'report failed', permanent, ...(fields ? { fields } : {}) },
        });
        if (!permanent) break;
      }
    }
    return results;
  }

  /**
   * Logs what stopped the pump, once per distinct problem. Without `withDetail` (an error nobody
   * expected, which may quote anything) only its code and kind are logged, never its message.
   */
  private noteProblem(error: unknown, options: { withDetail: boolean } = { withDetail: true }): void {
    const rawCode = (error as { code?: unknown } | null)?.code;
    const code = typeof rawCode === 'string' ? rawCode : options.withDetail ? 'GATEWAY_UNREACHABLE' : 'INTERNAL';
    const message = !options.withDetail
      ? `${code} (${error instanceof Error ? error.name : typeof error})`
      : error instanceof Error
        ? error.message
        : ((error as { message?: string } | null)?.message ?? code);
    if (this.lastProblem !== message) this.logger.error({ msg: 'status pump stopped; will retry', code, detail: message });
    this.lastProblem = message;
  }
}

/**
 * One entry of the gateway's answer as an outcome, or null when it is not one: an
 * acknowledgement must name the report it answers (`eventId`) and say `duplicate`; an error must
 * carry its `code` and `permanent`.
 */
function checkedOutcome(entry: unknown, eventId: string): AgencyBatchOutcome<AgencyStatusAck> | null {
  if (entry === null || typeof entry !== 'object') return null;
  const { ok, ack, error } = entry as { ok?: unknown; ack?: unknown; error?: unknown };
  if (ok === true) {
    const a = ack as Partial<AgencyStatusAck> | null | undefined;
    if (!a || typeof a !== 'object' || a.eventId !== eventId || typeof a.duplicate !== 'boolean') return null;
    return { ok: true, ack: { eventId: a.eventId, duplicate: a.duplicate } };
  }
  if (ok === false) {
    const e = error as Partial<AgencyLinkError> | null | undefined;
    if (!e || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.permanent !== 'boolean') return null;
    const fields = fieldsOf(e.fields);
    return {
      ok: false,
      error: { code: e.code, message: typeof e.message === 'string' ? e.message : e.code, permanent: e.permanent, ...(fields ? { fields } : {}) },
    };
  }
  return null;
}

/** The field names an error named, or undefined. */
function fieldsOf(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const names = value.filter((f): f is string => typeof f === 'string');
  return names.length > 0 ? names : undefined;
}
