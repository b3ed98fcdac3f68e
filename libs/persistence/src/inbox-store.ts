import type { EntityManager } from 'typeorm';
import type { InboxRecord } from './records.js';
import { InboxSchema } from './schema.js';
import type { SqlRunner } from './sql-runner.js';
import { ManagerSqlRunner } from './manager-sql-runner.js';
import { TableMap } from './table-map.js';

const INBOX = new TableMap(InboxSchema);

export class InboxStore {
  constructor(
    em: EntityManager,
    private readonly sql: SqlRunner = new ManagerSqlRunner(em, 'sqlite'),
  ) {}

  async get(messageId: string): Promise<InboxRecord | null> {
    const rows = await this.sql.all('SELECT * FROM inbox WHERE message_id = ?', [messageId]);
    return rows[0] ? INBOX.fromRow(rows[0]) : null;
  }

  /**
   * Records a message id once. Returns false when the id is already there (nothing written): one
   * statement for a new message, where a look-up and an insert were two.
   */
  async insertOnce(record: InboxRecord): Promise<boolean> {
    return (await this.sql.run(`${INBOX.insertSql} ON CONFLICT (message_id) DO NOTHING`, INBOX.insertParams(record))) > 0;
  }
}
