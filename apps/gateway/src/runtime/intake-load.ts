import { Inject, Injectable } from '@nestjs/common';
import { GatewayError } from '#core';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

/** How many pieces of background work may wait for their lane while the windows keep the node busy. */
export const MAX_WAITING_BACKGROUND = 16;

/**
 * How many applications this node is accepting right now. Windows come first: a clerk and an
 * applicant wait for the acceptance receipt, while forwarding and status updates may lag by
 * seconds without harm (the time limits are working days, and the outboxes keep everything). So
 * while the windows keep the node busy (`busy`: at least INTAKE_BUSY_REQUESTS applications at
 * once), the node's other work takes one lane:
 * - the relay sends one claimed batch at a time instead of RELAY_BATCHES_IN_FLIGHT (RelayService
 *   asks `busy` before each claim; on SQLite that is one already);
 * - the peer's envelope batches (POST /peer/v1/envelope-batches) are taken one at a time
 *   (`background`), so a peer that sends many at once waits for its answers and slows down by
 *   itself. A single envelope, an agency report and an operator request do not wait.
 * Both catch up once the rush is over; the outbox's back-pressure (MAX_OUTBOX_BACKLOG) still
 * bounds how far the node may fall behind. At most MAX_WAITING_BACKGROUND peer batches wait for
 * their lane behind the one running (each holds its body in memory); one more is answered
 * OVERLOADED (503, Retry-After), which the peer's relay retries later like any transient failure.
 * Only acceptances of new applications count (`during`, from IntakeService), not follow-ups.
 */
@Injectable()
export class IntakeLoad {
  private inProgress = 0;
  private backgroundRunning = 0;
  private readonly backgroundWaiting: (() => void)[] = [];

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /** Runs one acceptance, counted while it runs. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.inProgress += 1;
    try {
      return await work();
    } finally {
      this.inProgress -= 1;
    }
  }

  /** Runs other work (a peer's batch): at once, or after the one before it while `busy`. */
  async background<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy && this.backgroundRunning > 0 && this.backgroundWaiting.length >= MAX_WAITING_BACKGROUND) {
      throw new GatewayError('OVERLOADED', { detail: 'the node is busy with its windows; send this batch again later' });
    }
    while (this.busy && this.backgroundRunning > 0) await new Promise<void>((resolve) => this.backgroundWaiting.push(resolve));
    this.backgroundRunning += 1;
    try {
      return await work();
    } finally {
      this.backgroundRunning -= 1;
      // Busy: the next one in line; not busy any more: all of them.
      for (const next of this.backgroundWaiting.splice(0, this.busy ? 1 : this.backgroundWaiting.length)) next();
    }
  }

  get busy(): boolean {
    return this.inProgress >= this.config.intakeBusyRequests;
  }
}
