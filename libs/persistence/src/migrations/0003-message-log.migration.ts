import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The tamper-evident message log: every envelope and receipt sent or received, each row chained
 * to the one before by a hash (after X-Road's signed message archive).
 */
export class MessageLog1764000000003 implements MigrationInterface {
  name = 'MessageLog1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'message_log',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'at', type: 'bigint' },
          { name: 'direction', type: 'varchar', length: '8' },
          { name: 'kind', type: 'varchar', length: '8' },
          { name: 'message_id', type: 'varchar', length: '36' },
          { name: 'peer', type: 'varchar', length: '8' },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'content', type: 'text' },
          { name: 'prev_hash', type: 'varchar', length: '64' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('message_log');
  }
}
