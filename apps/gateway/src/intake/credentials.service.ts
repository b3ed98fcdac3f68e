import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { Clock, GatewayError, type NodeCode } from '#core';
import { GatewayDatabase, type CredentialRecord, type CredentialRole } from '#persistence';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

/** Who is calling: resolved from a bearer credential. */
export interface Principal {
  readonly credentialId: string;
  readonly role: CredentialRole;
  readonly name: string;
  readonly region: string;
  /** The agency (经办机构) the window belongs to; null for operators. */
  readonly agency: string | null;
  readonly node: NodeCode;
}

export interface IssuedCredential {
  readonly credentialId: string;
  readonly role: CredentialRole;
  readonly name: string;
  readonly region: string;
  readonly agency: string | null;
  /** The bearer token, shown once; only its hash is stored. */
  readonly token: string;
}

/** The demo windows each node creates on first start (embedded default only). */
const DEMO_PRINCIPALS: Record<NodeCode, readonly Omit<IssuedCredential, 'token'>[]> = {
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
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer ([a-z0-9-]{1,64})\.([A-Za-z0-9_-]{20,100})$/.exec(authorization ?? '');
    if (!match) throw new GatewayError('UNAUTHENTICATED', { detail: 'a bearer window credential is required' });
    const [, credentialId, secret] = match as unknown as [string, string, string];
    const tokenKey = hashSecret(`${credentialId}.${secret}`);
    const now = this.clock.nowMs();
    const known = this.verified.get(tokenKey);
    if (known && now >= known.at && now - known.at < VERIFIED_TOKEN_TTL_MS) return known.principal;
    const epoch = this.epoch;
    const record = await this.db.read((s) => s.credentials.get(credentialId));
    const expected = Buffer.from(record?.secretHash ?? '0'.repeat(64), 'hex');
    const actual = Buffer.from(hashSecret(secret), 'hex');
    if (!record || !timingSafeEqual(expected, actual)) {
      this.verified.delete(tokenKey);
      throw new GatewayError('UNAUTHENTICATED', { detail: 'the credential is not known to this node' });
    }
    const principal: Principal = { credentialId, role: record.role, name: record.name, region: record.region, agency: record.agency, node: this.config.node };
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

  async issue(principal: Omit<IssuedCredential, 'token'>): Promise<IssuedCredential> {
    const secret = randomBytes(24).toString('base64url');
    const record: CredentialRecord = {
      credentialId: principal.credentialId,
      role: principal.role,
      name: principal.name,
      region: principal.region,
      agency: principal.agency,
      secretHash: hashSecret(secret),
      createdAt: this.clock.nowMs(),
    };
    await this.db.transaction((tx) => tx.credentials.insert(record));
    this.forget(principal.credentialId);
    return { ...principal, token: `${principal.credentialId}.${secret}` };
  }

  /** A new secret for an existing credential; the old token stops working at once. */
  async reissue(principal: Omit<IssuedCredential, 'token'>): Promise<IssuedCredential> {
    const secret = randomBytes(24).toString('base64url');
    // Forgotten before and after the write: a check that read the old secret meanwhile is not remembered.
    this.forget(principal.credentialId);
    await this.db.transaction((tx) => tx.credentials.replaceSecret(principal.credentialId, hashSecret(secret)));
    this.forget(principal.credentialId);
    return { ...principal, token: `${principal.credentialId}.${secret}` };
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

function readDemoFile(file: string): IssuedCredential[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { credentials?: IssuedCredential[] };
  return parsed.credentials ?? [];
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
