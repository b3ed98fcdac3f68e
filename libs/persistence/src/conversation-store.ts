import type { EntityManager } from 'typeorm';
import type { ConversationRecord, ConversationSide } from './records.js';
import { ConversationSchema } from './schema.js';

/** Pension transfer conversations this node keeps, by case, number and side. */
export class ConversationStore {
  constructor(private readonly em: EntityManager) {}

  async insert(record: ConversationRecord): Promise<void> {
    await this.em.insert(ConversationSchema, record);
  }

  async get(caseId: string, conversation: number, side: ConversationSide): Promise<ConversationRecord | null> {
    return this.em.findOneBy(ConversationSchema, { caseId, conversation, side });
  }

  async update(caseId: string, conversation: number, side: ConversationSide, changes: Partial<ConversationRecord>): Promise<void> {
    await this.em.update(ConversationSchema, { caseId, conversation, side }, changes);
  }

  async listByCase(caseId: string): Promise<ConversationRecord[]> {
    return this.em.find(ConversationSchema, { where: { caseId }, order: { conversation: 'ASC', side: 'ASC' } });
  }

  /** Conversations not yet ended, oldest leg first (for the operators' overdue list). */
  async listOpen(endedStates: readonly string[], limit: number): Promise<ConversationRecord[]> {
    const rows = await this.em.find(ConversationSchema, { order: { legStartedAt: 'ASC' }, take: limit * 4 });
    return rows.filter((r) => !endedStates.includes(r.state)).slice(0, limit);
  }
}
