import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, Contact } from '../../services/contract/index.js';
import { fakeClock, ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { smtpSink, until, type SmtpSink } from './helpers.js';

let tc: TestCore | undefined;
let smtp: SmtpSink | undefined;
afterEach(async () => {
  await tc?.close();
  await smtp?.close();
  tc = smtp = undefined;
});

async function setup(clock?: ReturnType<typeof fakeClock>) {
  smtp = await smtpSink();
  tc = await testCore({ clock });
  await tc.sys('onboarding.complete', ONBOARD);
  for (const [key, value] of Object.entries({
    'smtp.host': '127.0.0.1',
    'smtp.port': String(smtp.port),
    'smtp.from': 'Penny <penny@corner-fuel.test>',
    'alerts.linkBase': 'http://127.0.0.1:8780',
  })) {
    await tc.sys('settings.set', { key, value });
  }
  return { tc, smtp };
}

function thumbnail(): Buffer {
  const width = 16;
  const height = 9;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([i * 3, 120, 255 - i, 255], i * 4);
  return Buffer.from(jpeg.encode({ data, width, height }, 80).data);
}

describe('e-mail alerts', () => {
  it('arrive with the right subject, recipient, deep link and inline clip thumbnail', async () => {
    const { tc, smtp } = await setup();
    await tc.sys<Contact>('contacts.save', { name: 'Morgan Manager', email: 'morgan@corner-fuel.test', channels: ['email'] });
    // Hears only about cameras: must not get the exception alert.
    await tc.sys<Contact>('contacts.save', { name: 'Camera Tech', email: 'tech@corner-fuel.test', channels: ['email'], sources: ['camera'] });
    const jpg = thumbnail();
    mkdirSync(join(tc.dir, 'clips'), { recursive: true });
    writeFileSync(join(tc.dir, 'clips', 'x42.jpg'), jpg);

    const a = await tc.sys<Alert>('alerts.raise', {
      source: 'exception',
      severity: 'high',
      type: 'refund',
      title: 'Refund over $50 — refund $62.10 on register 2',
      body: 'Refund over $50: refund of $62.10',
      register: '2',
      entity: 'exception',
      entityId: 42,
      thumbnailPath: 'clips/x42.jpg',
    });
    expect(a.deliveries.map((d) => [d.channel, d.target])).toEqual([
      ['email', `contact:1`],
      ['desktop', 'store'],
    ]);

    const [m] = await smtp.waitFor(1);
    expect(m!.to).toEqual(['morgan@corner-fuel.test']);
    expect(m!.from).toBe('penny@corner-fuel.test');
    expect(m!.subject).toBe('[Corner Fuel #12] High: Refund over $50 — refund $62.10 on register 2');
    const link = 'http://127.0.0.1:8780/#/review/exceptions/42';
    expect(m!.text).toContain(`Open in Penny: ${link}`);
    expect(m!.text).toContain('Register: 2');
    expect(m!.html).toContain(`href="${link}"`);
    const cid = /src="cid:([^"]+)"/.exec(m!.html)?.[1];
    expect(cid).toBeTruthy();
    expect(m!.inline[cid!]?.equals(jpg)).toBe(true);
    expect(m!.headers['message-id']).toBe(`<alert-${a.id}.delivery-${a.deliveries[0]!.id}@penny.station>`);

    const done = await until(async () => {
      const x = await tc.sys<Alert>('alerts.get', { id: a.id });
      return x.status === 'sent' ? x : null;
    });
    expect(done.deliveries.every((d) => d.state === 'sent' && d.attempts === 1)).toBe(true);
    expect(smtp.messages).toHaveLength(1);
  });

  it('an SMTP server that rejects mail and then recovers gets the alert once, later', async () => {
    const clock = fakeClock();
    const { tc, smtp } = await setup(clock);
    await tc.sys('contacts.save', { name: 'Morgan', email: 'morgan@corner-fuel.test' });
    smtp.reject = { code: 451, message: 'Temporary local problem, try later' };

    const a = await tc.sys<Alert>('alerts.raise', { severity: 'high', title: 'Camera 3 offline', source: 'camera' });
    await tc.sys('alerts.deliver');
    let x = await tc.sys<Alert>('alerts.get', { id: a.id });
    const mail = x.deliveries.find((d) => d.channel === 'email')!;
    expect(smtp.refused).toBe(1);
    expect(mail.state).toBe('pending');
    expect(mail.attempts).toBe(1);
    expect(mail.lastError).toContain('451');
    // Backoff: the first retry waits between half and all of 5 s.
    expect(mail.nextAttemptAt - clock.now()).toBeGreaterThanOrEqual(2500);
    expect(mail.nextAttemptAt - clock.now()).toBeLessThanOrEqual(5000);

    // Not due yet: nothing is sent, nothing is attempted.
    await tc.sys('alerts.deliver');
    expect(smtp.refused).toBe(1);

    // Still broken at the second attempt.
    clock.advance(5000);
    await tc.sys('alerts.deliver');
    expect(smtp.refused).toBe(2);
    x = await tc.sys<Alert>('alerts.get', { id: a.id });
    expect(x.status).toBe('pending');

    smtp.reject = null;
    clock.advance(60_000);
    await tc.sys('alerts.deliver');
    await tc.sys('alerts.deliver');
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]!.subject).toContain('Camera 3 offline');
    x = await tc.sys<Alert>('alerts.get', { id: a.id });
    expect(x.status).toBe('sent');
    expect(x.deliveries.find((d) => d.channel === 'email')!.attempts).toBe(3);
  });

  it('an SMTP server that is down entirely delays alerts, then they all go out', async () => {
    const clock = fakeClock();
    const { tc, smtp } = await setup(clock);
    await tc.sys('contacts.save', { name: 'Morgan', email: 'morgan@corner-fuel.test' });
    // Point at a port nobody listens on, as if the server were down.
    await tc.sys('settings.set', { key: 'smtp.port', value: '1' });
    const ids = [];
    for (const t of ['Sync failed', 'Recorder stalled on camera 2']) ids.push((await tc.sys<Alert>('alerts.raise', { severity: 'high', title: t, source: 'system' })).id);
    await tc.sys('alerts.deliver');
    for (const id of ids) {
      const mail = (await tc.sys<Alert>('alerts.get', { id })).deliveries.find((d) => d.channel === 'email')!;
      expect(mail.state).toBe('pending');
      expect(mail.lastError).toMatch(/ECONNREFUSED|ECONNECTION/);
    }

    await tc.sys('settings.set', { key: 'smtp.port', value: String(smtp.port) });
    clock.advance(10 * 60_000);
    await tc.sys('alerts.deliver');
    await smtp.waitFor(2);
    expect(smtp.messages.map((m) => m.subject).sort()).toEqual(['[Corner Fuel #12] High: Recorder stalled on camera 2', '[Corner Fuel #12] High: Sync failed']);
  });

  it('"send test" reports success against a live server and the reason against a dead one', async () => {
    const { tc, smtp } = await setup();
    const c = await tc.sys<Contact>('contacts.save', { name: 'Morgan', email: 'morgan@corner-fuel.test', channels: ['email'] });
    const ok = await tc.sys<{ ok: boolean; error: string | null }>('alerts.test', { channel: 'email', contactId: c.id });
    expect(ok).toMatchObject({ ok: true, error: null });
    expect(smtp.messages[0]!.subject).toBe('[Corner Fuel #12] Low: Test message from Penny');
    smtp.reject = { code: 554, message: 'Transaction failed' };
    const bad = await tc.sys<{ ok: boolean; error: string | null }>('alerts.test', { channel: 'email', contactId: c.id });
    expect(bad.ok).toBe(false);
    expect(bad.error).toContain('554');
    // The test message never touches the outbox.
    expect(await tc.sys<Alert[]>('alerts.list', {})).toEqual([]);
  });
});
