import type { EntityManager } from 'typeorm';
import type {
  AuditRecord,
  MessageLogRecord,
  CaseEventRecord,
  CaseRecord,
  CredentialRecord,
  InboxRecord,
  OutboxRecord,
  OutboxState,
  PendingStatusRecord,
} from './records.js';
import {
  AuditSchema,
  MessageLogSchema,
  CaseEventSchema,
  CaseSchema,
  CredentialSchema,
  InboxSchema,
  OutboxSchema,
  PendingStatusSchema,
} from './schema.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export class CaseStore {
  constructor(private readonly em: EntityManager) {}

  async insert(record: CaseRecord): Promise<void> {
    await this.em.insert(CaseSchema, record);
  }

  async get(caseId: string): Promise<CaseRecord | null> {
    return this.em.findOneBy(CaseSchema, { caseId });
  }

  async update(caseId: string, changes: Partial<Omit<CaseRecord, 'caseId'>>): Promise<void> {
    await this.em.update(CaseSchema, { caseId }, changes);
  }

  async listByWindow(windowId: string, limit: number): Promise<CaseRecord[]> {
    return this.em.find(CaseSchema, { where: { windowId }, order: { acceptedAt: 'DESC' }, take: limit });
  }

  async listByApplicant(applicantHash: string, limit: number): Promise<CaseRecord[]> {
    return this.em.find(CaseSchema, { where: { applicantHash }, order: { acceptedAt: 'DESC' }, take: limit });
  }

  async listRecent(limit: number, status?: string): Promise<CaseRecord[]> {
    return this.em.find(CaseSchema, {
      where: status === undefined ? {} : { status },
      order: { acceptedAt: 'DESC' },
      take: limit,
    });
  }
}

export class CaseEventStore {
  constructor(private readonly em: EntityManager) {}

  /** Records an event once per (case, source). Returns false when it was already recorded. */
  async insertOnce(event: CaseEventRecord): Promise<boolean> {
    const existing = await this.em.findOneBy(CaseEventSchema, { caseId: event.caseId, sourceId: event.sourceId });
    if (existing) return false;
    await this.em.insert(CaseEventSchema, event);
    return true;
  }

  async findBySource(caseId: string, sourceId: string): Promise<CaseEventRecord | null> {
    return this.em.findOneBy(CaseEventSchema, { caseId, sourceId });
  }

  async listByCase(caseId: string): Promise<CaseEventRecord[]> {
    return this.em.find(CaseEventSchema, { where: { caseId }, order: { id: 'ASC' } });
  }
}

export class PendingStatusStore {
  constructor(private readonly em: EntityManager) {}

  async put(record: PendingStatusRecord): Promise<void> {
    const existing = await this.em.findOneBy(PendingStatusSchema, { caseId: record.caseId, seq: record.seq });
    if (!existing) await this.em.insert(PendingStatusSchema, record);
  }

  /** Removes and returns the buffered update with this sequence number, if any. */
  async take(caseId: string, seq: number): Promise<PendingStatusRecord | null> {
    const found = await this.em.findOneBy(PendingStatusSchema, { caseId, seq });
    if (found) await this.em.delete(PendingStatusSchema, { caseId, seq });
    return found;
  }

  async countByCase(caseId: string): Promise<number> {
    return this.em.countBy(PendingStatusSchema, { caseId });
  }
}

export interface OutboxFilter {
  readonly state?: OutboxState;
  readonly destination?: string;
  readonly caseId?: string;
  readonly messageType?: string;
  readonly deadReason?: string;
  /** Only messages created before this instant (ms): "older than". */
  readonly createdBefore?: number;
  readonly limit?: number;
}

export class OutboxStore {
  constructor(
    private readonly em: EntityManager,
    private readonly kind: DatabaseKind,
  ) {}

  async enqueue(record: Omit<OutboxRecord, 'state' | 'attempts' | 'leaseUntil' | 'lastError' | 'deadReason' | 'deliveredAt' | 'receipt'>): Promise<void> {
    await this.em.insert(OutboxSchema, {
      ...record,
      state: 'pending',
      attempts: 0,
      leaseUntil: null,
      lastError: null,
      deadReason: null,
      deliveredAt: null,
      receipt: null,
    });
  }

