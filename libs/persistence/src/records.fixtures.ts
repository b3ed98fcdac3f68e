import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayDatabase, type OpenOptions } from './gateway-database.js';
import type { CaseRecord, NewOutboxMessage } from './records.js';

/**
 * Records and databases for specs and integration tests (excluded from the build, like the
 * specs). One place, so that a column added to a record is added to the tests' rows once.
 */

/** The message id of test message `n` (a UUIDv7-shaped id that sorts by `n`). */
export function testMessageId(n: number): string {
  return `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
}

/** An outbox message as `OutboxStore.enqueue` takes it: due at once, for peer:CQ. */
export function outboxMessage(n: number, over: Partial<NewOutboxMessage> = {}): NewOutboxMessage {
  return {
    messageId: testMessageId(n),
    destination: 'peer:CQ',
    messageType: 'ssc.apply.request',
    contractVersion: 1,
    caseId: 'SC-20261122-0000000001',
    payload: 'x',
    nextAttemptAt: 0,
    createdAt: 1,
    ...over,
  };
}

/** An accepting-side card case at Chongqing, routed to Sichuan, just submitted. */
export function caseRecord(caseId: string, over: Partial<CaseRecord> = {}): CaseRecord {
  return {
    caseId,
    service: 'ssc.apply',
    role: 'accepting',
    acceptingNode: 'CQ',
    handlingNode: 'SC',
    agency: 'SC.card',
    windowId: 'cq-yuzhong',
    stage: 'submitted',
    status: 'in-progress',
    requestJson: '{}',
    applicantHash: 'h',
    region: '510104',
    regionHistoric: false,
    agencyRef: null,
    acceptedAt: 0,
    updatedAt: 0,
    lastAppliedSeq: 0,
    lastIssuedSeq: 0,
    clockPausedSince: null,
    clockPausedDays: 0,
    ...over,
  };
}

/** A migrated SQLite database in a fresh temporary folder; `dispose` closes it and removes the folder. */
export async function temporarySqlite(prefix: string, options: Omit<OpenOptions, 'migrate'> = {}): Promise<{ readonly db: GatewayDatabase; readonly file: string; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'gw.db');
  const db = await GatewayDatabase.open({ kind: 'sqlite', file }, { migrate: true, ...options });
  return {
    db,
    file,
    async dispose() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
