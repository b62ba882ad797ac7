import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { adminOps } from '../../services/network/server/admin.js';
import { approveCase } from '../../services/network/server/offenders.js';
import { setSetting } from '../../services/network/server/settings.js';
import { eventually, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServe, type Served } from '../helpers/serve.js';
import { tempDir } from '../helpers/core.js';
import { startNetwork, type TestNet } from '../sync/helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const penny = (dir: string, args: string[], input?: string) =>
  execFileSync(process.execPath, [join(ROOT, 'bin/penny.mjs'), '--data-dir', dir, ...args], { cwd: ROOT, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });

// Neither the page nor the scrolling main area may scroll sideways.
const noSideScroll = (page: Page) =>
  page.evaluate(() => {
    const main = document.querySelector('.main')!;
    return Math.max(document.documentElement.scrollWidth - window.innerWidth, main.scrollWidth - main.clientWidth);
  });

async function signIn(page: Page, url: string) {
  await page.goto(url);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('night-shift-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

describe('browser mode: Settings → Network, Network and Recovery tabs against a real Penny Network', () => {
  const tmp = tempDir('penny-e2e-sync-');
  let tn: TestNet;
  let browser: Browser;
  let served: Served;
  let page: Page;
  let caseId: number;
  let secondException: number;

  beforeAll(async () => {
    tn = await startNetwork();
    penny(tmp.dir, ['onboard', '--store', 'Corner Fuel #12', '--timezone', 'America/Chicago', '--username', 'admin', '--password-stdin'], 'night-shift-2026\n');
    // One refund flagged by the rules, made into a confirmed case before the station is paired.
    const csv = join(tmp.dir, 'refunds.csv');
    // Two days ago: the network promotes offenders only for recent cases.
    const d = new Date(Date.now() - 2 * 86_400_000);
    writeFileSync(csv, `Date,Type,Amount,Register,Cashier\n${d.getUTCMonth() + 1}/${d.getUTCDate()}/${String(d.getUTCFullYear()).slice(2)} 15:00,Refund,-84.00,1,Cashier A\n${d.getUTCMonth() + 1}/${d.getUTCDate()}/${String(d.getUTCFullYear()).slice(2)} 16:30,Refund,-61.00,1,Cashier A\n`);
    penny(tmp.dir, ['import', csv, '--format', 'csv', '--json']);
    // Oldest first: the $84.00 refund at 15:00 becomes the first case.
    const ex = (JSON.parse(penny(tmp.dir, ['exceptions', 'list', '--type', 'refund', '--json'])) as { id: number }[]).sort((a, b) => a.id - b.id);
    expect(ex.length).toBe(2);
    secondException = ex[1]!.id;
    const c = JSON.parse(penny(tmp.dir, ['cases', 'create', '--exception', String(ex[0]!.id), '--offender', 'Man in red cap', '--json'])) as { id: number };
    caseId = c.id;
    penny(tmp.dir, ['cases', 'confirm', String(caseId), '--reason', 'Refund with no customer on the video', '--json']);
    browser = await launchBrowser();
    served = await startServe(tmp.dir);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(15_000);
    await signIn(page, served.url);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await tn?.destroy();
    tmp.cleanup();
  });

  it('unpaired: Network and Recovery say so plainly', async () => {
    await page.goto(`${served.base}/#/network`);
    await page.getByRole('heading', { name: 'Not connected to Penny Network' }).waitFor();
    await page.goto(`${served.base}/#/recovery`);
    await page.getByRole('heading', { name: 'Confirmed cases' }).waitFor();
    await eventually(async () => expect(await page.getByText(/Not paired with a Penny Network/).count()).toBeGreaterThan(0));
    const row = page.getByRole('article', { name: `Case #${caseId}` });
    expect(await row.textContent()).toContain('Man in red cap');
    expect(await row.textContent()).toContain('$84.00');
  }, 30_000);

  it('pairs through Settings → Network: a bad code is refused by name, a good one shows Online and sends the case', async () => {
    await page.goto(`${served.base}/#/settings/network`);
    await page.getByTestId('sync-connection').filter({ hasText: 'Not paired' }).waitFor();
    await page.getByLabel('Network URL').fill(tn.url);
    await page.getByLabel('Pairing code').fill('ZZZZZZZZZZ');
    await page.getByRole('button', { name: 'Pair station' }).click();
    await eventually(async () => expect((await page.getByRole('alert').allTextContents()).join(' ')).toMatch(/refused the pairing code/), 15_000);
    const p = await tn.pairCode('Corner Fuel #12', 'North');
    await page.getByLabel('Pairing code').fill(p.code);
    await page.getByRole('button', { name: 'Pair station' }).click();
    await page.getByTestId('sync-connection').filter({ hasText: 'Online' }).waitFor();
    expect(await page.getByTestId('sync-connection').textContent()).toContain(`Connected to ${tn.url}`);
    // Pairing starts a push of the waiting case; "Sync now" also pulls, and the pending count drops to 0.
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('status').filter({ hasText: /sent|waiting/ }).waitFor({ timeout: 30_000 });
    await eventually(async () => expect(await page.getByTestId('sync-pending').textContent()).toBe('0 confirmed cases'), 20_000);
    expect(await page.getByTestId('sync-last').textContent()).not.toBe('never');
    const onNet = await tn.net.db.selectFrom('cases').select(['id', 'station_case_ref']).where('store_id', '=', p.storeId).execute();
    expect(onNet.map((c) => c.station_case_ref)).toEqual([`case-${caseId}`]);
    await screenshot(page, 'sync-settings-network-1440');

    // Ops approves it (promotion after one store here), so the region gets an offender and an alert.
    await setSetting(tn.net.db, Date.now(), 'test', 'promote_confirms', 1);
    await adminOps.opsUserAdd(tn.net, { email: 'ops@example.test', password: 'correct horse battery' });
    const ops = await tn.net.db.selectFrom('users').select('id').where('email', '=', 'ops@example.test').executeTakeFirstOrThrow();
    await approveCase(tn.net, ops.id, onNet[0]!.id, null, 'Clear on video');
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('status').filter({ hasText: /Ops decision/ }).waitFor({ timeout: 30_000 });
  }, 90_000);

  it('Network tab lists the region offender with last seen, incidents and an action; filters narrow it', async () => {
    await page.goto(`${served.base}/#/network`);
    const entry = page.getByRole('article', { name: /^Offender / });
    await entry.first().waitFor();
    const text = (await entry.first().textContent()) ?? '';
    expect(text).toContain('Last seen');
    expect(text).toMatch(/added to the network watchlist/i);
    expect(text).toContain('What to do');
    const id = ((await entry.first().locator('h3').textContent()) ?? '').trim();
    await page.getByLabel('Offender id').fill('no-such-offender');
    await page.getByText('No offender matches these filters.').waitFor();
    await page.getByLabel('Offender id').fill(id.slice(0, 6));
    await entry.first().waitFor();
    await page.getByLabel('Tag').selectOption('off-list');
    await page.getByText('No offender matches these filters.').waitFor();
    await page.getByLabel('Tag').selectOption('watchlist');
    await page.getByLabel('Last seen').selectOption('1d');
    await eventually(async () => expect(await entry.count()).toBe(1));
    await page.getByLabel('Offender id').fill('');
    await page.getByLabel('Tag').selectOption('all');
    await page.getByLabel('Last seen').selectOption('all');
    await screenshot(page, 'sync-network-1440');
  }, 30_000);

  it('Recovery: the approved case gets a QR notice, logged, and the debt is outstanding', async () => {
    await page.goto(`${served.base}/#/recovery`);
    const row = page.getByRole('article', { name: `Case #${caseId}` });
    await row.getByText('Approved by Ops').waitFor();
    await row.getByRole('button', { name: 'Generate QR' }).click();
    const sheet = page.getByRole('region', { name: `Notice for case ${caseId}` });
    await sheet.waitFor();
    const img = sheet.getByRole('img', { name: /QR code/ });
    await eventually(async () => expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0));
    expect(await img.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    await sheet.getByRole('link', { name: 'Download PNG' }).waitFor();
    expect(await sheet.getByRole('link', { name: 'Download PNG' }).getAttribute('href')).toMatch(/^data:image\/png;base64,/);
    const log = page.getByRole('heading', { name: 'Notices sent' }).locator('..');
    await eventually(async () => expect(await log.textContent()).toContain(`Case #${caseId}`));
    await eventually(async () => expect(await row.textContent()).toContain('1 notice'));
    await eventually(async () => expect(await row.getByTestId('owed').textContent()).toBe('Owed $84.00'));
    await screenshot(page, 'sync-recovery-1440');
  }, 60_000);

  it('offline: the banner says how many cases wait, and works at 390 px', async () => {
    await tn.close();
    // A second case is confirmed while the network is away (through the CLI, beside the running station).
    const c2 = JSON.parse(penny(tmp.dir, ['cases', 'create', '--exception', String(secondException), '--json'])) as { id: number };
    penny(tmp.dir, ['cases', 'confirm', String(c2.id), '--reason', 'Second refund, same cashier', '--json']);
    await page.goto(`${served.base}/#/settings/network`);
    await page.getByRole('button', { name: 'Sync now' }).click();
    const banner = page.getByTestId('offline-banner');
    await banner.waitFor({ timeout: 30_000 });
    await page.getByRole('status').filter({ hasText: 'Could not reach the network' }).waitFor({ timeout: 30_000 });
    await eventually(async () => expect(await banner.textContent()).toContain('Offline from Penny Network. 1 confirmed case waiting to send.'), 35_000);
    await page.getByTestId('sync-connection').filter({ hasText: 'Offline' }).waitFor();
    await screenshot(page, 'sync-offline-1440');
    // A fresh phone-sized page, as a phone would open it.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    phone.setDefaultTimeout(15_000);
    await signIn(phone, served.url);
    for (const [route, name] of [['settings/network', 'settings-network'], ['network', 'network'], ['recovery', 'recovery']] as const) {
      await phone.goto(`${served.base}/#/${route}`);
      await phone.getByTestId('offline-banner').waitFor();
      await phone.waitForTimeout(400);
      await screenshot(phone, `sync-${name}-390`);
      expect(await noSideScroll(phone)).toBeLessThanOrEqual(0);
      await phone.evaluate(() => document.querySelector('.main')?.scrollTo(0, 1e6));
      await screenshot(phone, `sync-${name}-390-end`);
    }
    await phone.close();
  }, 60_000);
});
