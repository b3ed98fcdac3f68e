import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { cardApplication, freshIdNumber } from '../e2e/support/applications.js';
import { TwoNodeHarness } from '../e2e/support/two-node-harness.js';
import { chromiumAvailable, launchChromium, newPage, signIn } from './support/browser.js';

const describeWithBrowser = chromiumAvailable() ? describe : describe.skip;

/**
 * Issue 15 point 3 in the console: the answer to a submission is lost after the gateway
 * committed the case (the connection reset). The console sends the form again under the same
 * Idempotency-Key and shows the original receipt; the gateway holds one case.
 */
describeWithBrowser('the console retries a submission that got no answer under its key', () => {
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

  it('shows the first receipt after a reset answer, and the gateway keeps one case', async () => {
    const page: Page = await newPage(browser, 'window');
    await page.goto(h.cq.url('/console'));
    await signIn(page, h.cq.url(''), h.cq.window);
    await page.getByLabel('办理事项').selectOption('ssc.apply');
    await page.locator('#f-applicant_idNumber').waitFor();
    const id = freshIdNumber();
    const valid = cardApplication({ issuingRegion: '510104', idNumber: id });
    await page.locator('#f-kind').selectOption('replace-damaged');
    await page.locator('#f-applicant_idNumber').fill(id);
    await page.locator('#f-applicant_name').fill(valid.applicant.name);
    await page.locator('#f-applicant_phone').fill(valid.applicant.phone);
    await page.locator('#f-issuingRegion').fill('510104');
    await page.locator('#f-deliveryAddress_region').fill(valid.deliveryAddress.region);
    await page.locator('#f-deliveryAddress_line').fill(valid.deliveryAddress.line);
    await page.locator('#f-deliveryAddress_postcode').fill(valid.deliveryAddress.postcode);
    await page.locator('#f-photoRef').fill(valid.photoRef);
    await page.getByRole('button', { name: '添加一项' }).click();
    await page.locator('#f-materials_0__type').fill(valid.materials[0].type);
    await page.locator('#f-materials_0__sha256').fill(valid.materials[0].sha256);

    // The first submission reaches the gateway (the case is committed); its answer is dropped.
    const keys: string[] = [];
    const replayed: string[] = [];
    let attempts = 0;
    await page.route('**/api/v1/applications', async (route) => {
      attempts += 1;
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      const response = await route.fetch();
      if (attempts === 1) {
        await route.abort('connectionreset');
        return;
      }
      replayed.push(response.headers()['idempotent-replayed'] ?? '');
      await route.fulfill({ response });
    });
    await page.getByRole('button', { name: '提交受理' }).click();

    const caseNo = page.locator('#receipt-case-no');
    await caseNo.waitFor();
    const caseId = (await caseNo.textContent())!.trim();
    expect(attempts).toBe(2);
    expect(keys[0]).toMatch(/^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/);
    expect(keys[1]).toBe(keys[0]);
    expect(replayed).toEqual(['true']);
    const listed = await request(h.cq.url('')).get('/api/v1/applications').query({ idNumber: id }).set('authorization', h.cq.window);
    expect((listed.body as { items: { caseId: string }[] }).items.map((c) => c.caseId)).toEqual([caseId]);
    await page.context().close();
  }, 60_000);
});
