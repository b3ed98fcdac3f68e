import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Countersigned checkpoints of the message logs (libs/signing log-checkpoint.ts). A node keeps
 * both kinds in one table: the checkpoints of its own log with the peer's countersignature (its
 * proof of what it showed), and the peer's checkpoints with its own countersignature (what an
 * auditor of the peer's log asks it for). `node` is the node whose log the row is about.
 */
export class LogCheckpoints1764000000007 implements MigrationInterface {
  name = 'LogCheckpoints1764000000007';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'log_checkpoints',
        columns: [
          // SQLite autoincrements only an INTEGER PRIMARY KEY (64-bit there); PostgreSQL: bigserial.
          { name: 'id', type: postgres ? 'bigint' : 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'node', type: 'varchar', length: '8' },
          { name: 'countersigner', type: 'varchar', length: '8' },
          { name: 'count', type: 'bigint' },
          { name: 'head_hash', type: 'varchar', length: '64' },
          { name: 'at', type: 'bigint' },
          { name: 'checkpoint', type: 'text' },
          { name: 'countersignature', type: 'text' },
          { name: 'countersigned_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ix_log_checkpoints_node_at', columnNames: ['node', 'at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('log_checkpoints');
  }
}
