import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { Clock, GatewayError, type NodeCode } from '#core';
import { GatewayDatabase, type CredentialRecord, type CredentialRole, type GatewayStores } from '#persistence';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';

/** Who is calling: resolved from a bearer credential. */
export interface Principal {
  readonly credentialId: string;
  readonly role: CredentialRole;
  readonly name: string;
  readonly region: string;
  /** The agency (经办机构) the window belongs to; null for operators. */
  readonly agency: string | null;
  readonly node: NodeCode;
  /** When the credential stops working (ms); null = never. */
  readonly expiresAt: number | null;
}

export interface IssuedCredential {
  readonly credentialId: string;
  readonly role: CredentialRole;
  readonly name: string;
  readonly region: string;
  readonly agency: string | null;
  /** The bearer token, shown once; only its hash is stored. */
  readonly token: string;
  readonly expiresAt: number | null;
}

/** Who a credential belongs to, as issued (no secret, no expiry). */
export type CredentialHolder = Omit<IssuedCredential, 'token' | 'expiresAt'>;

/** Work done in the transaction that changes a credential (the operator's audit record). */
export type AlongsideChange = (tx: GatewayStores) => Promise<void>;

/** The demo windows each node creates on first start (embedded default only). */
const DEMO_PRINCIPALS: Record<NodeCode, readonly CredentialHolder[]> = {
  SC: [
    { credentialId: 'sc-chengdu-jinjiang', role: 'window', name: '成都市锦江区社保经办窗口', region: '510104', agency: '成都市锦江区社会保险事业管理局' },
    { credentialId: 'sc-mianyang-fucheng', role: 'window', name: '绵阳市涪城区政务服务窗口', region: '510703', agency: '绵阳市涪城区社会保险事业管理局' },
    { credentialId: 'sc-operator', role: 'operator', name: '四川节点运维', region: '510000', agency: null },
  ],
  CQ: [
    { credentialId: 'cq-yuzhong', role: 'window', name: '重庆市渝中区社保经办窗口', region: '500103', agency: '重庆市渝中区社会保险事务中心' },
    { credentialId: 'cq-dazu', role: 'window', name: '重庆市大足区政务服务窗口', region: '500111', agency: '重庆市大足区社会保险事务中心' },
    { credentialId: 'cq-operator', role: 'operator', name: '重庆节点运维', region: '500000', agency: null },
  ],
};

/**
 * How long a token verified against the database is trusted without reading it again. This node
 * forgets a credential it issues or reissues at once; another process sharing the database (a
 * replica) may accept a replaced token for at most this long.
 */
export const VERIFIED_TOKEN_TTL_MS = 5_000;
/** At most this many verified tokens are remembered (the oldest is forgotten first). */
export const MAX_VERIFIED_TOKENS = 1_024;
/** `last_used_at` is written when the stored one is older than this: at most one write an hour per credential and replica. */
export const LAST_USED_RESOLUTION_MS = 3600_000;
const DAY_MS = 24 * 3600_000;

/**
 * Window and operator credentials. Tokens are `<credential id>.<secret>`; the node keeps only a
 * SHA-256 of the secret and compares in constant time.
 *
 * Every intake request carries a token: a token verified a moment ago is trusted again for
 * VERIFIED_TOKEN_TTL_MS, keyed by the SHA-256 of the whole token (so only the exact token that
 * was verified matches; a wrong secret never does and is checked against the database as before).
 */
@Injectable()
export class CredentialsService {
  private readonly verified = new Map<string, { readonly principal: Principal; readonly at: number }>();
  /** Bumped whenever a secret is issued or replaced: a check that began before is not remembered. */
  private epoch = 0;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: GatewayDatabase,
    private readonly clock: Clock,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  /**
   * The principal of a bearer token presented from `address` (the client's IP address).
   *
   * 1. A malformed header is refused as it is (no look-up, nothing counted).
   * 2. A credential id or an address at its failure limit is refused (AUTH_LOCKED_OUT) before any
   *    look-up or hashing: a locked key costs a map read.
   * 3. A token verified a moment ago is trusted again, unless it has expired meanwhile.
   * 4. Otherwise the credential is read and the secret compared in constant time; a wrong one,
   *    or an unknown id, is UNAUTHENTICATED and counted.
   * 5. Only after the secret matched does the caller learn that the credential is disabled or
   *    expired: a guesser cannot tell those ids from unknown ones. Counted as failures too.
   * 6. A success resets the credential's count and notes its use (at most hourly).
   */
  async authenticate(authorization: string | undefined, address: string): Promise<Principal> {
    // 1. Shape.
    const match = /^Bearer ([a-z0-9-]{1,64})\.([A-Za-z0-9_-]{20,100})$/.exec(authorization ?? '');
    if (!match) throw new GatewayError('UNAUTHENTICATED', { detail: 'a bearer window credential is required' });
    const [, credentialId, secret] = match as unknown as [string, string, string];
    // 2. Locks.
    this.limiter.assertAllowed(credentialId, address);
    // 3. Remembered tokens.
    const tokenKey = hashSecret(`${credentialId}.${secret}`);
    const now = this.clock.nowMs();
    const known = this.verified.get(tokenKey);
    if (known && now >= known.at && now - known.at < VERIFIED_TOKEN_TTL_MS && !expired(known.principal.expiresAt, now)) {
      this.limiter.recordSuccess(credentialId);
      return known.principal;
    }
    // 4. The stored secret.
    const epoch = this.epoch;
    const record = await this.db.read((s) => s.credentials.get(credentialId));
    const expected = Buffer.from(record?.secretHash ?? '0'.repeat(64), 'hex');
    const actual = Buffer.from(hashSecret(secret), 'hex');
    if (!record || !timingSafeEqual(expected, actual)) {
      this.verified.delete(tokenKey);
      this.limiter.recordFailure(address, record ? credentialId : null);
      throw new GatewayError('UNAUTHENTICATED', { detail: 'the credential is not known to this node' });
    }
    // 5. Disabled, expired.
    if (record.disabledAt !== null || expired(record.expiresAt, now)) {
      this.verified.delete(tokenKey);
      this.limiter.recordFailure(address, credentialId);
      throw new GatewayError(record.disabledAt !== null ? 'CREDENTIAL_DISABLED' : 'CREDENTIAL_EXPIRED', { detail: 'ask an operator of this node to reissue the credential' });
    }
    // 6. Success.
    this.limiter.recordSuccess(credentialId);
    if (record.lastUsedAt === null || now - record.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
      await this.db.transaction((tx) => tx.credentials.touch(credentialId, now));
    }
    const principal: Principal = {
      credentialId,
      role: record.role,
      name: record.name,
      region: record.region,
      agency: record.agency,
      node: this.config.node,
      expiresAt: record.expiresAt,
    };
    if (epoch === this.epoch) this.remember(tokenKey, principal, now);
    return principal;
  }

