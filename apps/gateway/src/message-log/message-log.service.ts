import { Injectable } from '@nestjs/common';
import { Clock } from '#core';
import type { GatewayStores } from '#persistence';
import { chainHash, GENESIS_HASH, sha256Base64url } from '#signing';

export interface LogEntry {
  readonly direction: 'sent' | 'received';
  readonly kind: 'envelope' | 'receipt';
  readonly messageId: string;
  readonly peer: string;
  /** The compact JWS exactly as sent or received. */
  readonly content: string;
}

/**
 * Appends to the tamper-evident message log inside the caller's transaction, so an envelope is
 * logged if and only if its effects were committed. Each entry's hash covers the previous
 * entry's hash: changing or removing any row breaks the chain from there on, which
 * `npm run verify-log` reports offline.
 */
@Injectable()
export class MessageLogService {
  constructor(private readonly clock: Clock) {}

  async append(tx: GatewayStores, entries: readonly LogEntry[]): Promise<void> {
    let head = await tx.messageLog.head();
    for (const entry of entries) {
      const seq = (head?.seq ?? 0) + 1;
      const at = this.clock.nowMs();
      const sha256 = sha256Base64url(entry.content);
      const prevHash = head?.hash ?? GENESIS_HASH;
      const hash = chainHash(prevHash, { seq, at, direction: entry.direction, messageId: entry.messageId, sha256, kind: entry.kind });
      const record = { seq, at, direction: entry.direction, kind: entry.kind, messageId: entry.messageId, peer: entry.peer, sha256, content: entry.content, prevHash, hash };
      await tx.messageLog.append(record);
      head = record;
    }
  }
}
