import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Pension transfer conversations: one per transfer-out place, kept by each side that takes part. */
export class PensionConversations1764000000005 implements MigrationInterface {
  name = 'PensionConversations1764000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'conversations',
        columns: [
          { name: 'case_id', type: 'varchar', length: '40', isPrimary: true },
          { name: 'conversation', type: 'integer', isPrimary: true },
          { name: 'side', type: 'varchar', length: '4', isPrimary: true },
          { name: 'state', type: 'varchar', length: '32' },
          { name: 'leg', type: 'integer' },
          { name: 'leg_started_at', type: 'bigint' },
          { name: 'in_node', type: 'varchar', length: '8' },
          { name: 'in_agency', type: 'varchar', length: '64' },
          { name: 'out_node', type: 'varchar', length: '8' },
          { name: 'out_agency', type: 'varchar', length: '64' },
          { name: 'out_region', type: 'varchar', length: '6' },
          { name: 'place_json', type: 'text' },
          { name: 'letter_json', type: 'text', isNullable: true },
          { name: 'sheet_json', type: 'text', isNullable: true },
          { name: 'problem_json', type: 'text', isNullable: true },
          { name: 'last_event_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'updated_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ix_conversations_leg_started', columnNames: ['leg_started_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('conversations');
  }
}
