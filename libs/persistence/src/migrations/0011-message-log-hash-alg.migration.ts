import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17: the message log is chained with the hash of the suite in force (SHA-256 under intl,
 * SM3 under gm), so each entry records which one it was chained with. Every entry before this
 * migration was chained with SHA-256: the column's default says so, and a log that spans a move
 * between suites verifies entry by entry.
 *
 * A plain ADD COLUMN with a constant default: PostgreSQL (11+) and SQLite both add it without
 * rewriting the table, however long the log.
 */
export class MessageLogHashAlg1764000000011 implements MigrationInterface {
  name = 'MessageLogHashAlg1764000000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE message_log ADD COLUMN hash_alg varchar(8) NOT NULL DEFAULT 'sha256'");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE message_log DROP COLUMN hash_alg');
  }
}
