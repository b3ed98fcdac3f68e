import { Injectable, Logger } from '@nestjs/common';
import { Clock, GatewayError, toShanghaiIso } from '#core';
import { GatewayDatabase, type CredentialRecord, type GatewayStores } from '#persistence';
import { CredentialsService, type Principal } from '../auth/credentials.service.js';

const DAY_MS = 24 * 3600_000;

/** A credential as an operator sees it: never its secret or the secret's hash. */
export interface CredentialView {
  readonly credentialId: string;
  readonly role: string;
  readonly name: string;
  readonly region: string;
  readonly agency: string | null;
  readonly state: 'active' | 'expired' | 'disabled';
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly disabledAt: string | null;
  readonly disabledReason: string | null;
  readonly lastUsedAt: string | null;
}

/** A reissued credential: its new bearer token, shown this once. */
export interface ReissuedCredential extends CredentialView {
  readonly token: string;
}

/**
 * The operator's credential actions: list, disable, reissue. Each change and its audit record
 * (who, why) are written in one transaction; secrets never reach the audit trail or the logs.
 */
@Injectable()
export class CredentialAdminService {
  private readonly logger = new Logger('Credentials');

  constructor(
    private readonly db: GatewayDatabase,
    private readonly credentials: CredentialsService,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<CredentialView[]> {
    const records = await this.db.read((s) => s.credentials.list());
    return records.map((r) => this.view(r));
  }

  /**
   * Disables a credential (idempotent: a disabled one keeps its first time and reason, and the
   * repeated request is audited as such). An operator cannot disable its own credential: the
   * node could be left with no one to enable it again.
   */
  async disable(operator: Principal, credentialId: string, reason: string): Promise<CredentialView> {
    const before = await this.find(credentialId);
    if (credentialId === operator.credentialId) throw new GatewayError('FORBIDDEN', { detail: 'an operator cannot disable its own credential' });
    const audit = this.auditOf(operator, 'credential-disable', credentialId, reason, { alreadyDisabled: before.disabledAt !== null });
    if (before.disabledAt === null) await this.credentials.disable(credentialId, reason, audit);
    else await this.db.transaction(audit);
    this.logger.log({ msg: 'credential disabled', credentialId, operator: operator.credentialId });
    return this.view(await this.find(credentialId));
  }

  /** A new secret (returned once) and expiry; the old secret stops working, a disabled credential works again. */
  async reissue(operator: Principal, credentialId: string, reason: string, expiresInDays?: number): Promise<ReissuedCredential> {
    const before = await this.find(credentialId);
    const expiresAt = expiresInDays === undefined ? this.credentials.defaultExpiry() : this.clock.nowMs() + expiresInDays * DAY_MS;
    const audit = this.auditOf(operator, 'credential-reissue', credentialId, reason, { expiresAt: toShanghaiIso(expiresAt), wasDisabled: before.disabledAt !== null });
    const { role, name, region, agency } = before;
    const issued = await this.credentials.reissue({ credentialId, role, name, region, agency }, expiresAt, audit);
    this.logger.log({ msg: 'credential reissued', credentialId, operator: operator.credentialId });
    return { ...this.view(await this.find(credentialId)), token: issued.token };
  }

  private async find(credentialId: string): Promise<CredentialRecord> {
    const record = await this.db.read((s) => s.credentials.get(credentialId));
    if (!record) throw new GatewayError('CREDENTIAL_NOT_FOUND');
    return record;
  }

  private auditOf(operator: Principal, action: string, subject: string, reason: string, detail: object): (tx: GatewayStores) => Promise<void> {
    return (tx) => tx.audit.append({ action, subject, operatorId: operator.credentialId, reason, detailJson: JSON.stringify(detail), at: this.clock.nowMs() });
  }

  private view(r: CredentialRecord): CredentialView {
    const now = this.clock.nowMs();
    const state = r.disabledAt !== null ? 'disabled' : r.expiresAt !== null && now >= r.expiresAt ? 'expired' : 'active';
    return {
      credentialId: r.credentialId,
      role: r.role,
      name: r.name,
      region: r.region,
      agency: r.agency,
      state,
      createdAt: toShanghaiIso(r.createdAt),
      expiresAt: r.expiresAt === null ? null : toShanghaiIso(r.expiresAt),
      disabledAt: r.disabledAt === null ? null : toShanghaiIso(r.disabledAt),
      disabledReason: r.disabledReason,
      lastUsedAt: r.lastUsedAt === null ? null : toShanghaiIso(r.lastUsedAt),
    };
  }
}
