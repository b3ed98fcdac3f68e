import { Injectable } from '@nestjs/common';
import { Clock } from '#core';
import type { GatewayStores, MessageLogPendingRecord, MessageLogRecord } from '#persistence';
import { chainHash, GENESIS_HASH, evidenceHash, INTL_SUITE, suiteNamed, type ChainHashAlg, type Federation } from '#signing';
import { FederationHolder } from '../trust/federation-holder.js';

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
 * The hash the log is chained with under `federation`: its suite's (SHA-256 under intl, SM3
 * under gm). During a move between suites it is the suite the document declares, not the
 * overlap's: each entry records the one it got, so both kinds verify side by side.
 *
 * @example logHashAlgOf({ ...federation, suite: 'gm' }) // 'sm3'
 */
export function logHashAlgOf(federation: Pick<Federation, 'suite'>): ChainHashAlg {
  return (suiteNamed(federation.suite ?? 'intl') ?? INTL_SUITE).hash;
}

/**
 * Links entries, in order, to the chain after `head` (null: the log is empty), each with `alg`
 * (the suite in force, recorded in the entry): each entry's hash covers the previous entry's
 * hash, whichever hash that one was chained with, and the entry's own fields.
 */
export function chainAfter(head: Pick<MessageLogRecord, 'seq' | 'hash'> | null, entries: readonly UnchainedEntry[], alg: ChainHashAlg): MessageLogRecord[] {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return entries.map((e) => {
    seq += 1;
    const hash = chainHash(prevHash, { seq, at: e.at, direction: e.direction, messageId: e.messageId, sha256: e.sha256, kind: e.kind }, alg);
    const record: MessageLogRecord = { seq, at: e.at, direction: e.direction, kind: e.kind, messageId: e.messageId, peer: e.peer, sha256: e.sha256, content: e.content, prevHash, hash, hashAlg: alg };
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
 *
 * The chain's hash is the suite's in force when an entry is chained (SM3 under gm), recorded in
 * the entry; each message's own hash (`sha256`) is in the suite of its signature.
 */
@Injectable()
export class MessageLogService {
  constructor(
    private readonly clock: Clock,
    private readonly federation: FederationHolder,
  ) {}

  async append(tx: GatewayStores, entries: readonly LogEntry[]): Promise<void> {
    const at = this.clock.nowMs();
    const unchained = entries.map((e) => ({ at, direction: e.direction, kind: e.kind, messageId: e.messageId, peer: e.peer, sha256: evidenceHash(e.content), content: e.content }));
    if (tx.kind === 'postgres') {
      tx.messageLog.stage(unchained);
      return;
    }
    await tx.messageLog.append(chainAfter(await tx.messageLog.head(), unchained, logHashAlgOf(this.federation.current)));
  }
}
