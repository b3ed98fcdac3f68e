import { Injectable } from '@nestjs/common';
import { Clock } from '#core';
import type { GatewayStores, MessageLogPendingRecord, MessageLogRecord } from '#persistence';
import { chainHash, GENESIS_HASH, evidenceHash } from '#signing';

export interface LogEntry {
  readonly direction: 'sent' | 'received';
  readonly kind: 'envelope' | 'receipt';
  readonly messageId: string;
  readonly peer: string;
  /** The compact JWS exactly as sent or received. */
  readonly content: string;
}

/** An entry with its time and hash, ready to be chained. */
export type UnchainedEntry = Omit<MessageLogPendingRecord, 'id'>;

/**
 * Links entries, in order, to the chain after `head` (null: the log is empty): each entry's hash
 * covers the previous entry's hash and the entry's own fields.
 */
export function chainAfter(head: Pick<MessageLogRecord, 'seq' | 'hash'> | null, entries: readonly UnchainedEntry[]): MessageLogRecord[] {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return entries.map((e) => {
    seq += 1;
    const hash = chainHash(prevHash, { seq, at: e.at, direction: e.direction, messageId: e.messageId, sha256: e.sha256, kind: e.kind });
    const record: MessageLogRecord = { seq, at: e.at, direction: e.direction, kind: e.kind, messageId: e.messageId, peer: e.peer, sha256: e.sha256, content: e.content, prevHash, hash };
    prevHash = hash;
    return record;
  });
}

/**
 * Logs envelopes and receipts inside the caller's transaction, so a message is logged if and
 * only if its effects were committed. Each entry's hash covers the previous entry's hash:
 * changing or removing any row breaks the chain from there on, which `npm run verify-log`
 * reports offline.
 *
 * SQLite (one writer): the entries are chained at once. PostgreSQL: they are written to
 * `message_log_pending` and the chain writer (MessageLogChainer) links them within moments, so
 * no transaction holds the chain's head while it does its other work (see migration 0006).
 */
@Injectable()
export class MessageLogService {
  constructor(private readonly clock: Clock) {}

  async append(tx: GatewayStores, entries: readonly LogEntry[]): Promise<void> {
    const at = this.clock.nowMs();
    const unchained = entries.map((e) => ({ at, direction: e.direction, kind: e.kind, messageId: e.messageId, peer: e.peer, sha256: evidenceHash(e.content), content: e.content }));
    if (tx.kind === 'postgres') {
      tx.messageLog.stage(unchained);
      return;
    }
    await tx.messageLog.append(chainAfter(await tx.messageLog.head(), unchained));
  }
}
