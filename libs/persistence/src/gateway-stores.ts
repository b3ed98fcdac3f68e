import type { EntityManager } from 'typeorm';
import type { DatabaseKind, SqlRunner } from './sql-runner.js';
import { ManagerSqlRunner } from './manager-sql-runner.js';
import { CaseStore } from './case-store.js';
import { CaseEventStore } from './case-event-store.js';
import { PendingStatusStore } from './pending-status-store.js';
import { OutboxStore } from './outbox-store.js';
import { InboxStore } from './inbox-store.js';
import { CredentialStore } from './credential-store.js';
import { AuditStore } from './audit-store.js';
import { MessageLogStore } from './message-log-store.js';
import { IdempotencyKeyStore } from './idempotency-key-store.js';
import { ConversationStore } from './conversation-store.js';
import { LogCheckpointStore } from './log-checkpoint-store.js';
import { AdapterHeartbeatStore } from './adapter-heartbeat-store.js';
import { ReplayJobStore } from './replay-job-store.js';

/** Every store, bound to one entity manager (a transaction, or the plain connection). */
export class GatewayStores {
  readonly cases: CaseStore;
  readonly events: CaseEventStore;
  readonly pendingStatus: PendingStatusStore;
  readonly outbox: OutboxStore;
  readonly inbox: InboxStore;
  readonly credentials: CredentialStore;
  readonly audit: AuditStore;
  readonly messageLog: MessageLogStore;
  readonly conversations: ConversationStore;
  readonly logCheckpoints: LogCheckpointStore;
  readonly idempotencyKeys: IdempotencyKeyStore;
  readonly heartbeats: AdapterHeartbeatStore;
  readonly replayJobs: ReplayJobStore;

  /** `sql` runs the hot path's raw statements; by default through `em` (GatewayDatabase passes SQLite's shared one). */
  constructor(
    em: EntityManager,
    readonly kind: DatabaseKind,
    sql: SqlRunner = new ManagerSqlRunner(em, kind),
  ) {
    this.cases = new CaseStore(em, sql, kind);
    this.events = new CaseEventStore(em, sql);
    this.pendingStatus = new PendingStatusStore(em, sql);
    this.outbox = new OutboxStore(em, kind, sql);
    this.inbox = new InboxStore(em, sql);
    this.credentials = new CredentialStore(em, sql);
    this.audit = new AuditStore(em);
    this.messageLog = new MessageLogStore(em, kind, sql);
    this.conversations = new ConversationStore(em);
    this.logCheckpoints = new LogCheckpointStore(em);
    this.idempotencyKeys = new IdempotencyKeyStore(sql);
    this.heartbeats = new AdapterHeartbeatStore(sql);
    this.replayJobs = new ReplayJobStore(sql);
  }

  /** Writes what the stores deferred to the end of the transaction (GatewayDatabase.transaction runs it before the commit). */
  async flush(): Promise<void> {
    await this.messageLog.flush();
  }
}
