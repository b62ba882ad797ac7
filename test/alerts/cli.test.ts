import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, Contact, Summary } from '../../services/contract/index.js';
import { ONBOARD, tempDir, testCore } from '../helpers/core.js';
import { smtpSink, type SmtpSink } from './helpers.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
let smtp: SmtpSink | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await smtp?.close();
  cleanup?.();
});

async function penny(dir: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [join(ROOT, 'bin/penny.mjs'), '--data-dir', dir, ...args], { cwd: ROOT });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

describe('penny contacts / alerts CLI', () => {
  it('adds and lists contacts, shows the dead-letter list, retries, and sends the summary', async () => {
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    smtp = await smtpSink();
    const tc = await testCore({ dir: tmp.dir });
    await tc.sys('onboarding.complete', ONBOARD);
    for (const [key, value] of Object.entries({ 'smtp.host': '127.0.0.1', 'smtp.port': '1', 'smtp.from': 'penny@corner-fuel.test', 'alerts.maxAttempts': '1', 'alerts.desktop': 'false' })) {
      await tc.sys('settings.set', { key, value });
    }
    await tc.close();
    const dir = tmp.dir;

    const added = await penny(dir, 'contacts', 'add', '--name', 'Morgan', '--email', 'morgan@corner-fuel.test', '--phone', '+15551234567', '--channels', 'email', '--json');
    expect(added.code).toBe(0);
    const c = JSON.parse(added.out) as Contact;
    expect(c).toMatchObject({ name: 'Morgan', email: 'morgan@corner-fuel.test', phone: '+15551234567', channels: ['email'] });
    const bad = await penny(dir, 'contacts', 'add', '--name', 'X', '--channels', 'sms');
    expect(bad.code).toBe(3);
    expect(bad.err).toContain('The SMS channel needs a phone number.');
    const listed = JSON.parse((await penny(dir, 'contacts', 'list', '--json')).out) as Contact[];
    expect(listed.map((x) => x.id)).toEqual([c.id]);

    // SMTP is down (port 1) and one attempt is allowed: the alert is dead-lettered.
    const raised = JSON.parse((await penny(dir, 'alerts', 'raise', '--severity', 'high', '--title', 'Camera 2 offline', '--source', 'camera', '--json')).out) as Alert;
    expect(raised.status).toBe('failed');
    const failed = JSON.parse((await penny(dir, 'alerts', 'list', '--status', 'failed', '--json')).out) as Alert[];
    expect(failed.map((a) => a.id)).toEqual([raised.id]);
    expect(failed[0]!.deliveries[0]!.lastError).toMatch(/ECONNREFUSED|ECONNECTION/);

    expect((await penny(dir, 'settings', 'set', 'smtp.port', String(smtp.port))).code).toBe(0);
    const retried = await penny(dir, 'alerts', 'retry', String(raised.id));
    expect(retried.code).toBe(0);
    expect(retried.out).toMatch(new RegExp(`^${raised.id}\\tsent\\t`));
    expect(smtp.messages.map((m) => m.subject)).toEqual(['[Corner Fuel #12] High: Camera 2 offline']);
    expect(JSON.parse((await penny(dir, 'alerts', 'list', '--status', 'failed', '--json')).out)).toEqual([]);

    const summary = JSON.parse((await penny(dir, 'alerts', 'summary', '--send', '--json')).out) as Summary;
    expect(summary.alertId).toBeGreaterThan(0);
    expect(smtp.messages.map((m) => m.subject)[1]).toBe('[Corner Fuel #12] Daily summary: 0 exceptions');
  }, 60_000);
});
