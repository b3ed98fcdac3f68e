import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { statutoryHolidays } from '#core';
import { DEFAULT_RETRY_POLICY } from '#delivery';
import { createGatewayApp } from '../../apps/gateway/src/gateway-app.js';
import { cardApplication, freshIdNumber } from '../e2e/support/applications.js';
import { eventually } from '../e2e/support/free-port.js';
import { TwoNodeHarness, type NodeUnderTest } from '../e2e/support/two-node-harness.js';
import { chromiumAvailable, launchChromium, newPage, pageErrors, shot, signIn } from './support/browser.js';
import { authorityOf, publishFederationFiles, signedWith } from './support/federation.js';

const available = chromiumAvailable();
const describeWithBrowser = available ? describe : describe.skip;

if (!available && process.env.CI === 'true') {
  describe('browser tests in CI', () => {
    it('needs Debian chromium at /usr/bin/chromium (.ci/run installs it)', () => {
      throw new Error('chromium is missing: the browser tests cannot be skipped in CI');
    });
  });
}

/** Stops one node's gateway as an outage would: open connections (keep-alive ones too) drop at once. */
async function stopGateway(n: NodeUnderTest): Promise<void> {
  // Why: a graceful close otherwise waits for the browser's and the harness's idle keep-alive sockets.
  n.gateway.app.getHttpAdapter().getInstance().server.closeAllConnections();
  await n.gateway.close();
}

/** Restarts one node's gateway with a changed configuration (same database, keys and ports). */
async function restartWith(h: TwoNodeHarness, n: NodeUnderTest, change: Partial<NodeUnderTest['config']> = {}): Promise<void> {
  await stopGateway(n);
  n.gateway = await createGatewayApp({ ...n.config, ...change }, { clock: h.clock, federation: h.federationDocument(), logs: false, docsUi: false });
  await n.gateway.listen();
}

