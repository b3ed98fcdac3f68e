import type { EntityManager } from 'typeorm';
import type { CredentialRecord } from './records.js';
import { CredentialSchema } from './schema.js';
import type { SqlRunner } from './sql-runner.js';
import { ManagerSqlRunner } from './manager-sql-runner.js';
import { TableMap } from './table-map.js';

const CREDENTIALS = new TableMap(CredentialSchema);

export class CredentialStore {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlRunner = new ManagerSqlRunner(em, 'sqlite'),
  ) {}

  /** Read on every intake request (the bearer check): raw SQL, like the rest of the hot path. */
  async get(credentialId: string): Promise<CredentialRecord | null> {
    const rows = await this.sql.all('SELECT * FROM credentials WHERE credential_id = ?', [credentialId]);
    return rows[0] ? CREDENTIALS.fromRow(rows[0]) : null;
  }

  async insert(record: CredentialRecord): Promise<void> {
    await this.em.insert(CredentialSchema, record);
  }

  /** A new secret and expiry; a disabled credential is enabled again (reissuing is how it comes back). */
  async replaceSecret(credentialId: string, secretHash: string, expiresAt: number | null): Promise<void> {
    await this.em.update(CredentialSchema, { credentialId }, { secretHash, expiresAt, disabledAt: null, disabledReason: null });
  }

  async disable(credentialId: string, at: number, reason: string): Promise<void> {
    await this.em.update(CredentialSchema, { credentialId }, { disabledAt: at, disabledReason: reason });
  }

  /** Notes a use of the credential (the caller decides how often: not on every request). */
  async touch(credentialId: string, at: number): Promise<void> {
    await this.sql.run('UPDATE credentials SET last_used_at = ? WHERE credential_id = ?', [at, credentialId]);
  }

  /** Every credential of this node, by id (an operator's list; a node has tens to hundreds). */
  async list(): Promise<CredentialRecord[]> {
    return this.em.find(CredentialSchema, { order: { credentialId: 'ASC' } });
  }

  /** The window credentials of one agency (经办机构): its windows see each other's cases. */
  async windowsOfAgency(agency: string): Promise<string[]> {
    const rows = await this.sql.all("SELECT credential_id FROM credentials WHERE role = 'window' AND agency = ?", [agency]);
    return rows.map((r) => String(r['credential_id']));
  }

  async countByRole(role: CredentialRecord['role']): Promise<number> {
    return this.em.countBy(CredentialSchema, { role });
  }
}
