import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, opsUser, pairedStation, startTestNetwork, type Station, type TestNetwork } from './helpers.js';

const LAUNCH = { executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] };

describe.each(BACKENDS)('Ops console and Resolution portal in Chromium on %s', (backend) => {
  let tn: TestNetwork;
  let browser: Browser;
  let st: Station;
  let clip: Buffer;
  let ops: { email: string; password: string };
  beforeAll(async () => {
    tn = await startTestNetwork(backend);
    // A real, playable clip made by ffmpeg (VP8/WebM plays in Debian's Chromium).
    const out = join(tn.dir, 'clip.webm');
    execFileSync('/usr/bin/ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-c:v', 'libvpx', '-b:v', '200k', '-y', out]);
    clip = readFileSync(out);
    st = await pairedStation(tn, 'Quick Stop', 'Metro');
    ops = await opsUser(tn);
    browser = await chromium.launch(LAUNCH);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await tn?.close();
  });

  async function opsApproves(page: Page, caseId: string) {
    await page.goto(`${tn.url}/ops/queue`);
    if (page.url().endsWith('/ops/login')) {
      await page.getByLabel('E-mail').fill(ops.email);
      await page.getByLabel('Password').fill(ops.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${tn.url}/ops`);
      await page.goto(`${tn.url}/ops/queue`);
    }
    await page.getByRole('link', { name: caseId }).click();
    await expect.poll(() => page.locator(`video[data-evidence]`).evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(1);
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('[data-status]').textContent()).toBe('approved');
  }

  async function signUpFromNotice(page: Page, url: string, email: string) {
    await page.goto(url);
    await expect.poll(() => page.locator('h1').textContent()).toBe('You received a notice');
    await page.locator('#su-email').fill(email);
    await page.locator('#su-pw').fill('my long password 9');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${tn.url}/portal`);
  }

  it('Ops approves; QR link → signup → evidence plays → Pay now → webhook → paid, and the store ledger shows the commission; a second person cannot see it', async () => {
    const caseId = await st.sendCase([{ name: 'register2.webm', kind: 'video', mime: 'video/webm', data: clip }], { amountCents: 4250 });
    const opsCtx = await browser.newContext();
    await opsApproves(await opsCtx.newPage(), caseId);

    const notice = (await st.call('POST', '/v1/notices', { caseId })).body;
    const person = await browser.newContext();
    const page = await person.newPage();
    await signUpFromNotice(page, notice.url, 'first@example.test');
    await expect.poll(() => page.locator('[data-total]').textContent()).toBe('$42.50');
    const video = page.locator('video[data-evidence]');
    const played = await video.evaluate(async (v: HTMLVideoElement) => {
      v.muted = true;
      await v.play();
      await new Promise((r) => setTimeout(r, 300));
      return { t: v.currentTime, w: v.videoWidth };
    });
    expect(played.w).toBe(160);
    expect(played.t).toBeGreaterThan(0);
    const evidenceUrl = await video.getAttribute('src');
    const reads = await tn.server.net.db.selectFrom('audit_log').select('actor').where('action', '=', 'evidence.read').execute();
    expect(reads.length).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Pay now' }).click();
    await page.waitForURL(`${tn.stripe.origin}/pay/**`);
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(`${tn.url}/portal/paid**`);
    await page.goto(`${tn.url}/portal`);
    await expect.poll(() => page.locator('[data-debt-status]').textContent()).toBe('Paid');
    expect(await page.locator('[data-all-settled]').count()).toBe(1);
    const ledger = (await st.call('GET', '/v1/ledger')).body;
    expect(ledger.entries).toEqual([expect.objectContaining({ caseId, grossCents: 4250, networkShareCents: 425, storeShareCents: 3825 })]);
    const opsPage = await opsCtx.newPage();
    await opsPage.goto(`${tn.url}/ops/payments`);
    expect(await opsPage.locator('table').first().textContent()).toContain('$38.25');

    // A second person, with their own account, gets nothing from the first one's evidence link.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    const caseB = await st.sendCase([{ name: 'b.webm', kind: 'video', mime: 'video/webm', data: clip }], { amountCents: 1000 });
    await opsApproves(await opsCtx.newPage(), caseB);
    await signUpFromNotice(otherPage, (await st.call('POST', '/v1/notices', { caseId: caseB })).body.url, 'second@example.test');
    expect(await otherPage.locator('article').count()).toBe(1);
    expect(await otherPage.content()).not.toContain(evidenceUrl!.split('?')[0]);
    const stolen = await otherPage.goto(`${tn.url}${evidenceUrl}`);
    expect(stolen?.status()).toBe(403);
    await Promise.all([opsCtx.close(), person.close(), other.close()]);
  }, 90_000);

  it('a dispute pauses payment until Ops decides', async () => {
    const caseId = await st.sendCase([{ name: 'd.webm', kind: 'video', mime: 'video/webm', data: clip }], { amountCents: 1500 });
    const opsCtx = await browser.newContext();
    const opsPage = await opsCtx.newPage();
    await opsApproves(opsPage, caseId);
    const person = await browser.newContext();
    const page = await person.newPage();
    await signUpFromNotice(page, (await st.call('POST', '/v1/notices', { caseId })).body.url, 'disputer@example.test');
    await page.getByLabel('What is wrong?').fill('I paid for these items; I still have the receipt.');
    await page.getByLabel(/Attachments/).setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: Buffer.from('89504e470d0a1a0a', 'hex') });
    await page.getByRole('button', { name: 'Send dispute' }).click();
    await page.waitForURL(`${tn.url}/portal?msg=disputed`);
    expect(await page.locator('[data-paused]').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Pay now' }).count()).toBe(0);
    expect(await page.locator('[data-debt-status]').textContent()).toBe('Disputed (paused)');
    // Forcing the payment request anyway is refused.
    const csrf = await page.evaluate(async () => (await (await fetch('/portal')).text()).match(/name="_csrf" value="([^"]+)"/)?.[1]);
    const forced = await page.evaluate(async (t) => (await fetch('/portal/pay', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${t}`, redirect: 'manual' })).status, csrf);
    expect(forced).toBe(409);

    await opsPage.goto(`${tn.url}/ops/disputes`);
    expect(await opsPage.getByRole('link', { name: 'receipt.png' }).count()).toBe(1);
    await opsPage.getByLabel(/Decision, in plain words/).fill('The receipt was checked; payment continues.');
    await opsPage.getByRole('button', { name: /Reject dispute/ }).click();
    await page.goto(`${tn.url}/portal`);
    expect(await page.getByRole('button', { name: 'Pay now' }).count()).toBe(1);
    await Promise.all([opsCtx.close(), person.close()]);
  }, 90_000);

  it('sets helmet headers with a strict CSP and refuses forms without a CSRF token', async () => {
    const r = await fetch(`${tn.url}/ops/login`);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    const noCsrf = await fetch(`${tn.url}/ops/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.c&password=x' });
    expect(noCsrf.status).toBe(403);
  });
});

describe('login rate limit', () => {
  it('answers 429 after too many login attempts', async () => {
    const tn = await startTestNetwork('pglite', { loginMax: 3 });
    try {
      const page = await fetch(`${tn.url}/ops/login`);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await fetch(`${tn.url}/ops/login`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf}&email=x%40y.z&password=wrongwrong` });
        statuses.push(r.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await tn.close();
    }
  });
});