  async get(messageId: string): Promise<OutboxRecord | null> {
    return this.em.findOneBy(OutboxSchema, { messageId });
  }

  /**
   * Claims up to `limit` messages that are due (pending or retrying and due, or in flight with an
   * expired lease: a relay that died), marking them in flight until `leaseUntil`. On PostgreSQL
   * the claim uses FOR UPDATE SKIP LOCKED so concurrent replicas never claim the same row.
   */
  async claimDue(nowMs: number, leaseUntil: number, limit: number, excludeDestinations: readonly string[] = []): Promise<OutboxRecord[]> {
    const qb = this.em
      .createQueryBuilder()
      .select('o.message_id', 'id')
      .from('outbox', 'o')
      .where(
        "((o.state IN ('pending', 'retrying') AND o.next_attempt_at <= :now) OR (o.state = 'in-flight' AND o.lease_until < :now))",
        { now: nowMs },
      )
      .orderBy('o.next_attempt_at', 'ASC')
      .limit(limit);
    if (excludeDestinations.length > 0) qb.andWhere('o.destination NOT IN (:...excluded)', { excluded: excludeDestinations });
    if (this.kind === 'postgres') qb.setLock('pessimistic_write').setOnLocked('skip_locked');
    const rows: { id: string }[] = await qb.getRawMany();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    await this.em
      .createQueryBuilder()
      .update(OutboxSchema)
      .set({ state: 'in-flight', leaseUntil })
      .whereInIds(ids)
      .execute();
    return this.em.getRepository(OutboxSchema).createQueryBuilder('o').whereInIds(ids).orderBy('o.nextAttemptAt', 'ASC').getMany();
  }

  async markDelivered(messageId: string, nowMs: number, receipt: string | null): Promise<void> {
    await this.em.update(
      OutboxSchema,
      { messageId },
      { state: 'delivered', deliveredAt: nowMs, leaseUntil: null, receipt, lastError: null },
    );
  }

  async markRetry(messageId: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.em.update(
      OutboxSchema,
      { messageId },
      { state: 'retrying', attempts, nextAttemptAt, leaseUntil: null, lastError: error.slice(0, 400) },
    );
  }

  async markDead(messageId: string, attempts: number, reason: string, error: string): Promise<void> {
    await this.em.update(
      OutboxSchema,
      { messageId },
      { state: 'dead', attempts, leaseUntil: null, deadReason: reason.slice(0, 64), lastError: error.slice(0, 400) },
    );
  }

  /** Gives back a claim without counting an attempt (graceful shutdown). */
  async release(messageId: string, nowMs: number): Promise<void> {
    await this.em.update(
      OutboxSchema,
      { messageId, state: 'in-flight' },
      { state: 'retrying', leaseUntil: null, nextAttemptAt: nowMs },
    );
  }

  async list(filter: OutboxFilter): Promise<OutboxRecord[]> {
    const qb = this.em.getRepository(OutboxSchema).createQueryBuilder('o');
    if (filter.state) qb.andWhere('o.state = :state', { state: filter.state });
    if (filter.destination) qb.andWhere('o.destination = :destination', { destination: filter.destination });
    if (filter.caseId) qb.andWhere('o.case_id = :caseId', { caseId: filter.caseId });
    if (filter.messageType) qb.andWhere('o.message_type = :messageType', { messageType: filter.messageType });
    if (filter.deadReason) qb.andWhere('o.dead_reason = :deadReason', { deadReason: filter.deadReason });
    if (filter.createdBefore !== undefined) qb.andWhere('o.created_at < :before', { before: filter.createdBefore });
    return qb.orderBy('o.createdAt', 'DESC').take(filter.limit ?? 100).getMany();
  }

