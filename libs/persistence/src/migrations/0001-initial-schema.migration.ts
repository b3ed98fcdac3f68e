import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The first schema. Written with typeorm's Table API (not raw SQL) so the same migration runs on
 * SQLite (embedded default) and PostgreSQL (production mode).
 */
export class InitialSchema1764000000001 implements MigrationInterface {
  name = 'InitialSchema1764000000001';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string, nullable = false) => ({ name, type: 'text', isNullable: nullable });
    const str = (name: string, length: number, nullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    });
    const int = (name: string, nullable = false) => ({ name, type: 'integer', isNullable: nullable });
    const big = (name: string, nullable = false) => ({ name, type: 'bigint', isNullable: nullable });

    await q.createTable(
      new Table({
        name: 'cases',
        columns: [
          { ...str('case_id', 40), isPrimary: true },
          str('service', 64),
          str('role', 16),
          str('accepting_node', 8),
          str('handling_node', 8),
          str('agency', 64),
          str('window_id', 64, true),
          str('stage', 40),
          str('status', 16),
          text('request_json'),
          str('applicant_hash', 64),
          str('region', 6),
          int('region_historic'),
          str('agency_ref', 64, true),
          big('accepted_at'),
          big('updated_at'),
          int('last_applied_seq'),
          int('last_issued_seq'),
        ],
        indices: [
          new TableIndex({ name: 'ix_cases_applicant', columnNames: ['applicant_hash'] }),
          new TableIndex({ name: 'ix_cases_window', columnNames: ['window_id', 'accepted_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'case_events',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          str('case_id', 40),
          str('stage', 40),
          big('at'),
          str('side', 8),
          int('seq', true),
          str('reason_code', 64, true),
          str('reason_message', 400, true),
          text('detail_json', true),
          str('source_id', 100),
          big('recorded_at'),
        ],
        indices: [
          new TableIndex({ name: 'ux_case_events_source', columnNames: ['case_id', 'source_id'], isUnique: true }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'pending_status',
        columns: [
          { ...str('case_id', 40), isPrimary: true },
          { ...int('seq'), isPrimary: true },
          text('payload_json'),
          big('received_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'outbox',
        columns: [
          { ...str('message_id', 36), isPrimary: true },
          str('destination', 64),
          str('message_type', 64),
          int('contract_version'),
          str('case_id', 40, true),
          text('payload'),
          str('state', 16),
          int('attempts'),
          big('next_attempt_at'),
          big('lease_until', true),
          str('last_error', 400, true),
          str('dead_reason', 64, true),
          big('created_at'),
          big('delivered_at', true),
          text('receipt', true),
        ],
        indices: [
          new TableIndex({ name: 'ix_outbox_due', columnNames: ['state', 'next_attempt_at'] }),
          new TableIndex({ name: 'ix_outbox_case', columnNames: ['case_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'inbox',
        columns: [
          { ...str('message_id', 36), isPrimary: true },
          str('sender', 8),
          str('message_type', 64),
          str('case_id', 40, true),
          str('sha256', 64),
          text('receipt'),
          big('received_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'credentials',
        columns: [
          { ...str('credential_id', 64), isPrimary: true },
          str('role', 16),
          str('name', 200),
          str('region', 6),
          str('agency', 64, true),
          str('secret_hash', 64),
          big('created_at'),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['credentials', 'inbox', 'outbox', 'pending_status', 'case_events', 'cases']) {
      await q.dropTable(table);
    }
  }
}
