import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServe, type Served } from '../helpers/serve.js';
import { tempDir } from '../helpers/core.js';

const ROOT = join(import.meta.dirname, '../..');
const FILE = join(ROOT, 'fixtures/pos/modisoft/sale-transactions-2025-07-08.csv');
const penny = (dir: string, args: string[], input?: string) =>
  execFileSync(process.execPath, [join(ROOT, 'bin/penny.mjs'), '--data-dir', dir, ...args], { cwd: ROOT, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });

async function signIn(page: Page, username: string, password: string) {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

describe('browser mode: Monitor, Reports, Settings on an imported Modisoft day', () => {
  const tmp = tempDir('penny-e2e-mr-');
  let browser: Browser;
  let served: Served;
  let page: Page;
  let imported: { transactions: number; exceptions: number; byType: Record<string, number> };

  beforeAll(async () => {
    penny(tmp.dir, ['onboard', '--store', 'Lemur Express #11', '--timezone', 'America/Chicago', '--username', 'admin', '--password-stdin'], 'night-shift-2026\n');
    penny(tmp.dir, ['user', 'add', '--role', 'viewer', '--username', 'vic', '--password-stdin'], 'viewer-pass-2026\n');
    imported = JSON.parse(penny(tmp.dir, ['import', FILE, '--json'])) as typeof imported;
    browser = await launchBrowser();
    served = await startServe(tmp.dir);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    tmp.cleanup();
  });

  it('Reports shows the counts of the imported file', async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(15_000);
    await page.goto(served.url);
    await signIn(page, 'admin', 'night-shift-2026');
    await page.goto(`${served.base}/#/reports`);
    await eventually(async () => expect(await page.getByTestId('total-exceptions').textContent()).toBe(String(imported.exceptions)));
    expect(await page.getByTestId('total-transactions').textContent()).toBe(imported.transactions.toLocaleString('en-US'));
    // This file's exceptions are its No Sales and voids, one each.
    expect(await page.getByTestId('type-no_sale').textContent()).toBe(`no sale ${imported.byType.no_sale}`);
    expect(await page.getByTestId('type-void').textContent()).toBe(`void ${imported.byType.void}`);
    await page.getByRole('table', { name: 'Exceptions by register and hour' }).waitFor();
    await screenshot(page, 'reports-1440');
  }, 60_000);

  it('Monitor lists the flagged transactions and a tap tags one', async () => {
    await page.goto(`${served.base}/#/monitor`);
    const flagged = page.locator('article.mon-card[data-kind="exception"]');
    await eventually(async () => expect(await flagged.count()).toBe(imported.exceptions));
    // The file is from 2025, far outside the alert window: its exceptions came with one summing-up alert, not one alert each.
    const summed = page.locator('article.mon-card[data-kind="alert"]');
    expect(await summed.count()).toBe(1);
    expect(await summed.getAttribute('aria-label')).toMatch(/^\d+ exceptions? found in past transactions \(Jul 8, 2025\)$/);
    await screenshot(page, 'monitor-1440');
    const first = flagged.first();
    await first.getByRole('button', { name: 'Dismiss' }).click();
    // Handled items leave the "Needs action" queue without a reload.
    await eventually(async () => expect(await flagged.count()).toBe(imported.exceptions - 1));
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await eventually(async () => expect(await flagged.count()).toBe(imported.exceptions));
    await eventually(async () => expect(await page.locator('.mon-status', { hasText: 'Dismissed' }).count()).toBe(1));
    await flagged.nth(1).getByRole('button', { name: 'Call police' }).click();
    const summary = await page.getByRole('textbox', { name: 'Incident summary' }).inputValue();
    expect(summary).toContain('Lemur Express #11');
    await page.getByRole('button', { name: 'Close' }).click();
  }, 60_000);

  it('Settings → Rules shows the rule pack with live preview for an admin', async () => {
    await page.goto(`${served.base}/#/settings/rules`);
    await page.getByRole('heading', { name: 'Rules' }).waitFor();
    const row = page.locator('tr', { hasText: 'More than 3 No Sales in 5 minutes' });
    await row.getByRole('spinbutton').first().waitFor();
    await row.getByRole('spinbutton').nth(1).fill('2');
    await eventually(async () => expect(await row.getByRole('status').textContent()).toMatch(/^Would flag \d+ in the last 30 days$/));
    await screenshot(page, 'settings-rules-1440');
  }, 60_000);

  it('looks right at 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [route, name] of [['monitor', 'monitor-390'], ['reports', 'reports-390'], ['settings/rules', 'settings-390']] as const) {
      await page.goto(`${served.base}/#/${route}`);
      await page.waitForTimeout(600);
      await screenshot(page, name);
      // Nothing forces the page wider than the phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(392);
    }
  }, 60_000);

  it('a Viewer cannot change settings or tag from Monitor', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, 'vic', 'viewer-pass-2026');
    await page.goto(`${served.base}/#/settings/rules`);
    await page.getByText('Only an admin can change rules.').waitFor();
    const boxes = page.locator('table.list input[type=checkbox]');
    // The notice renders before the rules list arrives; wait for the rows.
    await eventually(async () => expect(await boxes.count()).toBeGreaterThan(3));
    for (const b of await boxes.all()) expect(await b.isDisabled()).toBe(true);
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await page.goto(`${served.base}/#/settings/demo`);
    await page.getByText('Only an admin can open Demo store').waitFor();
    await page.goto(`${served.base}/#/monitor`);
    await eventually(async () => expect(await page.locator('article.mon-card').count()).toBeGreaterThan(0));
    expect(await page.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
    // The server refuses too, whatever the UI shows.
    const status = await page.evaluate(async () => {
      const r = await fetch('/api/rules.remove', { method: 'POST', headers: { 'content-type': 'application/json', 'x-penny-token': sessionStorage.getItem('penny.token') ?? '', 'x-penny-session': sessionStorage.getItem('penny.session') ?? '' }, body: JSON.stringify({ id: 'void' }) });
      return r.status;
    });
    expect(status).toBe(403);
  }, 60_000);
});

describe('browser mode: the demo store', () => {
  const tmp = tempDir('penny-e2e-demo-');
  let browser: Browser;
  let served: Served;

  beforeAll(async () => {
    browser = await launchBrowser();
    served = await startServe(tmp.dir);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    tmp.cleanup();
  });

  it('loads from the onboarding screen, shows clips, and one click returns to the real store', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(20_000);
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Set up your store' }).waitFor();
    const started = Date.now();
    await page.getByRole('button', { name: 'Load demo store' }).click();
    await page.getByRole('status').filter({ hasText: 'Demo store.' }).waitFor({ timeout: 90_000 });
    const loadMs = Date.now() - started;
    expect(await page.getByRole('status').filter({ hasText: 'Demo store.' }).textContent()).toContain('demo / penny-demo-1234');
    // Every exception of the generated day has its clip; the previews play from signed media URLs.
    await eventually(async () => expect(await page.locator('article.mon-card video').count()).toBeGreaterThan(3), 20_000);
    await eventually(async () => expect(await page.locator('article.mon-card video').first().evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(2), 20_000);
    expect(await page.locator('article.mon-card video').first().getAttribute('src')).toMatch(/\/media\/clips\/.+\.preview\.mp4\?/);
    await page.waitForTimeout(500);
    await screenshot(page, 'demo-monitor-1440');
    console.log(`demo store loaded in ${loadMs} ms`);
    await page.getByRole('button', { name: 'Back to my store' }).click();
    await page.getByRole('heading', { name: 'Set up your store' }).waitFor();
  }, 150_000);
});
