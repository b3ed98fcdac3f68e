import { Injectable } from '@nestjs/common';
import { Clock } from '#core';
import { GatewayDatabase, type OutboxFilter, type OutboxPosition, type OutboxRecord } from '#persistence';
import { OutboxSignal } from '../runtime/outbox-signal.js';
import { EnvelopeFactory } from '../cases/envelope-factory.js';
import { parseDestination } from '../cases/destinations.js';
import type { Principal } from '../auth/credentials.service.js';
import { encodeCursor } from './message-cursor.js';

export type MessageView = Omit<OutboxRecord, 'payload'> & { readonly payloadBytes: number };

export interface ReplayOutcome {
  readonly replayed: readonly string[];
  /** Ids that were not dead (already replayed, delivered, or unknown): nothing was done to them. */
  readonly skipped: readonly string[];
}

/** Dead letters: list them, and replay them under their original ids, with an audit record each. */
@Injectable()
export class DeadLetterService {
  constructor(
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
    private readonly outbox: OutboxSignal,
    private readonly envelopes: EnvelopeFactory,
  ) {}

  async list(filter: OutboxFilter): Promise<MessageView[]> {
    const rows = await this.db.read((s) => s.outbox.list(filter));
    // Payloads are signed envelopes with personal data: operators see their size, not content.
    return rows.map(({ payload, ...rest }) => ({ ...rest, payloadBytes: Buffer.byteLength(payload) }));
  }

  /**
   * One page of the messages matching `filter`, newest first, with the count of all that match
   * and the cursor of the next page (null when this is the last). Read together, so `total`
   * and the page come from one moment.
   */
  async page(filter: OutboxFilter, after: OutboxPosition | null, limit: number): Promise<{ items: MessageView[]; total: number; nextCursor: string | null }> {
    const { rows, total } = await this.db.read(async (s) => ({ rows: await s.outbox.page(filter, after, limit + 1), total: await s.outbox.count(filter) }));
    // One more row than asked for says whether another page follows.
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(({ payload, ...rest }) => ({ ...rest, payloadBytes: Buffer.byteLength(payload) })),
      total,
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, messageId: last.messageId }) : null,
    };
  }

  async replay(operator: Principal, messageIds: readonly string[], reason: string): Promise<ReplayOutcome> {
    const replayed: string[] = [];
    const skipped: string[] = [];
    for (const messageId of messageIds) {
      const current = await this.db.read((s) => s.outbox.get(messageId));
      // An envelope that expired while its receiver was away is signed again (same id, same content).
      const renewed = current?.state === 'dead' && parseDestination(current.destination)?.kind === 'peer' ? await this.envelopes.renewIfExpired(current.payload) : null;
      const done = await this.db.transaction(async (tx) => {
        const before = await tx.outbox.get(messageId);
        if (!before) return false;
        if (renewed) await tx.outbox.replacePayload(messageId, renewed);
        if (!(await tx.outbox.replay(messageId, this.clock.nowMs()))) return false;
        await tx.audit.append({
          action: 'replay',
          subject: messageId,
          operatorId: operator.credentialId,
          reason,
          detailJson: JSON.stringify({
            destination: before.destination,
            deadReason: before.deadReason,
            attempts: before.attempts,
            lastError: before.lastError,
            resigned: renewed !== null,
          }),
          at: this.clock.nowMs(),
        });
        return true;
      });
      (done ? replayed : skipped).push(messageId);
    }
    if (replayed.length > 0) this.outbox.notify();
    return { replayed, skipped };
  }

  async auditTrail(subject?: string) {
    return this.db.read((s) => s.audit.list(subject, 200));
  }
}
