import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, Contact } from '../../services/contract/index.js';
import { backoffDelay, pluralLabel, quietUntil, rateLimitedUntil } from '../../services/core/alerts/policy.js';
import { fakeClock, ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { httpRecorder, type HttpRecorder } from './helpers.js';

describe('policy functions', () => {
  it('backoff grows exponentially, is capped, and jitters within [half, full] of the nominal delay', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, () => 1))).toEqual([5000, 10000, 20000, 40000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, () => 0))).toEqual([2500, 5000, 10000, 20000]);
    expect(backoffDelay(40, () => 1)).toBe(30 * 60_000);
    const samples = Array.from({ length: 200 }, () => backoffDelay(3));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(10000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(20000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });

  it('quiet hours wrap past midnight in the store time zone', () => {
    const zone = 'America/Chicago';
    const at = (iso: string) => Date.parse(iso);
    // 23:30 Chicago (05:30 UTC next day) is inside 22:00–06:00; it ends at 06:00 Chicago = 12:00 UTC.
    expect(quietUntil(at('2026-01-16T05:30:00Z'), zone, '22:00', '06:00')).toBe(at('2026-01-16T12:00:00Z'));
    expect(quietUntil(at('2026-01-16T11:59:00Z'), zone, '22:00', '06:00')).toBe(at('2026-01-16T12:00:00Z'));
    expect(quietUntil(at('2026-01-16T12:00:00Z'), zone, '22:00', '06:00')).toBeNull();
    expect(quietUntil(at('2026-01-16T18:00:00Z'), zone, '12:00', '13:00')).toBe(at('2026-01-16T19:00:00Z'));
    expect(quietUntil(at('2026-01-16T18:00:00Z'), zone, null, null)).toBeNull();
  });

  it('rate limit frees a slot an hour after the oldest send that counts', () => {
    const h = 60 * 60_000;
    expect(rateLimitedUntil(10 * h, [9.5 * h], 2)).toBeNull();
    expect(rateLimitedUntil(10 * h, [9.2 * h, 9.5 * h], 2)).toBe(10.2 * h);
    expect(rateLimitedUntil(10 * h, [9.1 * h, 9.2 * h, 9.5 * h], 2)).toBe(10.2 * h);
  });

  it('labels storm digests in plain words', () => {
    expect(pluralLabel('no_sale', 7)).toBe('no-sales');
    expect(pluralLabel('void', 1)).toBe('void');
    expect(pluralLabel('price_override', 2)).toBe('price-overrides');
  });
});

let tc: TestCore | undefined;
let http: HttpRecorder | undefined;
afterEach(async () => {
  await tc?.close();
  await http?.close();
  tc = http = undefined;
});

async function smsCore(start: number, extra: Record<string, string> = {}) {
  const clock = fakeClock(start);
  http = await httpRecorder();
  tc = await testCore({ clock });
  await tc.sys('onboarding.complete', ONBOARD);
  const settings = { 'sms.baseUrl': http.url, 'sms.accountSid': 'AC1', 'sms.authToken': 't', 'sms.from': '+15550001111', 'alerts.desktop': 'false', ...extra };
  for (const [key, value] of Object.entries(settings)) await tc.sys('settings.set', { key, value });
  return { clock, tc, http };
}
const bodies = (h: HttpRecorder) => h.requests.map((r) => new URLSearchParams(r.body).get('Body'));

