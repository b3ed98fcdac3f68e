import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { GatewayDatabase } from '#persistence';
import type { GatewayConfig } from '../config/gateway.config.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { CredentialsService, LAST_USED_RESOLUTION_MS, MAX_VERIFIED_TOKENS, VERIFIED_TOKEN_TTL_MS } from './credentials.service.js';

const DAY_MS = 24 * 3600_000;
const ADDRESS = '203.0.113.7';

describe('CredentialsService', () => {
  let dir: string;
  let db: GatewayDatabase;
  let clock: ManualClock;
  let credentials: CredentialsService;
  const window = { credentialId: 'cq-yuzhong', role: 'window' as const, name: '渝中区窗口', region: '500103', agency: '渝中区社保中心' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-cred-'));
    db = await GatewayDatabase.open({ kind: 'sqlite', file: join(dir, 'gw.db') }, { migrate: true });
    clock = new ManualClock(Date.UTC(2026, 10, 23, 1, 0, 0));
    const config = { node: 'CQ', credentialTtlDays: 365, authFailures: { perCredential: 5, perAddress: 20, windowMs: 15 * 60_000 } } as GatewayConfig;
    credentials = new CredentialsService(config, db, clock, new AuthFailureLimiter(config, clock));
  });

  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Counts the node's reads of the credentials table. */
  function countReads(): { readonly count: () => number } {
    let reads = 0;
    const read = db.read.bind(db);
    db.read = ((work: Parameters<GatewayDatabase['read']>[0]) => {
      reads += 1;
      return read(work);
    }) as GatewayDatabase['read'];
    return { count: () => reads };
  }

  it('verifies a token against the database once, then trusts that exact token for a few seconds', async () => {
    const { token } = await credentials.issue(window);
    const reads = countReads();
    await expect(credentials.authenticate(`Bearer ${token}`, ADDRESS)).resolves.toMatchObject({ credentialId: 'cq-yuzhong', role: 'window', node: 'CQ' });
    await credentials.authenticate(`Bearer ${token}`, ADDRESS);
    expect(reads.count()).toBe(1);
    clock.advance(VERIFIED_TOKEN_TTL_MS);
    await credentials.authenticate(`Bearer ${token}`, ADDRESS);
    expect(reads.count()).toBe(2);
  });

  it('refuses a wrong secret for a credential whose right token was just verified', async () => {
    const { token } = await credentials.issue(window);
    await credentials.authenticate(`Bearer ${token}`, ADDRESS);
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    await expect(credentials.authenticate(`Bearer ${wrong}`, ADDRESS)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('stops taking the old token at once when the credential is reissued', async () => {
    const { token: old } = await credentials.issue(window);
    await credentials.authenticate(`Bearer ${old}`, ADDRESS);
    const { token: renewed } = await credentials.reissue(window);
    await expect(credentials.authenticate(`Bearer ${old}`, ADDRESS)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(credentials.authenticate(`Bearer ${renewed}`, ADDRESS)).resolves.toMatchObject({ credentialId: 'cq-yuzhong' });
  });

  it('does not remember a check that read the secret a reissue was replacing', async () => {
    const { token: old } = await credentials.issue(window);
    // The check reads the old secret first; it is answered only after the reissue committed.
    let reissued: Promise<unknown> = Promise.resolve();
    const read = db.read.bind(db);
    db.read = (async (work: Parameters<GatewayDatabase['read']>[0]) => {
      const result = await read(work);
      await reissued;
      return result;
    }) as GatewayDatabase['read'];
    const checking = credentials.authenticate(`Bearer ${old}`, ADDRESS);
    reissued = credentials.reissue(window);
    await expect(checking).resolves.toMatchObject({ credentialId: 'cq-yuzhong' });
    await expect(credentials.authenticate(`Bearer ${old}`, ADDRESS)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('remembers a bounded number of tokens, forgetting the oldest first', async () => {
    const { token } = await credentials.issue(window);
    const reads = countReads();
    await credentials.authenticate(`Bearer ${token}`, ADDRESS);
    const others = await Promise.all(
      Array.from({ length: MAX_VERIFIED_TOKENS }, (_, i) => credentials.issue({ ...window, credentialId: `cq-window-${i}` })),
    );
    for (const other of others) await credentials.authenticate(`Bearer ${other.token}`, ADDRESS);
    const before = reads.count();
    await credentials.authenticate(`Bearer ${token}`, ADDRESS);
    expect(reads.count()).toBe(before + 1);
  });

  it('gives a new credential the configured lifetime and refuses it once that has passed, only with the right secret', async () => {
    const { token, expiresAt } = await credentials.issue(window);
    expect(expiresAt).toBe(clock.nowMs() + 365 * DAY_MS);
    await credentials.authenticate(`Bearer ${token}`, ADDRESS);
    clock.advance(365 * DAY_MS);
    // The token was remembered a moment ago: expiry is checked on the remembered one too.
    await expect(credentials.authenticate(`Bearer ${token}`, ADDRESS)).rejects.toMatchObject({ code: 'CREDENTIAL_EXPIRED' });
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    await expect(credentials.authenticate(`Bearer ${wrong}`, ADDRESS)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a disabled credential at once, and a wrong secret for it as an unknown one', async () => {
    const { token } = await credentials.issue(window);
    await credentials.authenticate(`Bearer ${token}`, ADDRESS);
    await credentials.disable('cq-yuzhong', 'the window PC was stolen');
    await expect(credentials.authenticate(`Bearer ${token}`, ADDRESS)).rejects.toMatchObject({ code: 'CREDENTIAL_DISABLED' });
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    await expect(credentials.authenticate(`Bearer ${wrong}`, ADDRESS)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const stored = await db.read((s) => s.credentials.get('cq-yuzhong'));
    expect(stored).toMatchObject({ disabledAt: clock.nowMs(), disabledReason: 'the window PC was stolen' });
  });

  it('enables a disabled credential again with a new secret when it is reissued', async () => {
    const { token: old } = await credentials.issue(window);
    await credentials.disable('cq-yuzhong', 'lost');
    const { token, expiresAt } = await credentials.reissue(window, clock.nowMs() + 30 * DAY_MS);
    expect(expiresAt).toBe(clock.nowMs() + 30 * DAY_MS);
    await expect(credentials.authenticate(`Bearer ${token}`, ADDRESS)).resolves.toMatchObject({ credentialId: 'cq-yuzhong', expiresAt });
    await expect(credentials.authenticate(`Bearer ${old}`, ADDRESS)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('notes when a credential was last used, to the resolution, without a write on every request', async () => {
    const { token } = await credentials.issue(window);
    const at = clock.nowMs();
    await credentials.authenticate(`Bearer ${token}`, ADDRESS);
    expect((await db.read((s) => s.credentials.get('cq-yuzhong')))?.lastUsedAt).toBe(at);
    clock.advance(VERIFIED_TOKEN_TTL_MS);
    await credentials.authenticate(`Bearer ${token}`, ADDRESS);
    expect((await db.read((s) => s.credentials.get('cq-yuzhong')))?.lastUsedAt).toBe(at);
    clock.advance(LAST_USED_RESOLUTION_MS);
    await credentials.authenticate(`Bearer ${token}`, ADDRESS);
    expect((await db.read((s) => s.credentials.get('cq-yuzhong')))?.lastUsedAt).toBe(clock.nowMs());
  });

  it('refuses a locked credential without reading the credentials table', async () => {
    const { token } = await credentials.issue(window);
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (let i = 0; i < 5; i += 1) await expect(credentials.authenticate(`Bearer ${wrong}`, ADDRESS)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const reads = countReads();
    await expect(credentials.authenticate(`Bearer ${token}`, ADDRESS)).rejects.toMatchObject({ code: 'AUTH_LOCKED_OUT', retryAfterSeconds: 900 });
    expect(reads.count()).toBe(0);
  });
});
