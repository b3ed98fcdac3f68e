import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The audit trail of operator actions (dead-letter replays first): who, what, why, when. */
export class ReplayAudit1764000000002 implements MigrationInterface {
  name = 'ReplayAudit1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'operator_audit',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'action', type: 'varchar', length: '32' },
          { name: 'subject', type: 'varchar', length: '64' },
          { name: 'operator_id', type: 'varchar', length: '64' },
          { name: 'reason', type: 'varchar', length: '400' },
          { name: 'detail_json', type: 'text', isNullable: true },
          { name: 'at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ix_operator_audit_subject', columnNames: ['subject'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('operator_audit');
  }
}
