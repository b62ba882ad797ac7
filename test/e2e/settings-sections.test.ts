import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServe, type Served } from '../helpers/serve.js';
import { tempDir } from '../helpers/core.js';
import { OnvifTestDevice } from '../cameras/onvif-device.js';

const ROOT = join(import.meta.dirname, '../..');
const FACES = join(ROOT, 'fixtures/faces/face-api-examples');
const penny = (dir: string, args: string[], input?: string) =>
  execFileSync(process.execPath, [join(ROOT, 'bin/penny.mjs'), '--data-dir', dir, ...args], { cwd: ROOT, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });

async function signIn(page: Page, base: string, username: string, password: string) {
  await page.goto(base);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe('browser mode: Settings → Cameras, Alerts, Face search', () => {
  const tmp = tempDir('penny-e2e-sx-');
  const mail: { to: string[]; raw: string }[] = [];
  let smtp: SMTPServer;
  let onvif: OnvifTestDevice;
  let browser: Browser;
  let served: Served;
  let page: Page;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream: SMTPServerDataStream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mail.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    // A loopback ONVIF camera answering captured responses (fixtures/onvif), with WS-Security login.
    onvif = await new OnvifTestDevice({ user: 'admin', password: 'S3cret!pw', rtspPort: 8554 }).start();
    const port = (smtp.server.address() as AddressInfo).port;
    penny(tmp.dir, ['onboard', '--store', 'Lemur Express #11', '--timezone', 'America/Chicago', '--username', 'admin', '--password-stdin'], 'night-shift-2026\n');
    penny(tmp.dir, ['user', 'add', '--role', 'viewer', '--username', 'vic', '--password-stdin'], 'viewer-pass-2026\n');
    penny(tmp.dir, ['settings', 'set', 'smtp.host', '127.0.0.1']);
    penny(tmp.dir, ['settings', 'set', 'smtp.port', String(port)]);
    penny(tmp.dir, ['settings', 'set', 'smtp.from', 'penny@lemur.test']);
    browser = await launchBrowser();
    served = await startServe(tmp.dir);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(15_000);
    await signIn(page, served.url, 'admin', 'night-shift-2026');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await onvif?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    tmp.cleanup();
  });

  it('Cameras: Test connection names the failure, the camera is added and mapped to a register', async () => {
    // A register to map the camera to.
    await page.goto(`${served.base}/#/settings/registers`);
    await page.getByLabel('Code').fill('1');
    await page.getByLabel('Name', { exact: true }).fill('Front counter');
    await page.getByRole('button', { name: 'Add register' }).click();
    await page.getByRole('cell', { name: 'Front counter' }).waitFor();

    await page.goto(`${served.base}/#/settings/cameras`);
    const form = page.getByRole('form', { name: 'Add a camera by RTSP URL' });
    await form.getByLabel('Camera name').fill('Counter cam');
    // Nothing listens on port 9: the error must say what happened, not "failed".
    await form.getByLabel('RTSP URL').fill('rtsp://127.0.0.1:9/Streaming/Channels/101');
    await form.getByRole('button', { name: 'Test connection' }).click();
    await eventually(async () => {
      const text = (await form.getByRole('alert').textContent()) ?? '';
      expect(text).toContain('rtsp://127.0.0.1:9/Streaming/Channels/101');
      expect(text).toContain('Connection refused');
    }, 20_000);
    await form.getByRole('button', { name: 'Add without test' }).click();
    const card = page.getByRole('article', { name: 'Counter cam' });
    await card.waitFor();
    expect(await card.locator('.badge').textContent()).toMatch(/Not checked|Offline/);

    // Map it to register 1 with a 30 s pre-roll.
    const reg = page.getByRole('group', { name: /Register 1/ });
    await reg.getByRole('checkbox', { name: 'Counter cam' }).check();
    await reg.getByLabel('Pre-roll seconds, Counter cam, register 1').fill('30');
    await reg.getByRole('button', { name: 'Save register 1' }).click();
    await reg.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    // The map is stored: after a reload the camera is still checked with its pre-roll.
    await page.reload();
    const again = page.getByRole('group', { name: /Register 1/ });
    await eventually(async () => expect(await again.getByRole('checkbox', { name: 'Counter cam' }).isChecked()).toBe(true));
    expect(await again.getByLabel('Pre-roll seconds, Counter cam, register 1').inputValue()).toBe('30');
    expect(await again.getByLabel('Post-roll seconds, Counter cam, register 1').inputValue()).toBe('120');
    // Clock offset against the register clock.
    const cam = page.getByRole('article', { name: 'Counter cam' });
    await cam.getByText('Clock offset: 0 s').click();
    await cam.getByLabel('Clock offset (seconds)').fill('-4.5');
    await cam.getByRole('button', { name: 'Save offset' }).click();
    await cam.getByText('Clock offset: -4.5 s').waitFor();
    await screenshot(page, 'settings-cameras-1440');
  }, 60_000);

  it('Cameras: ONVIF discovery by unicast probe, then adding the device needs the right password', async () => {
    await page.goto(`${served.base}/#/settings/cameras`);
    await page.getByLabel('Camera address').fill(`127.0.0.1:${onvif.wsdPort}`);
    await page.getByRole('button', { name: 'Search' }).click();
    const found = page.getByRole('form', { name: 'Found 127.0.0.1' });
    await found.waitFor();
    // Without credentials the device is listed with the plain reason.
    expect(await found.textContent()).toContain('401 from 127.0.0.1: wrong user or password');
    await found.getByLabel('Name').fill('Back door');
    await found.getByLabel('User').fill('admin');
    await found.getByLabel('Password').fill('wrong-one');
    await found.getByRole('button', { name: 'Add' }).click();
    await found.getByRole('alert').filter({ hasText: '401 from 127.0.0.1: wrong user or password' }).waitFor();
    await found.getByLabel('Password').fill('S3cret!pw');
    await found.getByRole('button', { name: 'Add' }).click();
    await found.getByText('Added').waitFor();
    const card = page.getByRole('article', { name: 'Back door' });
    await card.waitFor();
    expect(await card.textContent()).not.toContain('S3cret!pw');
    await screenshot(page, 'settings-cameras-onvif-1440');
  }, 60_000);

  it('Alerts: adds a contact and a test e-mail reaches the SMTP server', async () => {
    await page.goto(`${served.base}/#/settings/alerts`);
    await page.getByRole('button', { name: 'Add contact' }).click();
    const form = page.getByRole('form', { name: 'New contact' });
    await form.getByLabel('Contact name').fill('Morgan Manager');
    await form.getByLabel('E-mail', { exact: true }).fill('not-an-address');
    await form.getByRole('button', { name: 'Save contact' }).click();
    await form.getByRole('alert').filter({ hasText: 'e-mail address is not valid' }).waitFor();
    await form.getByLabel('E-mail', { exact: true }).fill('morgan@lemur.test');
    await form.getByLabel('Minimum severity').selectOption('high');
    await form.getByLabel('Quiet from').fill('23:00');
    await form.getByLabel('Quiet until').fill('06:00');
    await form.getByRole('button', { name: 'Save contact' }).click();
    const contact = page.getByRole('article', { name: 'Contact Morgan Manager' });
    await contact.waitFor();
    expect(await contact.textContent()).toContain('morgan@lemur.test');
    expect(await contact.textContent()).toContain('high and up, quiet 23:00–06:00');

    await contact.getByRole('button', { name: 'Send test e-mail' }).click();
    await contact.getByRole('status').filter({ hasText: 'Test e-mail sent' }).waitFor();
    await eventually(() => expect(mail.map((m) => m.to).flat()).toContain('morgan@lemur.test'));
    expect(mail.find((m) => m.to.includes('morgan@lemur.test'))!.raw).toContain('Test message from Penny');

    // Secrets show only whether they are set.
    const smtpGroup = page.getByRole('form', { name: 'E-mail (SMTP)' });
    expect(await smtpGroup.getByLabel('SMTP host').inputValue()).toBe('127.0.0.1');
    await smtpGroup.getByText('Not set.').waitFor();
    await smtpGroup.getByLabel('SMTP password').fill('s3cret-pass');
    await smtpGroup.getByRole('button', { name: 'Save e-mail settings' }).click();
    await smtpGroup.getByText('Set. Leave empty to keep it.').waitFor();
    expect(await smtpGroup.getByLabel('SMTP password').inputValue()).toBe('');
    expect(penny(tmp.dir, ['settings', 'get', 'smtp.password'])).not.toContain('s3cret-pass');

    // The alert policy shows its defaults; a bad window is refused by name, a good one is kept.
    const policy = page.getByRole('form', { name: 'When alerts go out' });
    const window = policy.getByLabel('One alert each only within (hours)');
    expect(await window.getAttribute('placeholder')).toBe('72 (default)');
    await window.fill('0');
    await policy.getByRole('button', { name: 'Save alert policy settings' }).click();
    await policy.getByRole('alert').filter({ hasText: /alerts\.maxAgeHours/ }).waitFor();
    await window.fill('48');
    await policy.getByRole('button', { name: 'Save alert policy settings' }).click();
    await policy.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(penny(tmp.dir, ['settings', 'get', 'alerts.maxAgeHours'])).toContain('48');
    await page.getByRole('heading', { name: 'Failed messages' }).waitFor();
    await page.getByText('Nothing failed. Every alert went out.').waitFor();
    await screenshot(page, 'settings-alerts-1440');
  }, 60_000);

  it('Face search: turns on only with the signage acknowledgement, enrols from photos, erases after a confirm', async () => {
    await page.goto(`${served.base}/#/settings/faces`);
    const status = page.getByTestId('faces-status');
    await eventually(async () => expect(await status.textContent()).toContain('Face search is off'));
    const on = page.getByRole('button', { name: 'Turn face search on' });
    expect(await on.isDisabled()).toBe(true);
    await page.getByLabel(/face recognition is in use/).check();
    await on.click();
    await eventually(async () => expect(await status.textContent()).toContain('Face search is on'));
    expect(JSON.parse(penny(tmp.dir, ['--json', 'faces', 'status'])) as { enabled: boolean }).toMatchObject({ enabled: true });
    await page.getByText('Nobody is on the watchlist.').waitFor();

    // Enrol from uploaded photos (face-api.js example images, see fixtures/faces/PROVENANCE.md).
    const enroll = page.getByRole('form', { name: 'Enroll a person' });
    await enroll.getByLabel('Name or label').fill('Amy F.');
    await enroll.getByLabel('Reason and legal basis').fill('Case 7: repeat theft, police report 2026-0117');
    await enroll.getByLabel('Photos to enroll').setInputFiles([join(FACES, 'amy/amy1.png'), join(FACES, 'amy/amy2.png')]);
    await enroll.getByRole('button', { name: 'Enroll' }).click();
    await enroll.getByRole('status').filter({ hasText: /Amy F\.: [12] faces? enrolled/ }).waitFor({ timeout: 60_000 });
    const subject = page.getByRole('group', { name: 'Subject Amy F.' });
    await subject.waitFor();
    await screenshot(page, 'settings-faces-1440');

    // Erase asks first; Cancel keeps the subject, confirming removes it.
    await subject.getByRole('button', { name: 'Erase' }).click();
    await page.getByRole('dialog', { name: 'Erase Amy F.?' }).getByRole('button', { name: 'Cancel' }).click();
    expect(await subject.count()).toBe(1);
    await subject.getByRole('button', { name: 'Erase' }).click();
    await page.getByRole('dialog', { name: 'Erase Amy F.?' }).getByRole('button', { name: 'Erase for good' }).click();
    await page.getByRole('status').filter({ hasText: 'Erased Amy F.' }).waitFor();
    await eventually(async () => expect(await subject.count()).toBe(0));
    expect(JSON.parse(penny(tmp.dir, ['--json', 'faces', 'subjects'])) as unknown[]).toEqual([]);
  }, 120_000);

  it('fits 390 px', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    phone.setDefaultTimeout(15_000);
    await signIn(phone, served.url, 'admin', 'night-shift-2026');
    for (const s of ['cameras', 'alerts', 'faces']) {
      await phone.goto(`${served.base}/#/settings/${s}`);
      await phone.getByRole('navigation', { name: 'Settings sections' }).waitFor();
      await phone.waitForTimeout(400);
      expect(await noSideScroll(phone)).toBeLessThanOrEqual(0);
      await screenshot(phone, `settings-${s}-390`);
      // The shell scrolls inside .main: capture the bottom of the section too.
      await phone.evaluate(() => document.querySelector('.main')?.scrollTo(0, 1e6));
      await screenshot(phone, `settings-${s}-390-end`);
    }
    await phone.close();
  }, 60_000);

  it('a viewer sees Cameras read-only and cannot open Alerts or Face search', async () => {
    const v = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    v.setDefaultTimeout(15_000);
    await signIn(v, served.url, 'vic', 'viewer-pass-2026');
    await v.goto(`${served.base}/#/settings/cameras`);
    await v.getByRole('article', { name: 'Counter cam' }).waitFor();
    expect(await v.getByRole('form', { name: 'Add a camera by RTSP URL' }).count()).toBe(0);
    expect(await v.getByRole('button', { name: 'Snapshot' }).count()).toBe(0);
    expect(await v.getByRole('button', { name: /Save register/ }).count()).toBe(0);
    expect(await v.getByRole('group', { name: /Register 1/ }).getByRole('checkbox', { name: 'Counter cam' }).isDisabled()).toBe(true);
    const nav = v.getByRole('navigation', { name: 'Settings sections' });
    expect(await nav.getByRole('link', { name: 'Alerts' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Face search' }).count()).toBe(0);
    await v.goto(`${served.base}/#/settings/alerts`);
    await eventually(async () => expect(await v.getByRole('alert').textContent()).toContain('Only an admin can open Alerts'));
    await v.goto(`${served.base}/#/settings/faces`);
    await eventually(async () => expect(await v.getByRole('alert').textContent()).toContain('Only an admin can open Face search'));
    await screenshot(v, 'settings-viewer-faces-1440');
    await v.close();
  }, 60_000);
});
