import type { EntityManager } from 'typeorm';
import type { LogCheckpointRecord } from './records.js';
import { LogCheckpointSchema } from './schema.js';

/** Countersigned checkpoints of this node's log and of its peers' logs (migration 0007). */
export class LogCheckpointStore {
  constructor(private readonly em: EntityManager) {}

  async insert(record: LogCheckpointRecord): Promise<void> {
    await this.em.insert(LogCheckpointSchema, record);
  }

  /** The newest checkpoint kept of `node`'s log (the latest `at`), countersigned by `countersigner` if given, or null. */
  async latest(node: string, countersigner?: string): Promise<LogCheckpointRecord | null> {
    return this.em.findOne(LogCheckpointSchema, { where: countersigner === undefined ? { node } : { node, countersigner }, order: { at: 'DESC', id: 'DESC' } });
  }

  /** Checkpoints kept, newest first; of one node's log with `node`. */
  async list(node: string | undefined, limit: number): Promise<LogCheckpointRecord[]> {
    return this.em.find(LogCheckpointSchema, { where: node === undefined ? {} : { node }, order: { at: 'DESC', id: 'DESC' }, take: limit });
  }
}