describeWithBrowser('the web console (/console) in Chromium against both provinces', () => {
  let h: TwoNodeHarness;
  let browser: Browser;

  beforeAll(async () => {
    h = await TwoNodeHarness.start();
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('lets a clerk fix an invalid field, print the receipt and follow the case to completion', async () => {
    const page: Page = await newPage(browser, 'window');
    await page.goto(h.cq.url('/console'));
    await shot(page, '01-sign-in');
    await signIn(page, h.cq.url(''), h.cq.window);
    expect(await page.locator('#role-badge').textContent()).toBe('窗口人员');

    // One form per service, generated from the schemas the node publishes.
    await page.getByLabel('办理事项').selectOption('ssc.apply');
    await page.locator('#f-applicant_idNumber').waitFor();
    // Labels come from the schema titles (Chinese); every input has one.
    expect(await page.locator('label[for="f-applicant_idNumber"]').textContent()).toContain('身份证号码');
    const unlabelled = await page.locator('main input, main select, main textarea').evaluateAll(
      (els) =>
        (els as unknown as { labels: unknown[]; getAttribute(name: string): string | null }[]).filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label')).length,
    );
    expect(unlabelled).toBe(0);
    const valid = cardApplication({ issuingRegion: '510104' });
    await page.locator('#f-kind').selectOption('replace-damaged');
    await page.locator('#f-applicant_idNumber').fill('510104198503121230'); // wrong check character
    await page.locator('#f-applicant_name').fill(valid.applicant.name);
    await page.locator('#f-applicant_phone').fill(valid.applicant.phone);
    await page.locator('#f-issuingRegion').fill('510104');
    await page.locator('#f-deliveryAddress_region').fill(valid.deliveryAddress.region);
    await page.locator('#f-deliveryAddress_line').fill(valid.deliveryAddress.line);
    await page.locator('#f-deliveryAddress_postcode').fill(valid.deliveryAddress.postcode);
    await page.locator('#f-photoRef').fill(valid.photoRef);
    // Keyboard only for the repeatable group: focus the button and press Enter.
    await page.getByRole('button', { name: '添加一项' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#f-materials_0__type').fill(valid.materials[0].type);
    await page.locator('#f-materials_0__sha256').fill(valid.materials[0].sha256);
    await shot(page, '02-window-form');
    await page.getByRole('button', { name: '提交受理' }).click();

    // The API's refusal, in Chinese, next to the field it names (applicant.idNumber).
    const idError = page.locator('#f-applicant_idNumber-error');
    await idError.filter({ hasText: '身份证号码' }).waitFor();
    expect(await idError.textContent()).toMatch(/身份证号码/);
    expect(await page.locator('#f-applicant_idNumber').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field-error:not(:empty)').count()).toBe(1);
    await shot(page, '03-window-form-error');

    const id = freshIdNumber();
    await page.locator('#f-applicant_idNumber').fill(id);
    await page.getByRole('button', { name: '提交受理' }).click();

    // The acceptance receipt: case number, its QR code, the masked ID.
    const caseNo = page.locator('#receipt-case-no');
    await caseNo.waitFor();
    const caseId = (await caseNo.textContent())!.trim();
    expect(caseId).toMatch(/^CQ-\d{8}-[0-9A-Z]{10}$/);
    await eventually(() => page.locator('#receipt-qr').getAttribute('src'), (src) => src?.startsWith('data:image/svg+xml') ?? false);
    expect(await page.locator('.receipt').textContent()).toContain(`${'*'.repeat(14)}${id.slice(-4)}`);
    expect(await page.locator('.receipt').textContent()).not.toContain(id);
    // 09:00 in Shanghai although the browser's zone is Berlin.
    expect(await page.locator('.receipt').textContent()).toContain('2026/11/23 09:00:00');
    await shot(page, '04-receipt');

    await page.getByRole('link', { name: '查看办理进度' }).click();
    await page.locator('#timeline li').first().waitFor();
    await eventually(() => h.caseAt(h.cq, caseId), (c) => c.timeline.some((e) => e.stage === 'agency-received'));
    await page.getByRole('button', { name: '刷新' }).click();
    await page.locator('#case-held-by', { hasText: '四川' }).waitFor();
    expect(await page.locator('#case-time-limit').textContent()).toMatch(/剩余 30 个工作日/);
    await shot(page, '05-timeline-in-progress');

    // Drive the agencies on the frozen clock; the page follows on its own.
    const done = await h.runToEnd(h.cq, caseId);
    expect(done.status).toBe('completed');
    await page.locator('#case-status[data-status="completed"]').waitFor({ timeout: 10_000 });
    const stages = await page.locator('#timeline li').evaluateAll((items) => items.map((li) => (li as unknown as { dataset: Record<string, string> }).dataset['stage']));
    expect(stages).toEqual(done.timeline.map((e) => e.stage));
    expect(await page.locator('#timeline li.last').textContent()).toContain('已领取');
    expect(await page.locator('#case-time-limit').textContent()).toContain('已办结');
    await shot(page, '06-timeline-completed');

    // Search by the applicant's ID number: the number is shown masked, the case listed.
    await page.getByRole('link', { name: '案件查询' }).click();
    await page.getByLabel('案件编号或申请人身份证号码').fill(id);
    await page.getByRole('button', { name: '查询', exact: true }).click();
    await page.locator('#search-results h2').waitFor();
    expect(await page.locator('#search-results h2').textContent()).toContain(`${'*'.repeat(14)}${id.slice(-4)}`);
    expect(await page.locator('#search-results').textContent()).toContain(caseId);
    expect(await page.locator('body').textContent()).not.toContain(id);
    expect(await page.getByLabel('案件编号或申请人身份证号码').inputValue()).toBe('');
    await shot(page, '07-search');

    // The English switch.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'Find a case' }).waitFor();
    await shot(page, '08-search-english');
    await page.getByRole('button', { name: '中文' }).click();
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('serves the console under a strict content policy and its endpoints to the right role only', async () => {
    const cq = () => request(h.cq.url(''));
    const index = await cq().get('/console');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.text).not.toMatch(/https?:\/\//); // nothing from the internet
    expect((await cq().get('/console/..%2Fconsole-assets.ts')).status).toBe(404);

    const whoami = async (auth: string) => (await cq().get('/api/v1/whoami').set('authorization', auth)).body as unknown;
    expect(await whoami(h.cq.window)).toMatchObject({ role: 'window', node: 'CQ' });
    expect(await whoami(h.cq.operator)).toMatchObject({ role: 'operator', node: 'CQ' });
    expect(await whoami('Bearer nobody.aaaaaaaaaaaaaaaaaaaaaaaa')).toMatchObject({ code: 'UNAUTHENTICATED' });

    const submitted = await cq().post('/api/v1/applications').set('authorization', h.cq.window).send(cardApplication());
    const { caseId } = submitted.body as { caseId: string };
    const qr = await cq().get(`/api/v1/applications/${caseId}/qr.svg`).set('authorization', h.cq.window).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done(null, text));
    });
    expect(qr.headers['content-type']).toContain('image/svg+xml');
    expect(qr.body).toContain(`<title>${caseId}</title>`);
    const otherWindow = await cq().get(`/api/v1/applications/${caseId}/qr.svg`).set('authorization', h.cq.otherWindow);
    expect(otherWindow.status).toBe(404);
    expect(JSON.parse(otherWindow.text)).toMatchObject({ code: 'CASE_NOT_FOUND' });

    const week = await cq().get('/api/v1/operator/routes?range=week').set('authorization', h.cq.operator);
    expect(week.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'range' }] });
    expect((await cq().get('/api/v1/operator/routes').set('authorization', h.cq.window)).status).toBe(403);
    const day = (await cq().get('/api/v1/operator/routes?range=day').set('authorization', h.cq.operator)).body as {
      routes: { destination: string; points: unknown[] }[];
    };
    expect(day.routes.map((r) => r.destination)).toEqual(expect.arrayContaining(['peer:SC', 'self', 'agency:CQ.card']));
    expect(day.routes[0].points).toHaveLength(96);
  });

  it('shows an operator the dead letters a stopped peer left, and delivers them on replay, one and then many, once the peer is back', async () => {
    // Peer messages dead-letter after two attempts or 30 s here, so the test does not wait for a
    // day. The age counts for the message whose second try met the open circuit (a probe, which
    // uses no attempt of its message).
    await restartWith(h, h.cq, { retryPolicies: { ...h.cq.config.retryPolicies, 'peer:*': { ...DEFAULT_RETRY_POLICY, maxAttempts: 2, maxAgeMs: 30_000, baseDelayMs: 100, jitter: 0 } } });
    await stopGateway(h.sc);

    // Three applications while Sichuan is down: three dead letters, to replay one and then many.
    const caseIds: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await request(h.cq.url('')).post('/api/v1/applications').set('authorization', h.cq.window).send(cardApplication({ issuingRegion: '510104' }));
      expect(response.status).toBe(201);
      caseIds.push((response.body as { caseId: string }).caseId);
    }
    const deadLetters = async () => (await h.cq.gateway.db.read((s) => s.outbox.list({ destination: 'peer:SC', state: 'dead' }))).filter((m) => caseIds.includes(m.caseId ?? ''));
    const dead = await eventually(
      async () => {
        h.clock.advance(1_000);
        await h.cq.gateway.relay.drain();
        return deadLetters();
      },
      (rows) => rows.length === 3,
    );
    const [messageId, ...others] = dead.map((m) => m.messageId);

    const page = await newPage(browser, 'desk');
    await signIn(page, h.cq.url(''), h.cq.operator);
    expect(await page.locator('#role-badge').textContent()).toBe('运维人员');
    expect(await page.locator('body').getAttribute('class')).toContain('operator');

    // The route dashboard: the peer route with its failures drawn.
    const peerRoute = page.locator('section.route[data-destination="peer:SC"]');
    await peerRoute.waitFor();
    expect(await peerRoute.locator('figure.chart.fail figcaption').textContent()).toMatch(/失败次数.*峰值 [1-9]/);
    expect(await peerRoute.locator('svg path.line').count()).toBeGreaterThan(0);
    // Five failures in a row (three messages, two of them tried twice) opened the peer's circuit.
    expect(await peerRoute.locator('[data-circuit]').getAttribute('data-circuit')).toBe('open');
    await shot(page, '11-operator-routes-hour');
    await page.getByRole('button', { name: '最近一天' }).click();
    await page.locator('button[aria-pressed="true"]', { hasText: '最近一天' }).waitFor();
    await shot(page, '12-operator-routes-day');

    await page.getByRole('link', { name: '节点健康' }).click();
    await page.locator('[data-health="degraded"]').first().waitFor();
    expect(await page.locator('main').textContent()).toContain('对端节点 四川');
    await shot(page, '13-operator-health-peer-down');

    await page.getByRole('link', { name: '死信队列' }).click();
    const row = page.locator('tr', { has: page.locator(`input[data-message-id="${messageId}"]`) });
    await row.waitFor();
    expect(await row.textContent()).toContain('RETRIES_EXHAUSTED');
    expect(await row.textContent()).toContain('peer:SC');
    await shot(page, '14-operator-dead-letters');

    // The peer is back; the operator replays one dead letter with a reason, then the rest at once.
    await restartWith(h, h.sc);
    // The breaker opened on the failures: the business clock moves past its wait so it probes again.
    h.clock.advance(h.cq.config.circuit.maxOpenMs);
    await page.getByLabel('重放原因').fill('四川节点已恢复，重新投递');
    await row.getByRole('button', { name: `重放 ${messageId}` }).click();
    await page.locator('#replay-progress-text', { hasText: '已重放 1 条' }).waitFor();
    await page.locator(`#replay-follow [data-state="delivered"]`).waitFor({ timeout: 15_000 });
    for (const id of others) await page.getByLabel(`选择消息 ${id}`, { exact: true }).waitFor();
    await page.getByLabel('全选').check();
    await page.getByRole('button', { name: /重放所选（2）/ }).click();
    await page.locator('#replay-progress-text', { hasText: '已重放 2 条' }).waitFor();
    expect(await page.locator('#replay-progress').evaluate((p) => (p as unknown as { value: number; max: number }).value)).toBe(2);
    await eventually(() => page.locator('#replay-follow [data-state="delivered"]').count(), (n) => n === 3, 15_000);
    await shot(page, '15-operator-replayed-delivered');
    for (const id of [messageId, ...others]) expect((await h.cq.gateway.db.read((s) => s.outbox.get(id)))?.state).toBe('delivered');
    expect(await deadLetters()).toEqual([]);

    await page.getByRole('link', { name: '审计记录' }).click();
    // The trail's own rows, not the dead-letter table still on screen while the page changes.
    await page.locator('main table', { hasText: '四川节点已恢复，重新投递' }).waitFor();
    expect(await page.locator('main table').textContent()).toContain('四川节点已恢复，重新投递');
    expect(await page.locator('main table').textContent()).toContain(messageId);
    await shot(page, '16-operator-audit');

    await page.getByRole('link', { name: '超期案件' }).click();
    await page.locator('main h2').waitFor();
    await shot(page, '17-operator-overdue');
    await page.getByRole('link', { name: '签名密钥' }).click();
    await page.locator('main table').waitFor();
    await shot(page, '18-operator-keys');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('lets an operator see the federation in force and change it with a reason and a signed document, refusing a foreign or older one with its code; a window clerk has no such page', async () => {
    const cq = h.cq;
    const federation = h.federationDocument();
    const authority = await publishFederationFiles(h, cq);
    // Serial 2 issued a day later (10:30 in Shanghai), by the authority; serial 3 by a rogue one.
    const serial2 = await signedWith(authority, federation, 2, '2026-11-24T02:30:00.000Z');
    const rogue = await signedWith(await authorityOf(h, 'rogue-authority'), federation, 3);
    const serial1Again = await signedWith(authority, federation, 1);

    const page = await newPage(browser, 'desk');
    await signIn(page, cq.url(''), cq.operator);
    await page.getByRole('link', { name: '联邦配置' }).click();
    const serial = page.locator('#federation-serial');
    await serial.waitFor();
    expect(await serial.textContent()).toBe('1');
    // Issued at 09:00 in Shanghai although the browser's zone is Berlin.
    expect(await page.locator('#federation-issued-at').textContent()).toBe('2026/11/23 09:00:00');
    expect(await page.locator('#federation-rules').textContent()).toBe(`${federation.rules?.length ?? 0} 条`);
    const nodes = page.locator('#federation-in-force table');
    for (const n of federation.nodes) {
      const row = nodes.locator('tr', { has: page.locator(`[data-node="${n.node}"]`) });
      for (const key of n.keys) expect(await row.textContent()).toContain(key.kid);
      for (const agency of n.agencies ?? []) expect(await row.textContent()).toContain(agency.code);
    }
    const unlabelled = await page.locator('main input, main textarea').evaluateAll(
      (els) => (els as unknown as { labels: unknown[] }[]).filter((el) => el.labels.length === 0).length,
    );
    expect(unlabelled).toBe(0);
    await shot(page, '21-operator-federation');

    // No reason: refused in the form, next to the field, with nothing sent (keyboard only).
    await page.locator('#federation-submit').focus();
    await page.keyboard.press('Enter');
    await page.locator('#federation-reason-error', { hasText: '请填写更换原因' }).waitFor();
    expect(await page.getByLabel('更换原因').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('federation-reason');
    await shot(page, '22-operator-federation-no-reason');

    // A reason and no document: the node reads its FEDERATION_FILE again, which is serial 1.
    await page.getByLabel('更换原因').fill('核对正在使用的联邦配置');
    await page.getByRole('button', { name: '更换联邦配置' }).click();
    await page.locator('#federation-outcome', { hasText: '序号 1 已在使用中' }).waitFor();
    expect(await page.getByLabel('更换原因').getAttribute('aria-invalid')).toBeNull();

    // Garbage pasted: the API's field error next to the document, and the code in the summary.
    await page.getByLabel('签名后的联邦配置（可选）').fill('这不是签名文档');
    await page.getByRole('button', { name: '更换联邦配置' }).click();
    await page.locator('#federation-error-code', { hasText: 'VALIDATION_FAILED' }).waitFor();
    expect(await page.locator('#federation-document-error').textContent()).toBe('格式不正确');
    expect(await page.getByLabel('签名后的联邦配置（可选）').getAttribute('aria-invalid')).toBe('true');

    // Signed by another authority: refused with its code, serial 1 stays.
    await page.getByLabel('签名后的联邦配置（可选）').fill(rogue);
    await page.getByRole('button', { name: '更换联邦配置' }).click();
    await page.locator('#federation-error-code', { hasText: 'FEDERATION_SIGNATURE_INVALID' }).waitFor();
    expect(await page.locator('#federation-error h2').textContent()).toContain('仍使用序号 1');
    expect(await page.locator('#federation-document-error').textContent()).toContain('联邦管理机构');
    expect(await serial.textContent()).toBe('1');
    // What the page says is what the node holds.
    expect(((await (await fetch(cq.url('/api/v1/operator/federation'), { headers: { authorization: cq.operator } })).json()) as { serial: number }).serial).toBe(1);
    await shot(page, '23-operator-federation-foreign-signature');

    // The authority's serial 2, read from a file the operator chooses.
    await page.getByLabel('或从文件读取').setInputFiles({ name: 'federation-2.jws', mimeType: 'application/jose', buffer: Buffer.from(`${serial2}\n`) });
    await eventually(() => page.getByLabel('签名后的联邦配置（可选）').inputValue(), (text) => text === serial2);
    await page.getByLabel('更换原因').fill('管理机构签发第 2 版联邦配置');
    await page.getByRole('button', { name: '更换联邦配置' }).click();
    await page.locator('#federation-outcome', { hasText: '已更换：序号 1 → 2' }).waitFor();
    await page.locator('#federation-serial', { hasText: '2' }).waitFor();
    expect(await page.locator('#federation-issued-at').textContent()).toBe('2026/11/24 10:30:00');
    expect(await page.locator('#federation-error').count()).toBe(0);
    expect(await page.getByLabel('签名后的联邦配置（可选）').inputValue()).toBe('');
    await shot(page, '24-operator-federation-changed');
    expect(((await (await fetch(cq.url('/api/v1/operator/federation'), { headers: { authorization: cq.operator } })).json()) as { serial: number }).serial).toBe(2);

    // Back to serial 1, although the authority signed it: a rollback, refused; serial 2 stays.
    await page.getByLabel('签名后的联邦配置（可选）').fill(serial1Again);
    await page.getByLabel('更换原因').fill('退回第 1 版');
    await page.getByRole('button', { name: '更换联邦配置' }).click();
    await page.locator('#federation-error-code', { hasText: 'FEDERATION_ROLLBACK' }).waitFor();
    expect(await page.locator('#federation-error h2').textContent()).toContain('仍使用序号 2');
    expect(await serial.textContent()).toBe('2');
    expect(((await (await fetch(cq.url('/api/v1/operator/federation'), { headers: { authorization: cq.operator } })).json()) as { serial: number }).serial).toBe(2);
    await shot(page, '25-operator-federation-rollback');

    // In English too.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Federation in force' }).waitFor();
    expect(await page.getByLabel('Reason for the change').count()).toBe(1);
    await page.getByRole('button', { name: '中文' }).click();

    // Every attempt that reached the node is in the audit trail (the re-read of serial 1 and the
    // change to 2; the foreign and the older document with their codes). The garbage never got
    // past the API's validation, so it left nothing there.
    await page.getByRole('link', { name: '审计记录' }).click();
    // The audit page's own rows, not a table the page before it left on screen (a loaded machine
    // showed the race: the count ran before the trail had rendered).
    const audit = page.locator('main table');
    await audit.locator('[data-action="federation-reload-refused"]').first().waitFor();
    expect(await audit.locator('[data-action="federation-reloaded"]').count()).toBe(2);
    expect(await audit.locator('[data-action="federation-reload-refused"]').count()).toBe(2);
    expect(await audit.locator('[data-action="federation-reloaded"]').first().textContent()).toBe('更换联邦配置');
    const trail = (await audit.textContent()) ?? '';
    for (const text of ['核对正在使用的联邦配置', '管理机构签发第 2 版联邦配置', '序号 1 → 2', 'FEDERATION_SIGNATURE_INVALID', 'FEDERATION_ROLLBACK']) expect(trail).toContain(text);
    expect(trail).toContain('序号 1（未更改）');
    expect(trail).not.toContain('VALIDATION_FAILED');
    await shot(page, '26-operator-audit-federation');
    await page.context().close();

    // A window clerk has no federation page: no nav entry, and the address leads back to the form.
    const clerk = await newPage(browser, 'window');
    await signIn(clerk, cq.url(''), cq.window);
    await clerk.locator('#tabs a').first().waitFor();
    expect(await clerk.locator('#tabs a[href="#/federation"]').count()).toBe(0);
    expect(await clerk.locator('#tabs').textContent()).not.toContain('联邦配置');
    await clerk.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/federation';
    });
    await clerk.waitForURL(/#\/apply$/);
    expect(await clerk.locator('main').textContent()).not.toContain('联邦配置');
    expect(pageErrors).toEqual([]);
    await clerk.context().close();
  }, 120_000);

  it("warns an operator that next year's holiday arrangement is missing, and lets them load it line by line, with a bad line and a weekday 调休 refused next to their field", async () => {
    const sc = h.sc;
    const page = await newPage(browser, 'desk');
    await signIn(page, sc.url(''), sc.operator);
    // The harness's clock stands in November 2026, and 2027 is only provisional: a banner on every operator page.
    const banner = page.locator('[data-warning="HOLIDAYS_NEXT_YEAR_MISSING"]').first();
    await banner.waitFor();
    expect(await banner.textContent()).toContain('2027 年节假日安排尚未录入');
    await page.getByRole('link', { name: '节假日安排', exact: true }).first().click();
    await page.locator('[data-year="2027"][data-status="provisional"]').waitFor();
    await shot(page, '24-operator-calendar');

    const lines = statutoryHolidays(2027).holidays.map(([date, name]) => `${date} ${name}`);
    await page.locator('#calendar-year').fill('2027');
    await page.getByLabel('通知文号').fill('国办发明电〔2026〕测试号');
    await page.getByLabel('放假日期').fill([...lines, '2027-02-09 春节', '2027-02-10春节'].join('\n'));
    await page.getByLabel('录入原因').fill('国务院办公厅 2027 年节假日安排已发布');
    await page.getByRole('button', { name: '录入并生效' }).click();
    // "2027-02-10春节" lacks the separator: refused in the form, nothing sent.
    await page.locator('#calendar-holidays-error', { hasText: `第 ${lines.length + 2} 行` }).waitFor();
    await page.getByLabel('放假日期').fill([...lines, '2027-02-09 春节', '2027-02-10 春节'].join('\n'));
    await page.getByLabel('调休上班日期').fill('2027-02-12 春节调休'); // a Friday
    await page.getByRole('button', { name: '录入并生效' }).click();
    await page.locator('#calendar-working-error', { hasText: '调休上班日须为周六或周日' }).waitFor();
    expect(await page.getByLabel('调休上班日期').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('调休上班日期').fill('2027-02-13 春节调休\n2027-02-20 春节调休');
    await page.getByRole('button', { name: '录入并生效' }).click();
    await page.locator('#calendar-outcome', { hasText: '2027 年节假日安排已生效' }).waitFor();
    await page.locator('[data-year="2027"][data-status="published"]').waitFor();
    expect(await page.locator('[data-warning="HOLIDAYS_NEXT_YEAR_MISSING"]').count()).toBe(0);
    // What the page says is what the node holds, and the node says who changed it.
    const years = (await (await fetch(sc.url('/api/v1/operator/holidays'), { headers: { authorization: sc.operator } })).json()) as { items: { year: number; status: string }[] };
    expect(years.items).toContainEqual(expect.objectContaining({ year: 2027, status: 'published' }));
    await shot(page, '25-operator-calendar-loaded');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('lets an operator reissue a window credential for a short time and disable it; the clerk sees the expiry warning, then is signed out', async () => {
    const sc = h.sc;
    const second = sc.credentials.filter((c) => c.role === 'window')[1];
    const page = await newPage(browser, 'desk');
    await signIn(page, sc.url(''), sc.operator);
    await page.getByRole('link', { name: '访问凭证' }).click();
    await page.locator(`[data-reissue="${second.credentialId}"]`).waitFor();
    // The operator's own row has no disable button (a node must keep an operator).
    expect(await page.locator('[data-disable="sc-operator"]').count()).toBe(0);
    // No reason: refused in the page, nothing sent.
    await page.locator(`[data-reissue="${second.credentialId}"]`).click();
    expect(await page.locator('#credential-reason-error').textContent()).toBe('请填写操作原因（至少 3 个字）');
    await page.getByLabel('操作原因').fill('窗口更换电脑');
    await page.getByLabel('有效天数（重新签发时）').fill('7');
    await page.locator(`[data-reissue="${second.credentialId}"]`).click();
    const token = await page.locator('#credential-token').inputValue();
    expect(token).toMatch(new RegExp(`^${second.credentialId}\\.`));
    expect(await page.locator('#credential-issued').textContent()).toContain('新凭证仅显示这一次');
    const unlabelled = await page.locator('main input').evaluateAll((els) => (els as unknown as { labels: unknown[] }[]).filter((el) => el.labels.length === 0).length);
    expect(unlabelled).toBe(0);
    await shot(page, '30-operator-credentials');

    // The clerk signs in with the new token: it expires within the warning days.
    const clerk = await newPage(browser, 'window');
    await signIn(clerk, sc.url(''), token);
    const warning = clerk.locator('#credential-expiry-warning');
    await warning.waitFor();
    const day = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(h.clock.nowMs() + 7 * 24 * 3600_000);
    expect(await warning.textContent()).toContain(`本凭证将于 ${day}`);
    await shot(clerk, '31-window-credential-expiry-warning');

    // Disabled by the operator: the clerk's next page is refused and the sign-in says why.
    await page.getByLabel('操作原因').fill('窗口电脑失窃');
    await page.locator(`[data-disable="${second.credentialId}"]`).click();
    await page.locator(`[data-credential-state="disabled"]`).waitFor();
    await clerk.reload();
    await clerk.locator('#token').waitFor();
    await clerk.getByLabel('访问凭证').fill(token);
    await clerk.getByLabel('访问凭证').press('Enter');
    await clerk.locator('#token-error', { hasText: '凭证已被运维人员停用' }).waitFor();
    expect(pageErrors).toEqual([]);
    await page.context().close();
    await clerk.context().close();
  }, 120_000);
});
