import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServe, type Served } from '../helpers/serve.js';
import { tempDir } from '../helpers/core.js';
import { ffmpegSync } from '../video/media.js';

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

/** The rows of the exception queue (not the filters' select options). */
const rows = (p: Page) => p.getByRole('listbox', { name: 'Exceptions' }).getByRole('option');

interface Item {
  id: number;
  status: string;
  startedAt: number;
}

describe('browser mode: Review — drop a Modisoft day, review, escalate, confirm a case', () => {
  const tmp = tempDir('penny-e2e-review-');
  let browser: Browser;
  let served: Served;
  let page: Page;
  let adminSession = '';
  let items: Item[] = [];

  /** The HTTP API as a second client (setup and checks the UI does not show). */
  const apiCall = async <T,>(name: string, input: unknown, session = adminSession): Promise<{ ok: boolean; value: T; error?: { code: string; message: string } }> => {
    const r = await fetch(`${served.base}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-penny-token': served.token, 'x-penny-session': session },
      body: JSON.stringify(input),
    });
    return (await r.json()) as never;
  };
  const statusPill = () => page.locator('.rv-detail-head .status-pill');

  beforeAll(async () => {
    penny(tmp.dir, ['onboard', '--store', 'Lemur Express #11', '--timezone', 'America/Chicago', '--username', 'admin', '--password-stdin'], 'night-shift-2026\n');
    penny(tmp.dir, ['user', 'add', '--role', 'viewer', '--username', 'vic', '--password-stdin'], 'viewer-pass-2026\n');
    browser = await launchBrowser();
    served = await startServe(tmp.dir);
    adminSession = (await apiCall<{ token: string }>('auth.login', { username: 'admin', password: 'night-shift-2026' }, '')).value.token;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    tmp.cleanup();
  });

  it('imports the real Modisoft day dropped on the window: progress, then the report, then the list', async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(15_000);
    await page.goto(served.url);
    await signIn(page, 'admin', 'night-shift-2026');
    await page.goto(`${served.base}/#/review`);
    await page.getByRole('heading', { name: 'No exceptions to review' }).waitFor();

    // Record whether a progress bar was shown at any moment, however quick the import is.
    await page.evaluate(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('progress')) w.sawProgress = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    const csv = readFileSync(FILE, 'utf8');
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'sale-transactions-2025-07-08.csv', { type: 'text/csv' }));
      for (const type of ['dragenter', 'dragover', 'drop']) document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, csv);

    const report = page.getByLabel('Import report');
    await report.getByText('Imported 641 transactions.').waitFor();
    expect(await page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress)).toBe(true);
    const stat = async (name: string) => (await report.locator('.stats div').filter({ hasText: name }).locator('dd').textContent())?.trim();
    expect(await stat('Rows read')).toBe('641');
    expect(await stat('Duplicates')).toBe('0');
    expect(await stat('Rejected rows')).toBe('0');
    expect(await stat('Exceptions raised')).toBe('24');
    // The queue fills in behind the report without a reload.
    await eventually(async () => expect(await page.locator('.rv-count').textContent()).toBe('24 exceptions'));
    await screenshot(page, 'review-import-report-1440');

    await report.getByRole('link', { name: 'Review 24 exceptions →' }).click();
    await eventually(async () => expect(await page.locator('.rv-count').textContent()).toBe('24 exceptions'));
    // Virtualized: only the rows in view (plus a few) exist in the page.
    await eventually(async () => expect(await rows(page).count()).toBeGreaterThan(5));
    expect(await rows(page).count()).toBeLessThan(24);

    // The same file again is a duplicate, reported as such (through the file picker this time).
    await page.getByLabel('POS report file').setInputFiles(FILE);
    await page.getByText('Already imported').waitFor();
    await page.getByRole('button', { name: /Close the report/ }).first().click();

    items = (await apiCall<{ items: Item[] }>('review.list', { limit: 100 })).value.items;
    expect(items).toHaveLength(24);
  }, 60_000);

  it('opens an exception with its clip beside the receipt, escalates it with a note and confirms it into a case', async () => {
    const target = items[9]!;
    // A clip whose recording starts 5 s before the transaction, attached as evidence.
    const video = join(tmp.dir, 'counter.mp4');
    ffmpegSync([
      '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-metadata', `creation_time=${new Date(target.startedAt - 5000).toISOString()}`, video,
    ]);
    const clip = await apiCall<{ id: number; start: number }>('clips.import', { path: video, exceptionId: target.id });
    expect(clip.ok).toBe(true);

    await page.locator(`[data-exception-id="${target.id}"]`).click();
    await page.getByRole('article', { name: `Exception ${target.id}` }).waitFor();
    const player = page.locator('video');
    await player.waitFor();
    await eventually(async () => expect(await player.evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(1));
    // Clicking a receipt line seeks the video to it and highlights it.
    const lines = page.getByRole('list', { name: 'Receipt' }).getByRole('listitem');
    await eventually(async () => expect(await lines.count()).toBeGreaterThan(0));
    await lines.first().getByRole('button').click();
    await eventually(async () => expect(await player.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo((target.startedAt - clip.value.start) / 1000, 0));
    await eventually(async () => expect(await lines.first().getAttribute('aria-current')).toBe('true'));
    await page.getByRole('button', { name: 'Next frame' }).click();
    await eventually(async () => expect(await player.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(5));

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('e');
    await eventually(async () => expect(await statusPill().textContent()).toBe('Escalated'));
    await page.keyboard.press('n');
    await eventually(async () => expect(await page.evaluate(() => document.activeElement?.id)).toBe('rv-note'));
    await page.keyboard.type('Cashier opened the drawer with no customer at the counter');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('region', { name: 'Notes' }).getByText('Cashier opened the drawer with no customer').waitFor();

    await page.getByLabel('Offender candidate (optional)').fill('Cashier on the evening shift');
    await page.getByRole('button', { name: 'Open case' }).click();
    await page.getByText(/^Case #\d+:/).waitFor();
    const caseBox = page.getByRole('region', { name: 'Case' });
    await eventually(async () => expect(await caseBox.locator('.status-pill').textContent()).toBe('Escalated'));
    await screenshot(page, 'review-case-1440');

    // The amount is the transaction's ($0.00 for a No Sale) until one is entered; assign it to me.
    await caseBox.getByRole('button', { name: 'Edit amount / offender' }).click();
    await caseBox.getByLabel('Amount in dollars (empty = from the transactions)').fill('12.5x');
    await caseBox.getByRole('button', { name: 'Save case' }).click();
    await caseBox.getByRole('alert').filter({ hasText: 'Amount "12.5x" is not a dollar amount' }).waitFor();
    await caseBox.getByLabel('Amount in dollars (empty = from the transactions)').fill('12.50');
    await caseBox.getByRole('button', { name: 'Save case' }).click();
    await caseBox.getByText('$12.50').waitFor();
    await caseBox.getByRole('button', { name: 'Assign to me' }).click();
    await caseBox.getByRole('button', { name: 'Unassign me' }).waitFor();

    await caseBox.getByRole('button', { name: 'Confirm case…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm this case' });
    await dialog.getByText('Confirming as').waitFor();
    await dialog.getByRole('button', { name: 'Confirm case' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'reason is required' }).waitFor();
    await dialog.getByLabel('Why are you confirming it?').fill('Video shows the drawer opened and cash pocketed');
    await dialog.getByRole('button', { name: 'Confirm case' }).click();
    await eventually(async () => expect(await caseBox.locator('.status-pill').textContent()).toBe('Confirmed'));
    await eventually(async () => expect(await statusPill().textContent()).toBe('Confirmed'));

    await caseBox.getByRole('button', { name: 'Export evidence bundle' }).click();
    await caseBox.getByRole('link', { name: /^Download evidence_.*\.zip$/ }).waitFor();

    const trail = page.getByRole('list', { name: 'Audit trail' });
    await eventually(async () => {
      const text = (await trail.textContent()) ?? '';
      for (const step of ['Tagged', 'Open → Escalated', 'Note added', 'Case opened', 'Case viewed', 'Case changed', 'Case confirmed', 'Reason: Video shows the drawer opened', 'Evidence exported']) expect(text).toContain(step);
    });
    await trail.scrollIntoViewIfNeeded();
    await screenshot(page, 'review-confirmed-1440');

    const cases = await apiCall<{ status: string; confirmedBy: string; exceptionIds: number[]; offender: string }[]>('cases.list', { exceptionId: target.id });
    expect(cases.value[0]).toMatchObject({
      status: 'confirmed',
      confirmedBy: expect.stringMatching(/:admin$/),
      exceptionIds: [target.id],
      offender: 'Cashier on the evening shift',
      amountCents: 1250,
      amountSource: 'entered',
      assigneeUserId: expect.any(Number),
    });
  }, 90_000);

  it('reviews 5 exceptions from the keyboard', async () => {
    await page.goto(`${served.base}/#/review`);
    await eventually(async () => expect(await page.locator('.rv-count').textContent()).toBe('24 exceptions'));
    await page.locator('.rv-count').click();
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('j');
      await page.getByRole('article', { name: `Exception ${items[i]!.id}` }).waitFor();
      await eventually(async () => expect(await page.locator(`[data-exception-id="${items[i]!.id}"]`).getAttribute('aria-selected')).toBe('true'));
      await page.keyboard.press(i === 3 ? 'i' : 'a');
      await eventually(async () => expect(await statusPill().textContent()).toBe(i === 3 ? 'Investigating' : 'Approved'));
    }
    // K goes back one.
    await page.keyboard.press('k');
    await page.getByRole('article', { name: `Exception ${items[3]!.id}` }).waitFor();
    const after = (await apiCall<{ items: Item[] }>('review.list', { limit: 100 })).value.items;
    const byId = new Map(after.map((x) => [x.id, x.status]));
    expect(items.slice(0, 5).map((x) => byId.get(x.id))).toEqual(['approved', 'approved', 'approved', 'investigating', 'approved']);
    expect(after.filter((x) => x.status === 'approved')).toHaveLength(4);

    // Notes search narrows the list to the noted exception.
    await page.getByLabel('Search notes').fill('drawer cash');
    await eventually(async () => expect(await page.locator('.rv-count').textContent()).toBe('1 matching exception'));
    await eventually(async () => expect(await rows(page).count()).toBe(1));
    expect(await rows(page).first().getAttribute('data-exception-id')).toBe(String(items[9]!.id));
    await page.getByLabel('Search notes').fill('');
    await page.getByRole('combobox', { name: 'Status' }).selectOption('approved');
    await eventually(async () => expect(await page.locator('.rv-count').textContent()).toBe('4 matching exceptions'));
    await eventually(async () => expect(await rows(page).count()).toBe(4));
    await page.getByRole('combobox', { name: 'Status' }).selectOption('');
    await page.locator(`[data-exception-id="${items[9]!.id}"]`).click();
    await page.getByRole('article', { name: `Exception ${items[9]!.id}` }).waitFor();
    await screenshot(page, 'review-1440');
  }, 60_000);

  it('shows new exceptions live when another client imports', async () => {
    // The next morning's first No Sale, in the same Modisoft layout (the real file's header lines).
    const head = readFileSync(FILE, 'utf8').split(/\r?\n/).slice(0, 5).join('\n');
    const next = join(tmp.dir, 'sale-transactions-2025-07-09.csv');
    writeFileSync(next, `${head}\n7/9/25 6:02,No Sale,,$ 0.00,$ 0.00,$ 0.00,$ 0.00,$ 0.00,$ 0.00,Cashier B,99001\n`);
    const rep = await apiCall<{ exceptions: number }>('pos.import', { path: next });
    expect(rep).toMatchObject({ ok: true, value: { exceptions: 1 } });
    await eventually(async () => expect(await page.locator('.rv-count').textContent()).toBe('25 exceptions'));
  }, 30_000);

  it('opens a past import report later', async () => {
    await page.getByRole('link', { name: 'Past imports' }).click();
    await page.getByRole('heading', { name: 'Past imports' }).waitFor();
    await page.getByRole('link', { name: 'sale-transactions-2025-07-08.csv' }).click();
    const report = page.getByLabel('Import report');
    await report.getByText('Imported 641 transactions.').waitFor();
    expect((await report.locator('.stats div').filter({ hasText: 'Exceptions raised' }).locator('dd').textContent())?.trim()).toBe('24');
    await screenshot(page, 'review-past-import-1440');
  }, 30_000);

  it('does not let a viewer confirm, and fits a 390 px phone', async () => {
    const open = await apiCall<{ id: number }>('cases.create', { exceptionIds: [items[12]!.id] });
    expect(open.ok).toBe(true);
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    phone.setDefaultTimeout(15_000);
    await phone.goto(served.url);
    await signIn(phone, 'vic', 'viewer-pass-2026');
    await phone.goto(`${served.base}/#/review`);
    await eventually(async () => expect(await rows(phone).count()).toBeGreaterThan(0));
    expect(await phone.getByRole('button', { name: 'Import report' }).count()).toBe(0);
    await screenshot(phone, 'review-list-390');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    await phone.goto(`${served.base}/#/review/${items[12]!.id}`);
    const caseBox = phone.getByRole('region', { name: 'Case' });
    await caseBox.getByText('Only a manager can tag or confirm a case.').waitFor();
    expect(await phone.getByRole('button', { name: 'Confirm case…' }).count()).toBe(0);
    expect(await phone.getByRole('group', { name: 'Tag' }).count()).toBe(0);
    // Keys do nothing for a viewer either.
    await phone.keyboard.press('e');
    await phone.waitForTimeout(300);
    expect(await phone.locator('.rv-detail-head .status-pill').textContent()).toBe('Open');
    await screenshot(phone, 'review-detail-390');
    const overflow2 = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow2).toBeLessThanOrEqual(0);

    // And the station refuses it whatever the page shows.
    const vicSession = (await apiCall<{ token: string }>('auth.login', { username: 'vic', password: 'viewer-pass-2026' }, '')).value.token;
    const refused = await apiCall('cases.confirm', { id: open.value.id, reason: 'trying anyway' }, vicSession);
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await phone.close();
  }, 60_000);
});