describe('storm control', () => {
  it('aggregates a burst of one type on one register into one digest message', async () => {
    const { clock, tc, http } = await smsCore(Date.parse('2026-01-15T18:00:00Z'));
    await tc.sys('contacts.save', { name: 'Morgan', phone: '+15551234567' });
    const raise = (register: string, severity = 'medium') =>
      tc.sys<Alert>('alerts.raise', { source: 'exception', type: 'no_sale', severity, title: `No Sale on register ${register}`, register });

    const first = await raise('2');
    await tc.sys('alerts.deliver');
    expect(bodies(http)).toEqual([expect.stringContaining('No Sale on register 2')]);
    for (let i = 0; i < 6; i++) {
      clock.advance(60_000);
      const a = await raise('2');
      expect(a.status).toBe('aggregated');
      expect(a.stormId).toBe(first.stormId);
    }
    // Another register is its own storm; a critical one is never held.
    await raise('3');
    await raise('2', 'critical');
    await tc.sys('alerts.deliver');
    expect(http.requests).toHaveLength(3);

    clock.set(Date.parse('2026-01-15T18:10:00Z'));
    await tc.sys('alerts.deliver');
    await tc.sys('alerts.deliver');
    expect(http.requests).toHaveLength(4);
    expect(bodies(http)[3]).toMatch(/^Corner Fuel #12: 7 no-sales on Register 2 in 10 minutes/);
    const digest = (await tc.sys<Alert[]>('alerts.list', {}))[0]!;
    expect(digest.title).toBe('7 no-sales on Register 2 in 10 minutes');
    expect(digest.body.split('\n')).toHaveLength(7);
    expect(digest.status).toBe('sent');
    // Closing again (or after a restart) never makes a second digest.
    clock.advance(60 * 60_000);
    await tc.sys('alerts.deliver');
    expect(http.requests).toHaveLength(4);
  });
});

describe('quiet hours and rate limit', () => {
  it('quiet hours hold a high alert until they end but never hold a critical one', async () => {
    // 23:00 in Chicago.
    const { clock, tc, http } = await smsCore(Date.parse('2026-01-16T05:00:00Z'));
    await tc.sys<Contact>('contacts.save', { name: 'Morgan', phone: '+15551234567', quietStart: '22:00', quietEnd: '06:00' });
    const high = await tc.sys<Alert>('alerts.raise', { severity: 'high', title: 'Void over $100' });
    await tc.sys<Alert>('alerts.raise', { severity: 'critical', title: 'Return offender at the door' });
    await tc.sys('alerts.deliver');
    expect(bodies(http)).toEqual(['Corner Fuel #12: Return offender at the door penny://open/#/monitor/alerts/2']);
    const held = await tc.sys<Alert>('alerts.get', { id: high.id });
    expect(held.deliveries[0]).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: Date.parse('2026-01-16T12:00:00Z') });

    clock.set(Date.parse('2026-01-16T11:59:00Z'));
    await tc.sys('alerts.deliver');
    expect(http.requests).toHaveLength(1);
    clock.set(Date.parse('2026-01-16T12:00:00Z'));
    await tc.sys('alerts.deliver');
    expect(bodies(http)[1]).toContain('Void over $100');
  });

  it('rate-limits per contact and channel, holding (not dropping) the excess', async () => {
    const { clock, tc, http } = await smsCore(Date.parse('2026-01-15T18:00:00Z'), { 'alerts.rateLimitPerHour': '2', 'alerts.stormWindowMinutes': '0' });
    await tc.sys('contacts.save', { name: 'Morgan', phone: '+15551234567' });
    for (let i = 1; i <= 4; i++) await tc.sys('alerts.raise', { severity: 'high', title: `Alert ${i}` });
    await tc.sys('alerts.raise', { severity: 'critical', title: 'Critical one' });
    await tc.sys('alerts.deliver');
    expect(bodies(http).map((b) => /Alert \d|Critical one/.exec(b!)![0])).toEqual(['Alert 1', 'Alert 2', 'Critical one']);
    expect((await tc.sys<Alert[]>('alerts.list', { status: 'pending' })).map((a) => a.title).sort()).toEqual(['Alert 3', 'Alert 4']);
    clock.advance(30 * 60_000);
    await tc.sys('alerts.deliver');
    expect(http.requests).toHaveLength(3);
    clock.advance(30 * 60_000);
    await tc.sys('alerts.deliver');
    expect(http.requests).toHaveLength(5);
  });
});

describe('contacts', () => {
  it('refuses bad input with the field named, and needs an admin to change', async () => {
    tc = await testCore();
    await tc.sys('onboarding.complete', ONBOARD);
    const bad = async (input: unknown) => {
      const r = await tc!.call('contacts.save', input, { system: 'test' });
      if (r.ok) throw new Error('expected a failure');
      return r.error;
    };
    expect((await bad({ name: 'X', email: 'not-an-address' })).message).toMatch(/email: e-mail address is not valid/);
    expect((await bad({ name: 'X', phone: '555-1234' })).message).toMatch(/phone: phone must be in international form/);
    expect((await bad({ name: 'X', channels: ['sms'] })).message).toBe('The SMS channel needs a phone number.');
    expect((await bad({ name: 'X', email: 'a@b.test', quietStart: '22:00' })).message).toMatch(/quietEnd: give both quietStart and quietEnd/);
    expect((await bad({ name: 'X', email: 'a@b.test', severities: ['urgent'] })).code).toBe('invalid_input');
    expect((await bad({ name: '  ' })).message).toMatch(/name: contact name is required/);
    expect((await bad({ id: 99, name: 'X' })).code).toBe('not_found');

    const login = await tc.sys<{ token: string }>('auth.login', { username: ONBOARD.admin.username, password: ONBOARD.admin.password });
    await tc.sys('users.create', { role: 'manager', username: 'mgr', displayName: 'M', password: 'manager password 1' });
    const m = await tc.sys<{ token: string }>('auth.login', { username: 'mgr', password: 'manager password 1' });
    const denied = await tc.call('contacts.save', { name: 'X', email: 'a@b.test' }, { session: m.token });
    expect(denied.ok ? null : denied.error.code).toBe('forbidden');
    const ok = await tc.call('contacts.save', { name: 'X', email: 'a@b.test' }, { session: login.token });
    expect(ok.ok).toBe(true);
    const list = await tc.call('contacts.list', {}, { session: m.token });
    expect(list.ok && (list.value as Contact[]).map((c) => c.name)).toEqual(['X']);
  });
});
