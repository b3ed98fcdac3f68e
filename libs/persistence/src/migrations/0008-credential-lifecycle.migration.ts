import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A credential's lifecycle: when it expires, whether an operator disabled it (when, and why),
 * and when it was last used. Credentials from before keep `expires_at` null (no expiry) until an
 * operator reissues them: the migration cannot know the lifetime a deployment configures, and
 * expiring every window of a province at once on upgrade would stop its intake.
 */
export class CredentialLifecycle1764000000008 implements MigrationInterface {
  name = 'CredentialLifecycle1764000000008';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('credentials', [
      new TableColumn({ name: 'expires_at', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'disabled_at', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'disabled_reason', type: 'varchar', length: '400', isNullable: true }),
      new TableColumn({ name: 'last_used_at', type: 'bigint', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['last_used_at', 'disabled_reason', 'disabled_at', 'expires_at']) await q.dropColumn('credentials', column);
  }
}
