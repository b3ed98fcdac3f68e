import { Inject, Injectable } from '@nestjs/common';
import { Clock, GatewayError } from '#core';
import { GatewayDatabase } from '#persistence';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

/**
 * Back-pressure: intake refuses new work (503 with Retry-After) while the outbox backlog is past
 * its bound, instead of letting it grow without limit. The count is refreshed at most every
 * `refreshMs` so that intake does not run a COUNT per request.
 */
@Injectable()
export class BacklogGauge {
  private value = 0;
  private readAt = Number.NEGATIVE_INFINITY;
  private readonly refreshMs = 500;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
  ) {}

  async current(): Promise<number> {
    const now = this.clock.nowMs();
    if (now - this.readAt >= this.refreshMs || now < this.readAt) {
      this.value = await this.db.read((s) => s.outbox.backlog());
      this.readAt = now;
    }
    return this.value;
  }

  async assertRoom(): Promise<void> {
    if ((await this.current()) >= this.config.maxOutboxBacklog) {
      throw new GatewayError('OVERLOADED', { detail: 'the outbox backlog is past its bound; retry later' });
    }
  }
}
