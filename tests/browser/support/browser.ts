import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (apt-get install chromium); `npx playwright install` cannot download here. */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'tests', 'browser', 'artifacts');

/**
 * Whether the browser tests can run. Without chromium they say SKIPPED and pass on a
 * developer's machine, but fail in CI (CI=true), where .ci/run installs it.
 */
export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) {
    console.log(`SKIPPED browser tests: ${CHROMIUM} not found (apt-get install chromium)${process.env.CI === 'true' ? ' — required in CI' : ''}`);
  }
  return available;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Script errors raised in any console page of this run (a test expects none). */
export const pageErrors: string[] = [];

/** A page at 1280×800 (the operations desk) or 1024×640 (a window clerk's smaller screen). */
export async function newPage(browser: Browser, size: 'desk' | 'window' = 'desk'): Promise<Page> {
  const context = await browser.newContext({
    viewport: size === 'desk' ? { width: 1280, height: 800 } : { width: 1024, height: 640 },
    locale: 'zh-CN',
    // Deliberately not Shanghai: the console must show Asia/Shanghai times whatever the zone.
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // A script error in the console is a test failure, not a silent blank view.
  page.on('pageerror', (error) => {
    pageErrors.push(error.message);
    console.error(`console page error: ${error.message}`);
  });
  return page;
}

/** Saves a full-page screenshot of a view as tests/browser/artifacts/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Signs in on the console with a bearer credential (`Bearer <id>.<secret>` or the bare token). */
export async function signIn(page: Page, baseUrl: string, bearer: string): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  await page.getByLabel('访问凭证').fill(bearer.replace(/^Bearer /, ''));
  await page.getByLabel('访问凭证').press('Enter'); // keyboard only
  await page.locator('#role-badge').waitFor();
}
