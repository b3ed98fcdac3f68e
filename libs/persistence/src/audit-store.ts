import type { EntityManager } from 'typeorm';
import type { AuditRecord } from './records.js';
import { AuditSchema } from './schema.js';

export class AuditStore {
  constructor(private readonly em: EntityManager) {}

  async append(record: AuditRecord): Promise<void> {
    await this.em.insert(AuditSchema, record);
  }

  async list(subject?: string, limit = 100): Promise<AuditRecord[]> {
    return this.em.find(AuditSchema, { where: subject ? { subject } : {}, order: { id: 'DESC' }, take: limit });
  }
}
