import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What operators need at 3 a.m. (issue 15, points 5 and 6):
 * - `adapter_heartbeats`: the latest beat of each adapter instance, so that every gateway replica
 *   shows the same adapter health. In production the status queue gives each beat to ONE
 *   replica (competing consumers), so a replica cannot keep beats in memory; a fanout exchange
 *   would need a second transport path beside Nest's queue client. One row per instance, a few
 *   writes per second at most.
 * - `replay_jobs`: a replay of every dead letter matching a filter, with its progress, readable
 *   from any replica.
 * - `ix_outbox_state_created`: the dead-letter list pages by (created_at, message_id) within a
 *   state, and the replay walks the same order.
 */
export class OperatorHealthAndReplays1764000000010 implements MigrationInterface {
  name = 'OperatorHealthAndReplays1764000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'adapter_heartbeats',
        columns: [
          { name: 'adapter_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'beat', type: 'bigint' },
          { name: 'sent_at', type: 'bigint' },
          { name: 'received_at', type: 'bigint' },
          { name: 'every_ms', type: 'integer' },
          { name: 'stopped_at', type: 'bigint', isNullable: true },
          { name: 'agencies_json', type: 'text' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'replay_jobs',
        columns: [
          { name: 'job_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'operator_id', type: 'varchar', length: '64' },
          { name: 'reason', type: 'varchar', length: '400' },
          { name: 'filter_json', type: 'text' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'total', type: 'integer' },
          { name: 'replayed', type: 'integer' },
          { name: 'skipped', type: 'integer' },
          { name: 'failed', type: 'integer' },
          { name: 'error_code', type: 'varchar', length: '64', isNullable: true },
          { name: 'after_created_at', type: 'bigint', isNullable: true },
          { name: 'after_message_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await q.createIndex('outbox', new TableIndex({ name: 'ix_outbox_state_created', columnNames: ['state', 'created_at', 'message_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('outbox', 'ix_outbox_state_created');
    await q.dropTable('replay_jobs');
    await q.dropTable('adapter_heartbeats');
  }
}
