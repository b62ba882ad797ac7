import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, Contact } from '../../services/contract/index.js';
import { fakeClock, ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { httpRecorder, until, type HttpRecorder } from './helpers.js';

let tc: TestCore | undefined;
let http: HttpRecorder | undefined;
afterEach(async () => {
  await tc?.close();
  await http?.close();
  tc = http = undefined;
});

async function setup(settings: Record<string, string>, clock?: ReturnType<typeof fakeClock>) {
  http = await httpRecorder();
  tc = await testCore({ clock });
  await tc.sys('onboarding.complete', ONBOARD);
  await tc.sys('settings.set', { key: 'alerts.linkBase', value: 'http://127.0.0.1:8780' });
  await tc.sys('settings.set', { key: 'alerts.desktop', value: 'false' });
  for (const [key, value] of Object.entries(settings)) await tc.sys('settings.set', { key, value: value.replace('{url}', http.url) });
  return { tc, http };
}

const smsSettings = { 'sms.baseUrl': '{url}', 'sms.accountSid': 'AC0123456789abcdef', 'sms.authToken': 'tok-secret', 'sms.from': '+15550001111' };

describe('SMS through a Twilio-compatible API', () => {
  it('posts form-encoded To/From/Body with basic auth to /2010-04-01/Accounts/{Sid}/Messages.json', async () => {
    const { tc, http } = await setup(smsSettings);
    http.reply = () => JSON.stringify({ sid: 'SM9f1c', status: 'queued' });
    await tc.sys<Contact>('contacts.save', { name: 'Morgan', phone: '+1 (555) 123-4567', channels: ['sms'] });
    const a = await tc.sys<Alert>('alerts.raise', { source: 'face', severity: 'critical', title: 'Return offender at the entrance', entity: 'face', entityId: 7 });

    const [r] = await http.waitFor(1);
    expect(r!.method).toBe('POST');
    expect(r!.url).toBe('/2010-04-01/Accounts/AC0123456789abcdef/Messages.json');
    expect(r!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(r!.headers.authorization).toBe(`Basic ${Buffer.from('AC0123456789abcdef:tok-secret').toString('base64')}`);
    const form = new URLSearchParams(r!.body);
    expect([...form.keys()].sort()).toEqual(['Body', 'From', 'To']);
    expect(form.get('To')).toBe('+15551234567');
    expect(form.get('From')).toBe('+15550001111');
    expect(form.get('Body')).toBe('Corner Fuel #12: Return offender at the entrance http://127.0.0.1:8780/#/faces/7');

    const done = await until(async () => {
      const x = await tc.sys<Alert>('alerts.get', { id: a.id });
      return x.status === 'sent' ? x : null;
    });
    expect(done.deliveries[0]).toMatchObject({ channel: 'sms', providerId: 'SM9f1c', attempts: 1 });
  });

  it('a 500 followed by a 200 gives exactly one delivery', async () => {
    const clock = fakeClock();
    const { tc, http } = await setup(smsSettings, clock);
    http.script = [500];
    await tc.sys('contacts.save', { name: 'Morgan', phone: '+15551234567' });
    const a = await tc.sys<Alert>('alerts.raise', { severity: 'high', title: 'Sync failing for 2 hours' });
    await tc.sys('alerts.deliver');
    expect(http.requests.map((r) => r.status)).toEqual([500]);
    let x = await tc.sys<Alert>('alerts.get', { id: a.id });
    expect(x.deliveries[0]).toMatchObject({ state: 'pending', attempts: 1 });
    expect(x.deliveries[0]!.lastError).toContain('HTTP 500');

    clock.advance(5000);
    await tc.sys('alerts.deliver');
    clock.advance(60 * 60_000);
    await tc.sys('alerts.deliver');
    expect(http.requests.map((r) => r.status)).toEqual([500, 200]);
    x = await tc.sys<Alert>('alerts.get', { id: a.id });
    expect(x.status).toBe('sent');
    expect(x.deliveries[0]).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a 400 (a bad number) is dead-lettered at once; the admin fixes it and retries', async () => {
    const { tc, http } = await setup(smsSettings, fakeClock());
    http.script = [400];
    const c = await tc.sys<Contact>('contacts.save', { name: 'Morgan', phone: '+15551234567' });
    const a = await tc.sys<Alert>('alerts.raise', { severity: 'high', title: 'Camera 1 offline', source: 'camera' });
    await tc.sys('alerts.deliver');
    const failed = await tc.sys<Alert[]>('alerts.list', { status: 'failed' });
    expect(failed.map((f) => f.id)).toEqual([a.id]);
    expect(failed[0]!.deliveries[0]).toMatchObject({ state: 'dead', attempts: 1 });

    await tc.sys('contacts.save', { id: c.id, name: 'Morgan', phone: '+15557654321' });
    const retried = await tc.sys<Alert>('alerts.retry', { id: a.id });
    expect(retried.status).toBe('pending');
    await tc.sys('alerts.deliver');
    expect(http.requests.map((r) => r.status)).toEqual([400, 200]);
    expect((await tc.sys<Alert>('alerts.get', { id: a.id })).status).toBe('sent');
    // Nothing left to retry: a clear conflict, not a silent resend.
    const again = await tc.call('alerts.retry', { id: a.id }, { system: 'test' });
    expect(again.ok ? null : again.error.code).toBe('conflict');
  });

  it('keeps failing → dead letter after alerts.maxAttempts, never more attempts than that', async () => {
    const clock = fakeClock();
    const { tc, http } = await setup({ ...smsSettings, 'alerts.maxAttempts': '3' }, clock);
    http.fallback = 503;
    await tc.sys('contacts.save', { name: 'Morgan', phone: '+15551234567' });
    const a = await tc.sys<Alert>('alerts.raise', { severity: 'high', title: 'Disk almost full' });
    for (let i = 0; i < 6; i++) {
      await tc.sys('alerts.deliver');
      clock.advance(60 * 60_000);
    }
    expect(http.requests).toHaveLength(3);
    const x = await tc.sys<Alert>('alerts.get', { id: a.id });
    expect(x.status).toBe('failed');
    expect(x.deliveries[0]).toMatchObject({ state: 'dead', attempts: 3 });
  });
});

describe('chat webhooks', () => {
  it('Slack: text fallback plus Block Kit with a link button', async () => {
    const { tc, http } = await setup({ 'webhook.url': '{url}/services/T000/B000/XXXX', 'webhook.kind': 'slack' });
    await tc.sys('alerts.raise', { source: 'exception', severity: 'high', title: 'Refund over $50', body: 'Refund of $62.10', register: '2', entity: 'exception', entityId: 9 });
    const [r] = await http.waitFor(1);
    expect(r!.url).toBe('/services/T000/B000/XXXX');
    expect(r!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(r!.body) as { text: string; blocks: { type: string; text?: { type: string; text: string }; elements?: { url: string }[] }[] };
    expect(body.text).toBe('Corner Fuel #12: Refund over $50 — http://127.0.0.1:8780/#/review/exceptions/9');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions']);
    expect(body.blocks[1]!.text).toMatchObject({ type: 'mrkdwn' });
    expect(body.blocks[1]!.text!.text).toContain('*High: Refund over $50*');
    expect(body.blocks[1]!.text!.text).toContain('Register: 2');
    expect(body.blocks[2]!.elements![0]!.url).toBe('http://127.0.0.1:8780/#/review/exceptions/9');
  });

  it('Teams: a message with an Adaptive Card and an Open URL action', async () => {
    const { tc, http } = await setup({ 'webhook.url': '{url}/workflows/abc', 'webhook.kind': 'teams' });
    await tc.sys('alerts.raise', { source: 'camera', severity: 'medium', title: 'Recorder stalled on camera 2' });
    const [r] = await http.waitFor(1);
    const body = JSON.parse(r!.body) as { type: string; attachments: { contentType: string; content: { type: string; version: string; body: { type: string; text?: string }[]; actions: { type: string; url: string }[] } }[] };
    expect(body.type).toBe('message');
    expect(body.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = body.attachments[0]!.content;
    expect(card.type).toBe('AdaptiveCard');
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: 'Recorder stalled on camera 2' });
    expect(card.actions[0]!.type).toBe('Action.OpenUrl');
    expect(card.actions[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:8780\/#\/monitor\/alerts\/\d+$/);
  });

  it('Webex bot style: bearer token, roomId and markdown', async () => {
    const { tc, http } = await setup({ 'webhook.url': '{url}/v1/messages', 'webhook.kind': 'webex', 'webhook.token': 'bot-token-1', 'webhook.roomId': 'Y2lzY29zcGFyazovL3Jvb20' });
    http.reply = () => JSON.stringify({ id: 'msg-77' });
    const a = await tc.sys<Alert>('alerts.raise', { source: 'exception', severity: 'high', title: '5 no-sales in 10 minutes', register: '1' });
    const [r] = await http.waitFor(1);
    expect(r!.url).toBe('/v1/messages');
    expect(r!.headers.authorization).toBe('Bearer bot-token-1');
    const body = JSON.parse(r!.body) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['markdown', 'roomId', 'text']);
    expect(body.roomId).toBe('Y2lzY29zcGFyazovL3Jvb20');
    expect(body.markdown).toContain('**High: 5 no-sales in 10 minutes**');
    expect(body.markdown).toContain(`[Open in Penny](http://127.0.0.1:8780/#/monitor/alerts/${a.id})`);
    const done = await until(async () => ((await tc.sys<Alert>('alerts.get', { id: a.id })).status === 'sent' ? true : null));
    expect(done).toBe(true);
    expect((await tc.sys<Alert>('alerts.get', { id: a.id })).deliveries[0]!.providerId).toBe('msg-77');
  });
});

describe('desktop', () => {
  it('emits alert.raised for the Electron main / browser Notifications, once per alert', async () => {
    tc = await testCore();
    await tc.sys('onboarding.complete', ONBOARD);
    const seen: unknown[] = [];
    tc.core.events.subscribe((name, p) => name === 'alert.raised' && seen.push(p));
    const a = await tc.sys<Alert>('alerts.raise', { source: 'face', severity: 'critical', title: 'Return offender', body: 'Watchlist match 0.93' });
    await until(() => seen.length === 1);
    expect(seen[0]).toEqual({ id: a.id, source: 'face', severity: 'critical', title: 'Return offender', body: 'Watchlist match 0.93', link: 'penny://open/#/monitor/alerts/1' });
    await tc.sys('alerts.deliver');
    expect(seen).toHaveLength(1);
  });
});
