import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A case's statutory clock pauses while the handling side waits for supplementary material
 * (补正): when the wait began, and the working days already spent waiting.
 */
export class CaseClockPause1764000000004 implements MigrationInterface {
  name = 'CaseClockPause1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('cases', [
      new TableColumn({ name: 'clock_paused_since', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'clock_paused_days', type: 'integer', default: 0 }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('cases', 'clock_paused_days');
    await q.dropColumn('cases', 'clock_paused_since');
  }
}
