import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The answers kept for windows' `Idempotency-Key` headers (draft-ietf-httpapi-idempotency-key-header):
 * one row per credential and key, written in the transaction that made the request's effect.
 * `expires_at` is indexed for the periodic purge.
 */
export class IdempotencyKeys1764000000009 implements MigrationInterface {
  name = 'IdempotencyKeys1764000000009';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'credential_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '255', isPrimary: true },
          { name: 'fingerprint', type: 'varchar', length: '64' },
          { name: 'status', type: 'integer' },
          { name: 'response_json', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ix_idempotency_keys_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('idempotency_keys');
  }
}
