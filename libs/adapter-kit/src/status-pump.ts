import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { AGENCY_STATUS, type AgencyStatusAck, type AgencyStatusReport } from '#contracts';
import type { AgencyClient } from './agency-client.js';
import { UnmappedAgencyValue } from './agency-errors.js';
import { CursorFile } from './cursor-file.js';
import { linkProof } from '#delivery';

/**
 * Follows the agency's event feed and reports each event to the gateway, one at a time and in
 * order. The cursor moves past an event only after the gateway acknowledged it, so a crash
 * repeats at most the last report (the gateway is idempotent on the event id): at-least-once,
 * effectively once.
 */
export class StatusPump {
  private readonly logger = new Logger('StatusPump');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  /** The last problem that stopped the pump (unmapped value, gateway down), for health checks. */
  lastProblem: string | null = null;

  constructor(
    private readonly client: AgencyClient,
    private readonly gateway: ClientProxy,
    private readonly cursor: CursorFile,
    private readonly options: { pollMs: number; batch: number; ackTimeoutMs: number; linkSecret: string },
  ) {}

  start(): void {
    if (this.options.pollMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.pumpOnce(), this.options.pollMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Reports every event available now. Returns how many were acknowledged. */
  async pumpOnce(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<number> {
    let acknowledged = 0;
    for (;;) {
      let events;
      try {
        events = (await this.client.fetchEvents(this.cursor.read(), this.options.batch)).events;
      } catch (error) {
        this.noteProblem(error);
        return acknowledged;
      }
      if (events.length === 0) {
        this.lastProblem = null;
        return acknowledged;
      }
      for (const event of events) {
        let report: AgencyStatusReport;
        try {
          const eventId = `${this.client.agency}:${event.position}`;
          report = { ...event.toReport(), eventId, agency: this.client.agency, proof: linkProof(this.options.linkSecret, eventId) };
        } catch (error) {
          // An unmapped status word stops the pump here: never an empty field, never a skip.
          this.noteProblem(error);
          return acknowledged;
        }
        try {
          await firstValueFrom(this.gateway.send<AgencyStatusAck>(AGENCY_STATUS, report).pipe(timeout(this.options.ackTimeoutMs)));
        } catch (error) {
          const permanent = (error as { permanent?: unknown } | null)?.permanent === true;
          if (!permanent) {
            this.noteProblem(error);
            return acknowledged;
          }
          // The gateway refuses this report for good (e.g. a case not routed here): log it and
          // move on, so one bad event does not block every case behind it.
          this.logger.error({ msg: 'gateway refused a status report', eventId: report.eventId, caseId: report.caseId, code: (error as { code?: string }).code });
        }
        this.cursor.write(event.position);
        acknowledged += 1;
      }
    }
  }

  private noteProblem(error: unknown): void {
    const code = error instanceof UnmappedAgencyValue ? error.code : ((error as { code?: string } | null)?.code ?? 'GATEWAY_UNREACHABLE');
    const message = error instanceof Error ? error.message : code;
    if (this.lastProblem !== message) this.logger.error({ msg: 'status pump stopped; will retry', code, detail: message });
    this.lastProblem = message;
  }
}
