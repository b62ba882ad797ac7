import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServe, type Served } from '../helpers/serve.js';
import { tempDir } from '../helpers/core.js';

describe('browser mode: onboarding, login, store profile, roles', () => {
  const tmp = tempDir('penny-e2e-');
  let browser: Browser;
  let served: Served;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    served = await startServe(tmp.dir);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    tmp.cleanup();
  });

  it('answers 401 without the launch token', async () => {
    const r = await fetch(`${served.base}/api/system.info`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(401);
  });

  it('onboards a new store and its admin', async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(10_000);
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Set up your store' }).waitFor();
    await screenshot(page, 'onboarding-1440');
    await page.getByLabel('Store name').fill('Corner Fuel #12');
    await page.getByLabel('Time zone').selectOption('America/Chicago');
    await page.getByLabel('Address').fill('12 Main St, Springfield');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Your name').fill('Alex Admin');
    await page.getByLabel('Username').fill('alex');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Confirm password').fill('short');
    await page.getByRole('button', { name: 'Finish setup' }).click();
    // The server's validation message appears beside the field it names.
    await page.getByRole('alert').filter({ hasText: 'password must be at least 8 characters' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill('night-shift-2026');
    await page.getByLabel('Confirm password').fill('night-shift-2026');
    await page.getByRole('button', { name: 'Finish setup' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('heading', { name: 'Monitor' }).waitFor();
    await screenshot(page, 'shell-monitor-1440');
  });

  it('signs out and back in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username').fill('alex');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await eventually(async () => expect((await page.getByRole('alert').textContent())?.trim()).toBe('Wrong username or password.'));
    await page.getByLabel('Password').fill('night-shift-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  it('changes the store profile, and the change survives a server restart', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Store profile' }).waitFor();
    await eventually(async () => expect(await page.getByLabel('Store name').inputValue()).toBe('Corner Fuel #12'));
    await page.getByLabel('Store name').fill('Corner Fuel #14');
    await page.getByLabel('Time zone').selectOption('America/Denver');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await eventually(async () => expect((await page.getByRole('status').textContent())?.trim()).toBe('Saved.'));
    await screenshot(page, 'settings-store-1440');

    // Add a viewer for the role check below, through the UI.
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Val Viewer');
    await page.getByLabel('Username', { exact: true }).fill('val');
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByLabel('Temporary password').fill('viewer-pass-1');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('cell', { name: 'Val Viewer' }).waitFor();

    await served.stop();
    served = await startServe(tmp.dir);
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Corner Fuel #14').waitFor();
    await page.getByLabel('Username').fill('alex');
    await page.getByLabel('Password').fill('night-shift-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.goto(`${served.base}/#/settings/store`);
    await eventually(async () => expect(await page.getByLabel('Store name').inputValue()).toBe('Corner Fuel #14'));
    await eventually(async () => expect(await page.getByLabel('Time zone').inputValue()).toBe('America/Denver'));
  });

  it('imports a POS report dropped on any tab, not only Review', async () => {
    await page.goto(`${served.base}/#/reports`);
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    const csv = readFileSync(join(import.meta.dirname, '../../fixtures/pos/modisoft/sale-transactions-2025-07-08.csv'), 'utf8');
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'sale-transactions-2025-07-08.csv', { type: 'text/csv' }));
      for (const type of ['dragenter', 'dragover', 'drop']) document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, csv);
    await page.getByLabel('Import report').getByText('Imported 641 transactions.').waitFor();
  });

  it('does not let a viewer open Settings → Users or change the store', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').fill('val');
    await page.getByLabel('Password').fill('viewer-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.goto(`${served.base}/#/settings`);
    await eventually(async () => expect(await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Users' }).count()).toBe(0));
    await page.goto(`${served.base}/#/settings/users`);
    await eventually(async () => expect(await page.getByRole('alert').textContent()).toContain('Only an admin can open Users'));
    await page.goto(`${served.base}/#/settings/store`);
    await eventually(async () => expect(await page.getByLabel('Store name').isDisabled()).toBe(true));
    await eventually(async () => expect(await page.getByRole('button', { name: 'Save changes' }).count()).toBe(0));
  });

  it('fits a 390 px phone screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(served.url);
    await phone.getByRole('heading', { name: 'Sign in' }).waitFor();
    await phone.getByLabel('Username').fill('alex');
    await phone.getByLabel('Password').fill('night-shift-2026');
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.getByRole('navigation', { name: 'Main' }).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, 'shell-monitor-390');
    await phone.close();
  });
});
