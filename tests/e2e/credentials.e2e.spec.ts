import { createHash } from 'node:crypto';
import { CredentialStore } from '#persistence';
import { GatewayPair } from './support/gateway-pair.js';

const DAY_MS = 24 * 3600_000;

/**
 * Issue 14 point 9: credentials. Failed authentications are limited per credential and per
 * source address (refused without a database look-up while locked); credentials expire and can be
 * disabled and reissued by an operator, audited; the console learns when its credential expires.
 */
describe('credentials: failure limits, expiry, disabling and reissuing', () => {
  let pair: GatewayPair;

  beforeAll(async () => {
    // The tests speak for many source addresses through one trusted proxy (this process).
    pair = await GatewayPair.start({ TRUST_PROXY: '127.0.0.1' });
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  /** A bearer token of a demo credential of SC, by credential id. */
  const demo = (credentialId: string): string => `Bearer ${pair.sc.gateway.demoCredentials.find((c) => c.credentialId === credentialId)!.token}`;
  const wrongSecret = (bearer: string): string => `${bearer.slice(0, -1)}${bearer.endsWith('A') ? 'B' : 'A'}`;
  const get = (path: string, authorization: string, address: string) =>
    fetch(pair.sc.url(path), { headers: { authorization, 'x-forwarded-for': address } });
  const post = (path: string, authorization: string, body: unknown, address = '198.51.100.1') =>
    fetch(pair.sc.url(path), { method: 'POST', headers: { authorization, 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify(body) });

  /** Counts look-ups of the credentials table while `work` runs. */
  async function credentialReads(work: () => Promise<void>): Promise<number> {
    const original = CredentialStore.prototype.get;
    let reads = 0;
    CredentialStore.prototype.get = function counted(this: CredentialStore, credentialId: string) {
      reads += 1;
      return original.call(this, credentialId);
    };
    try {
      await work();
    } finally {
      CredentialStore.prototype.get = original;
    }
    return reads;
  }

  it('refuses the sixth wrong secret of a credential with 429 and Retry-After, without a look-up, until the window passes', async () => {
    const window = demo('sc-chengdu-jinjiang');
    for (let i = 0; i < 5; i += 1) {
      const refused = await get('/api/v1/applications', wrongSecret(window), `192.0.2.${String(i + 1)}`);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
    }
    let sixth: Response | undefined;
    let right: Response | undefined;
    const reads = await credentialReads(async () => {
      sixth = await get('/api/v1/applications', wrongSecret(window), '192.0.2.6');
      // The right secret too: the lock is on the credential, whatever the secret.
      right = await get('/api/v1/applications', window, '192.0.2.7');
    });
    expect(reads).toBe(0);
    for (const response of [sixth!, right!]) {
      expect(response.status).toBe(429);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('retry-after')).toBe('900');
      expect(((await response.json()) as { code: string }).code).toBe('AUTH_LOCKED_OUT');
    }
    pair.clock.advance(15 * 60_000);
    expect((await get('/api/v1/applications', window, '192.0.2.7')).status).toBe(200);
    // The success reset the credential's count: one more wrong secret is a plain 401 again.
    expect((await get('/api/v1/applications', wrongSecret(window), '192.0.2.8')).status).toBe(401);
  });

  it('locks a source address after twenty failures across different credential ids, known or not', async () => {
    const address = '192.0.2.100';
    for (let i = 0; i < 20; i += 1) {
      const bearer = i < 4 ? wrongSecret(demo('sc-operator')) : `Bearer guessed-${String(i)}.AAAAAAAAAAAAAAAAAAAAAAAA`;
      expect((await get('/api/v1/whoami', bearer, address)).status).toBe(401);
    }
    const reads = await credentialReads(async () => {
      const locked = await get('/api/v1/whoami', demo('sc-mianyang-fucheng'), address);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await locked.json()) as { code: string }).code).toBe('AUTH_LOCKED_OUT');
    });
    expect(reads).toBe(0);
    // From another address the same credential works; the operator's four failures did not lock it.
    expect((await get('/api/v1/whoami', demo('sc-mianyang-fucheng'), '192.0.2.101')).status).toBe(200);
    expect((await get('/api/v1/whoami', demo('sc-operator'), '192.0.2.101')).status).toBe(200);
  });

  it('lists credentials for an operator without secrets or their hashes', async () => {
    const response = await get('/api/v1/operator/credentials', demo('sc-operator'), '198.51.100.1');
    expect(response.status).toBe(200);
    const text = await response.text();
    const { items } = JSON.parse(text) as { items: Record<string, unknown>[] };
    expect(items.map((c) => c['credentialId'])).toEqual(['sc-chengdu-jinjiang', 'sc-mianyang-fucheng', 'sc-operator']);
    expect(items[0]).toEqual({
      credentialId: 'sc-chengdu-jinjiang',
      role: 'window',
      name: '成都市锦江区社保经办窗口',
      region: '510104',
      agency: '成都市锦江区社会保险事业管理局',
      state: 'active',
      createdAt: expect.stringMatching(/\+08:00$/),
      expiresAt: expect.stringMatching(/\+08:00$/),
      disabledAt: null,
      disabledReason: null,
      lastUsedAt: expect.stringMatching(/\+08:00$/),
    });
    for (const issued of pair.sc.gateway.demoCredentials) {
      const secret = issued.token.split('.')[1];
      expect(text).not.toContain(secret);
      expect(text).not.toContain(createHash('sha256').update(secret).digest('hex'));
    }
  });

  it('answers 403 to a window on every credential action', async () => {
    const window = demo('sc-mianyang-fucheng');
    const answers = [
      await get('/api/v1/operator/credentials', window, '198.51.100.2'),
      await post('/api/v1/operator/credentials/sc-chengdu-jinjiang/disable', window, { reason: 'not mine to do' }),
      await post('/api/v1/operator/credentials/sc-chengdu-jinjiang/reissue', window, { reason: 'not mine to do' }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(((await answer.json()) as { code: string }).code).toBe('FORBIDDEN');
    }
  });

  it('refuses a credential action without a reason, on an unknown credential, or on the operator itself', async () => {
    const operator = demo('sc-operator');
    const noReason = await post('/api/v1/operator/credentials/sc-chengdu-jinjiang/disable', operator, {});
    expect(noReason.status).toBe(400);
    expect(await noReason.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'reason' })] });
    const badDays = await post('/api/v1/operator/credentials/sc-chengdu-jinjiang/reissue', operator, { reason: 'yearly', expiresInDays: 0 });
    expect(await badDays.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'expiresInDays' })] });
    const unknown = await post('/api/v1/operator/credentials/sc-nowhere/disable', operator, { reason: 'typo test' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('CREDENTIAL_NOT_FOUND');
    const itself = await post('/api/v1/operator/credentials/sc-operator/disable', operator, { reason: 'oops' });
    expect(itself.status).toBe(403);
    expect(((await itself.json()) as { code: string }).code).toBe('FORBIDDEN');
  });

  it('disables a credential at once (audited), then reissues it: the old secret is refused, the new one works', async () => {
    const operator = demo('sc-operator');
    const window = demo('sc-mianyang-fucheng');
    // Verified a moment ago: remembered for a few seconds, which disabling must not wait for.
    expect((await get('/api/v1/applications', window, '198.51.100.3')).status).toBe(200);
    const disabled = await post('/api/v1/operator/credentials/sc-mianyang-fucheng/disable', operator, { reason: '窗口电脑失窃' });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ credentialId: 'sc-mianyang-fucheng', state: 'disabled', disabledReason: '窗口电脑失窃' });
    const refused = await get('/api/v1/applications', window, '198.51.100.3');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('CREDENTIAL_DISABLED');

    const reissued = await post('/api/v1/operator/credentials/sc-mianyang-fucheng/reissue', operator, { reason: '新电脑', expiresInDays: 7 });
    expect(reissued.status).toBe(200);
    expect(reissued.headers.get('cache-control')).toBe('no-store');
    const body = (await reissued.json()) as { credentialId: string; token: string; expiresAt: string; state: string };
    expect(body).toMatchObject({ credentialId: 'sc-mianyang-fucheng', state: 'active', expiresAt: expect.stringMatching(/\+08:00$/) });
    expect(body.token).toMatch(/^sc-mianyang-fucheng\.[A-Za-z0-9_-]{20,}$/);
    const old = await get('/api/v1/applications', window, '198.51.100.3');
    expect(old.status).toBe(401);
    expect(((await old.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
    expect((await get('/api/v1/applications', `Bearer ${body.token}`, '198.51.100.3')).status).toBe(200);

    const audit = (await (await get('/api/v1/operator/audit?subject=sc-mianyang-fucheng', operator, '198.51.100.1')).json()) as {
      items: { action: string; operatorId: string; reason: string; detailJson: string | null }[];
    };
    expect(audit.items.map((a) => [a.action, a.operatorId, a.reason])).toEqual([
      ['credential-reissue', 'sc-operator', '新电脑'],
      ['credential-disable', 'sc-operator', '窗口电脑失窃'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(body.token.split('.')[1]);
  });

  it('tells who-am-i when the credential expires and warns within the configured days; refuses it once expired', async () => {
    const operator = demo('sc-operator');
    const reissued = (await (await post('/api/v1/operator/credentials/sc-chengdu-jinjiang/reissue', operator, { reason: 'short trial', expiresInDays: 20 })).json()) as { token: string };
    const bearer = `Bearer ${reissued.token}`;
    const whoami = async () => (await (await get('/api/v1/whoami', bearer, '198.51.100.4')).json()) as { expiresAt: string; expiresSoon: boolean; code?: string };
    expect(await whoami()).toMatchObject({ expiresAt: expect.stringMatching(/\+08:00$/), expiresSoon: false });
    pair.clock.advance(7 * DAY_MS);
    expect(await whoami()).toMatchObject({ expiresSoon: true });
    pair.clock.advance(13 * DAY_MS);
    const expired = await get('/api/v1/applications', bearer, '198.51.100.4');
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { code: string }).code).toBe('CREDENTIAL_EXPIRED');
    // A wrong secret for the expired credential says nothing about it.
    const guessed = await get('/api/v1/applications', wrongSecret(bearer), '198.51.100.5');
    expect(((await guessed.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
  });
});
