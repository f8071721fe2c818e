import * as fs from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';
import { ADMIN_LOGIN, ADMIN_PASSWORD, startApp, TestApp } from '../../support/test-app';

/**
 * A developer's path through Swagger UI in a real browser (Debian's chromium): log in as the
 * bootstrap administrator with "Try it out", authorize with the bearer token, call a protected route.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs Debian's chromium and always runs this; a developer machine without it skips it loudly.
const available = fs.existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
if (!available) console.warn(`Skipping the Swagger UI browser test: ${CHROMIUM} not found (apt-get install chromium)`);

(available ? describe : describe.skip)('Swagger UI in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await startApp({ listen: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function openOperation(method: string, path: string): Promise<ReturnType<Page['locator']>> {
    const block = page
      .locator(`.opblock-${method.toLowerCase()}`)
      .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) })
      .first();
    await block.locator('.opblock-summary').first().click();
    await block.locator('.try-out__btn').click();
    return block;
  }

  it('logs in as the bootstrap admin, authorizes with the token and calls GET /rest/v2/user/current', async () => {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const doc = await page.goto(`${t.url}/api`);
    // The page is served under the hardened CSP, and the UI still works under it (ASVS 3.4.3).
    const csp = doc?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(doc?.headers()['x-content-type-options']).toBe('nosniff');
    await page.waitForSelector('.opblock', { timeout: 20000 });

    const login = await openOperation('POST', '/rest/v2/auth/login');
    await login.locator('textarea.body-param__text').fill(JSON.stringify({ username: ADMIN_LOGIN, password: ADMIN_PASSWORD }));
    await login.locator('.execute').click();
    const loginResponse = login
      .locator('.live-responses-table .response-col_description .microlight, .live-responses-table .response-col_description pre')
      .first();
    await loginResponse.waitFor({ timeout: 20000 });
    const text = await loginResponse.innerText();
    const token = /"token":\s*"([^"]+)"/.exec(text)?.[1];
    expect(token).toBeDefined();

    await page.locator('.auth-wrapper .authorize').first().click();
    const bearerBox = page.locator('.auth-container').filter({ hasText: 'bearer' }).first();
    await bearerBox.locator('input').first().fill(token!);
    await bearerBox.locator('button.authorize').click();
    await page.locator('.modal-ux .close-modal').first().click();

    const current = await openOperation('GET', '/rest/v2/user/current');
    await current.locator('.execute').click();
    const status = current.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 20000 });
    expect((await status.innerText()).trim()).toBe('200');
    const body = await current.locator('.live-responses-table .response-col_description pre').first().innerText();
    expect(body).toContain(`"login": "${ADMIN_LOGIN}"`);
    expect(body).toContain('"passwordHash": "*"');
    // Nothing the UI needs was blocked (a refused script or style shows up as a CSP console error).
    expect(violations.filter((v) => !/validator\.swagger\.io/.test(v))).toEqual([]);
  }, 60000);
});
