import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The message log's waiting room on PostgreSQL, and a 64-bit sequence.
 *
 * `message_log_pending`: a transaction that logs a message writes it here, without taking the
 * chain's head; the chain writer (MessageLogChainer) moves entries into `message_log` in id
 * order, one short transaction for many of them. Before, every logging transaction locked
 * `message_log` from its first append to its commit, so a node's transactions took turns there
 * (the dominant wait in a profile of production mode, 2026-11-25). The embedded default chains at
 * once (SQLite has one writer anyway) and leaves this table empty.
 *
 * `message_log.seq` becomes bigint on PostgreSQL: a busy node logs several entries per case,
 * and a 32-bit sequence would run out within years. SQLite's integer is 64-bit already.
 */
export class MessageLogPending1764000000006 implements MigrationInterface {
  name = 'MessageLogPending1764000000006';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'message_log_pending',
        columns: [
          // SQLite autoincrements only an INTEGER PRIMARY KEY (64-bit there); PostgreSQL: bigserial.
          { name: 'id', type: postgres ? 'bigint' : 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'at', type: 'bigint' },
          { name: 'direction', type: 'varchar', length: '8' },
          { name: 'kind', type: 'varchar', length: '8' },
          { name: 'message_id', type: 'varchar', length: '36' },
          { name: 'peer', type: 'varchar', length: '8' },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'content', type: 'text' },
        ],
      }),
    );
    if (postgres) await q.query('ALTER TABLE message_log ALTER COLUMN seq TYPE bigint');
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') await q.query('ALTER TABLE message_log ALTER COLUMN seq TYPE integer');
    await q.dropTable('message_log_pending');
  }
}
