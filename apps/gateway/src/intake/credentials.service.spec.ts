import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { GatewayDatabase } from '#persistence';
import type { GatewayConfig } from '../config/gateway.config.js';
import { CredentialsService, MAX_VERIFIED_TOKENS, VERIFIED_TOKEN_TTL_MS } from './credentials.service.js';

describe('CredentialsService', () => {
  let dir: string;
  let db: GatewayDatabase;
  let clock: ManualClock;
  let credentials: CredentialsService;
  const window = { credentialId: 'cq-yuzhong', role: 'window' as const, name: '渝中区窗口', region: '500103', agency: '渝中区社保中心' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-cred-'));
    db = await GatewayDatabase.open({ kind: 'sqlite', file: join(dir, 'gw.db') }, { migrate: true });
    clock = new ManualClock();
    credentials = new CredentialsService({ node: 'CQ' } as GatewayConfig, db, clock);
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
    await expect(credentials.authenticate(`Bearer ${token}`)).resolves.toMatchObject({ credentialId: 'cq-yuzhong', role: 'window', node: 'CQ' });
    await credentials.authenticate(`Bearer ${token}`);
    expect(reads.count()).toBe(1);
    clock.advance(VERIFIED_TOKEN_TTL_MS);
    await credentials.authenticate(`Bearer ${token}`);
    expect(reads.count()).toBe(2);
  });

  it('refuses a wrong secret for a credential whose right token was just verified', async () => {
    const { token } = await credentials.issue(window);
    await credentials.authenticate(`Bearer ${token}`);
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    await expect(credentials.authenticate(`Bearer ${wrong}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('stops taking the old token at once when the credential is reissued', async () => {
    const { token: old } = await credentials.issue(window);
    await credentials.authenticate(`Bearer ${old}`);
    const { token: renewed } = await credentials.reissue(window);
    await expect(credentials.authenticate(`Bearer ${old}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(credentials.authenticate(`Bearer ${renewed}`)).resolves.toMatchObject({ credentialId: 'cq-yuzhong' });
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
    const checking = credentials.authenticate(`Bearer ${old}`);
    reissued = credentials.reissue(window);
    await expect(checking).resolves.toMatchObject({ credentialId: 'cq-yuzhong' });
    await expect(credentials.authenticate(`Bearer ${old}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('remembers a bounded number of tokens, forgetting the oldest first', async () => {
    const { token } = await credentials.issue(window);
    const reads = countReads();
    await credentials.authenticate(`Bearer ${token}`);
    const others = await Promise.all(
      Array.from({ length: MAX_VERIFIED_TOKENS }, (_, i) => credentials.issue({ ...window, credentialId: `cq-window-${i}` })),
    );
    for (const other of others) await credentials.authenticate(`Bearer ${other.token}`);
    const before = reads.count();
    await credentials.authenticate(`Bearer ${token}`);
    expect(reads.count()).toBe(before + 1);
  });
});