  private remember(tokenKey: string, principal: Principal, at: number): void {
    this.verified.delete(tokenKey);
    if (this.verified.size >= MAX_VERIFIED_TOKENS) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(tokenKey, { principal, at });
  }

  /** Forgets every verified token of a credential (its secret is being replaced). */
  private forget(credentialId: string): void {
    this.epoch += 1;
    for (const [key, entry] of this.verified) {
      if (entry.principal.credentialId === credentialId) this.verified.delete(key);
    }
  }

  /** The expiry of a credential issued now with the configured lifetime (CREDENTIAL_TTL_DAYS). */
  defaultExpiry(): number {
    return this.clock.nowMs() + this.config.credentialTtlDays * DAY_MS;
  }

  async issue(principal: CredentialHolder, expiresAt: number | null = this.defaultExpiry()): Promise<IssuedCredential> {
    const secret = randomBytes(24).toString('base64url');
    const record: CredentialRecord = {
      credentialId: principal.credentialId,
      role: principal.role,
      name: principal.name,
      region: principal.region,
      agency: principal.agency,
      secretHash: hashSecret(secret),
      createdAt: this.clock.nowMs(),
      expiresAt,
      disabledAt: null,
      disabledReason: null,
      lastUsedAt: null,
    };
    await this.db.transaction((tx) => tx.credentials.insert(record));
    this.forget(principal.credentialId);
    return { ...principal, token: `${principal.credentialId}.${secret}`, expiresAt };
  }

  /**
   * A new secret and expiry for an existing credential, enabled again if it was disabled; the old
   * token stops working at once on this replica (within VERIFIED_TOKEN_TTL_MS on others), and
   * its failure count here is cleared. `alongside` runs in the same transaction.
   */
  async reissue(principal: CredentialHolder, expiresAt: number | null = this.defaultExpiry(), alongside?: AlongsideChange): Promise<IssuedCredential> {
    const secret = randomBytes(24).toString('base64url');
    // Forgotten before and after the write: a check that read the old secret meanwhile is not remembered.
    this.forget(principal.credentialId);
    await this.db.transaction(async (tx) => {
      await tx.credentials.replaceSecret(principal.credentialId, hashSecret(secret), expiresAt);
      if (alongside) await alongside(tx);
    });
    this.forget(principal.credentialId);
    this.limiter.forgetCredential(principal.credentialId);
    return { ...principal, token: `${principal.credentialId}.${secret}`, expiresAt };
  }

  /**
   * Disables a credential: refused at once on this replica (its remembered tokens are forgotten),
   * within VERIFIED_TOKEN_TTL_MS on the others. `alongside` runs in the same transaction.
   */
  async disable(credentialId: string, reason: string, alongside?: AlongsideChange): Promise<void> {
    this.forget(credentialId);
    await this.db.transaction(async (tx) => {
      await tx.credentials.disable(credentialId, this.clock.nowMs(), reason);
      if (alongside) await alongside(tx);
    });
    this.forget(credentialId);
  }

  /**
   * Creates the demo credentials once and writes them (mode 0600) to the demo credentials file,
   * which later starts read again; does nothing when the node already has credentials.
   */
  async ensureDemoCredentials(): Promise<readonly IssuedCredential[]> {
    const file = this.config.demoCredentialsFile;
    if (!file) return [];
    const existing = await this.db.read((s) => s.credentials.countByRole('window'));
    if (existing > 0 && existsSync(file)) return readDemoFile(file);
    // First start, or the file was lost: (re)issue every demo credential. Secrets cannot be
    // recovered from their hashes, so a lost file means new tokens for the same windows.
    const issued: IssuedCredential[] = [];
    for (const principal of DEMO_PRINCIPALS[this.config.node]) {
      const known = await this.db.read((s) => s.credentials.get(principal.credentialId));
      issued.push(known ? await this.reissue(principal) : await this.issue(principal));
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ node: this.config.node, credentials: issued }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return issued;
  }
}

function expired(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && now >= expiresAt;
}

function readDemoFile(file: string): IssuedCredential[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { credentials?: IssuedCredential[] };
  return parsed.credentials ?? [];
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
