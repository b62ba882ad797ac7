import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServe, type Served } from '../helpers/serve.js';
import { tempDir } from '../helpers/core.js';
import { RtspSource } from '../cameras/rtsp-source.js';

const ROOT = join(import.meta.dirname, '../..');
const penny = (dir: string, args: string[], input?: string) =>
  execFileSync(process.execPath, [join(ROOT, 'bin/penny.mjs'), '--data-dir', dir, ...args], { cwd: ROOT, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });

/** Frames JSMpeg decoded, and how varied a sample of the canvas pixels is (0 for a blank canvas). */
const canvasFacts = (page: Page) =>
  page.getByLabel('Live view of Back door').evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < px.length; i += 4 * 97) seen.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
    return { frames: Number(c.dataset.frames ?? 0), width: c.width, height: c.height, colours: seen.size };
  });

/** cameras.liveStatus over the HTTP API, as the signed-in page (a second look the UI does not give). */
const liveStatus = (page: Page) =>
  page.evaluate(async () => {
    const r = await fetch('/api/cameras.liveStatus', { method: 'POST', headers: { 'content-type': 'application/json', 'x-penny-token': sessionStorage.getItem('penny.token') ?? '', 'x-penny-session': sessionStorage.getItem('penny.session') ?? '' }, body: '{}' });
    return ((await r.json()) as { value: { cameraId: number; viewers: number }[] }).value;
  });

describe('browser mode: live view of a camera', () => {
  const tmp = tempDir('penny-e2e-live-');
  const cam = new RtspSource('live');
  let browser: Browser;
  let served: Served;
  let page: Page;

  beforeAll(async () => {
    await cam.start();
    penny(tmp.dir, ['onboard', '--store', 'Lemur Express #11', '--timezone', 'America/Chicago', '--username', 'admin', '--password-stdin'], 'night-shift-2026\n');
    // --no-test: the connection test is covered in test/cameras; under CI load it can outwait a source that is still warming up.
    penny(tmp.dir, ['cameras', 'add', '--name', 'Back door', '--rtsp', cam.url(), '--no-test']);
    browser = await launchBrowser();
    served = await startServe(tmp.dir);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await cam.stop();
    tmp.cleanup();
  });

  it('plays the camera in a canvas, and stops the stream when the view is closed', async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('night-shift-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.goto(`${served.base}/#/settings/cameras`);
    const card = page.getByRole('article', { name: 'Back door' });
    await card.getByText('No snapshot yet').waitFor();
    await card.getByRole('button', { name: 'Live', exact: true }).click();

    // testsrc is colour bars with a moving gradient: a decoded frame has many colours, a blank canvas one.
    const facts = await eventually(async () => {
      const f = await canvasFacts(page);
      expect(f.frames).toBeGreaterThan(10);
      expect(f.colours).toBeGreaterThan(20);
      return f;
    }, 30_000);
    expect([facts.width, facts.height]).toEqual([320, 240]);
    await eventually(async () => expect((await card.getByRole('status').first().textContent())?.trim()).toBe('Live'));
    expect(await liveStatus(page)).toMatchObject([{ viewers: 1 }]);
    await screenshot(page, 'live-view-1440');

    await page.setViewportSize({ width: 390, height: 844 });
    await card.scrollIntoViewIfNeeded();
    const before = (await canvasFacts(page)).frames;
    await eventually(async () => expect((await canvasFacts(page)).frames).toBeGreaterThan(before + 10));
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await screenshot(page, 'live-view-390');

    await card.getByRole('button', { name: 'Close live view' }).click();
    await card.getByText('No snapshot yet').waitFor();
    // Nobody watches any more: the stream is stopped (liveStop right away, not after the idle time).
    await eventually(async () => expect(await liveStatus(page)).toEqual([]), 5_000);
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 90_000);

  it('shows the camera offline once its source stops', async () => {
    await cam.stopSource();
    const card = page.getByRole('article', { name: 'Back door' });
    await page.getByRole('button', { name: 'Check now' }).click();
    await eventually(async () => expect((await card.locator('.badge').textContent())?.trim()).toBe('Offline'), 30_000);
    await screenshot(page, 'live-view-offline-1440');
  }, 60_000);
});