  /**
   * Puts a dead message back in the queue under its original id (receivers stay idempotent).
   * Returns false when the message is not dead (already replayed, or never failed).
   */
  async replay(messageId: string, nowMs: number): Promise<boolean> {
    const result = await this.em.update(
      OutboxSchema,
      { messageId, state: 'dead' },
      { state: 'pending', nextAttemptAt: nowMs, attempts: 0, deadReason: null, leaseUntil: null },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Replaces a dead message's payload (an expired envelope signed again) before it is replayed. */
  async replacePayload(messageId: string, payload: string): Promise<void> {
    await this.em.update(OutboxSchema, { messageId, state: 'dead' }, { payload });
  }

  /** Messages not yet delivered (the backlog), for back-pressure and metrics. */
  async backlog(): Promise<number> {
    return this.em
      .createQueryBuilder()
      .from('outbox', 'o')
      .where("o.state IN ('pending', 'in-flight', 'retrying')")
      .getCount();
  }

  async countsByState(): Promise<Record<string, number>> {
    const rows: { state: string; n: string | number }[] = await this.em
      .createQueryBuilder()
      .select('o.state', 'state')
      .addSelect('COUNT(*)', 'n')
      .from('outbox', 'o')
      .groupBy('o.state')
      .getRawMany();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}

export class InboxStore {
  constructor(private readonly em: EntityManager) {}

  async get(messageId: string): Promise<InboxRecord | null> {
    return this.em.findOneBy(InboxSchema, { messageId });
  }

  async insert(record: InboxRecord): Promise<void> {
    await this.em.insert(InboxSchema, record);
  }
}

export class CredentialStore {
  constructor(private readonly em: EntityManager) {}

  async get(credentialId: string): Promise<CredentialRecord | null> {
    return this.em.findOneBy(CredentialSchema, { credentialId });
  }

  async insert(record: CredentialRecord): Promise<void> {
    await this.em.insert(CredentialSchema, record);
  }

  async replaceSecret(credentialId: string, secretHash: string): Promise<void> {
    await this.em.update(CredentialSchema, { credentialId }, { secretHash });
  }

  async countByRole(role: CredentialRecord['role']): Promise<number> {
    return this.em.countBy(CredentialSchema, { role });
  }
}

export class AuditStore {
  constructor(private readonly em: EntityManager) {}

  async append(record: AuditRecord): Promise<void> {
    await this.em.insert(AuditSchema, record);
  }

  async list(subject?: string, limit = 100): Promise<AuditRecord[]> {
    return this.em.find(AuditSchema, { where: subject ? { subject } : {}, order: { id: 'DESC' }, take: limit });
  }
}

export class MessageLogStore {
  constructor(
    private readonly em: EntityManager,
    private readonly kind: DatabaseKind,
  ) {}

  /**
   * The last entry, read so the next one can chain to it. On PostgreSQL the table is locked for
   * the rest of the transaction so two replicas cannot append with the same seq; on SQLite the
   * database's single writer already serialises appends.
   */
  async head(): Promise<MessageLogRecord | null> {
    if (this.kind === 'postgres') await this.em.query('LOCK TABLE message_log IN EXCLUSIVE MODE');
    return this.em.getRepository(MessageLogSchema).createQueryBuilder('l').orderBy('l.seq', 'DESC').limit(1).getOne();
  }

  async append(record: MessageLogRecord): Promise<void> {
    await this.em.insert(MessageLogSchema, record);
  }

  /** Entries in order, a page at a time (the offline verifier walks them all). */
  async page(afterSeq: number, limit: number): Promise<MessageLogRecord[]> {
    return this.em.getRepository(MessageLogSchema).createQueryBuilder('l').where('l.seq > :afterSeq', { afterSeq }).orderBy('l.seq', 'ASC').limit(limit).getMany();
  }

  async byMessage(messageId: string): Promise<MessageLogRecord[]> {
    return this.em.find(MessageLogSchema, { where: { messageId }, order: { seq: 'ASC' } });
  }
}

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

  constructor(em: EntityManager, kind: DatabaseKind) {
    this.cases = new CaseStore(em);
    this.events = new CaseEventStore(em);
    this.pendingStatus = new PendingStatusStore(em);
    this.outbox = new OutboxStore(em, kind);
    this.inbox = new InboxStore(em);
    this.credentials = new CredentialStore(em);
    this.audit = new AuditStore(em);
    this.messageLog = new MessageLogStore(em, kind);
  }
}
