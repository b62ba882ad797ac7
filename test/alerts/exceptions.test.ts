import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../services/contract/index.js';
import { ONBOARD, tempDir, testCore, type TestCore } from '../helpers/core.js';
import { httpRecorder, smtpSink, until, type HttpRecorder, type SmtpSink } from './helpers.js';
import { modisoftReport, yesterday } from './pos-report.js';

let tc: TestCore | undefined;
let smtp: SmtpSink | undefined;
let chat: HttpRecorder | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await tc?.close();
  await smtp?.close();
  await chat?.close();
  tc = smtp = chat = undefined;
  for (const c of cleanups.splice(0)) c();
});

async function station(dir?: string) {
  tc = await testCore({ dir });
  return tc;
}

async function configure(t: TestCore) {
  smtp = await smtpSink();
  chat = await httpRecorder();
  await t.sys('onboarding.complete', ONBOARD);
  const watch = join(t.dir, 'watch');
  mkdirSync(watch);
  for (const [key, value] of Object.entries({
    'smtp.host': '127.0.0.1',
    'smtp.port': String(smtp.port),
    'smtp.from': 'penny@corner-fuel.test',
    'webhook.url': `${chat.url}/hooks/slack`,
    'webhook.kind': 'slack',
    'pos.watchFolder': watch,
  })) {
    await t.sys('settings.set', { key, value });
  }
  await t.sys('contacts.save', { name: 'Morgan Manager', email: 'morgan@corner-fuel.test', channels: ['email'] });
  return watch;
}

describe('alerts from POS exceptions', () => {
  it('a report with a refund over $50 dropped in the watched folder reaches the manager by e-mail and chat within seconds', async () => {
    const t = await station();
    const watch = await configure(t);
    const t0 = Date.now();
    writeFileSync(join(watch, 'day.csv'), modisoftReport({ refundCents: 6210, tranId: 9300, noSales: 1, day: yesterday() }));

    const [mail] = await smtp!.waitFor(1, 10_000);
    const [post] = await chat!.waitFor(1, 10_000);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(mail!.to).toEqual(['morgan@corner-fuel.test']);
    expect(mail!.subject).toBe('[Corner Fuel #12] High: Refund over $50 — refund $62.10 on register 1');
    const alerts = await t.sys<Alert[]>('alerts.list', {});
    // The low-severity No Sale is below alerts.minSeverity (medium): no alert for it.
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!).toMatchObject({ source: 'exception', entity: 'exception', type: 'refund', severity: 'high', register: '1' });
    expect(mail!.text).toContain(`penny://open/#/review/exceptions/${alerts[0]!.entityId}`);
    expect((JSON.parse(post!.body) as { text: string }).text).toContain('Refund over $50');
  });

  it('a report of past days raises one alert that sums up its exceptions, not one alert each', async () => {
    const t = await station();
    const watch = await configure(t);
    // July 2025 is far outside the default 72-hour window. The three No Sales are low, below minSeverity.
    writeFileSync(join(watch, 'old.csv'), modisoftReport({ refundCents: 6000, tranId: 9500, noSales: 3 }));
    const [mail] = await smtp!.waitFor(1, 10_000);
    const [alert, ...more] = await t.sys<Alert[]>('alerts.list', {});
    expect(more).toHaveLength(0);
    expect(alert).toMatchObject({ source: 'exception', severity: 'high', title: '1 exception found in past transactions (Jul 8, 2025)', link: 'penny://open/#/review' });
    expect(alert!.body).toMatch(/^By severity: 1 high\. These transactions are older than the alert window/);
    expect(mail!.subject).toBe('[Corner Fuel #12] High: 1 exception found in past transactions (Jul 8, 2025)');

    // One burst of old exceptions from any source: one alert, counted by severity, the top one its own.
    const old = Date.UTC(2026, 0, 10, 18);
    t.core.events.emit('exception.flagged', { id: 801, severity: 'high', startedAt: old, title: 'x' });
    t.core.events.emit('exception.flagged', { id: 802, severity: 'medium', startedAt: old + 86_400_000, title: 'x' });
    t.core.events.emit('exception.flagged', { id: 803, severity: 'high', startedAt: old + 3600_000, title: 'x' });
    t.core.events.emit('exception.flagged', { id: 804, severity: 'low', startedAt: old, title: 'x' });
    const digest = await until(async () => (await t.sys<Alert[]>('alerts.list', {})).find((a) => a.title.startsWith('3 exceptions')));
    expect(digest).toMatchObject({ severity: 'high', title: '3 exceptions found in past transactions (Jan 10, 2026 – Jan 11, 2026)' });
    expect(digest.body).toMatch(/^By severity: 2 high, 1 medium\. /);
    expect(await t.sys<Alert[]>('alerts.list', {})).toHaveLength(2);
  });

  it('old exceptions flagged just before the station stops still get their summing-up alert', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    let t = await station(tmp.dir);
    await t.sys('onboarding.complete', ONBOARD);
    t.core.events.emit('exception.flagged', { id: 901, severity: 'high', startedAt: Date.UTC(2026, 0, 10, 18), title: 'x' });
    await t.close();
    tc = undefined;
    t = await station(tmp.dir);
    const [alert, ...more] = await t.sys<Alert[]>('alerts.list', {});
    expect(more).toHaveLength(0);
    expect(alert!.title).toBe('1 exception found in past transactions (Jan 10, 2026)');
  });

  it('the threshold follows alerts.minSeverity, and one exception never raises two alerts', async () => {
    const t = await station();
    await t.sys('onboarding.complete', ONBOARD);
    await t.sys('settings.set', { key: 'alerts.minSeverity', value: 'critical' });
    t.core.events.emit('exception.flagged', { id: 501, severity: 'high', title: 'Void over $100', type: 'void' });
    expect(await t.sys<Alert[]>('alerts.list', {})).toHaveLength(0);
    await t.sys('settings.set', { key: 'alerts.minSeverity', value: 'high' });
    // The generic payload from a source without an exception table row.
    t.core.events.emit('exception.flagged', { id: 501, severity: 'high', title: 'Void over $100', body: 'Voided $140.00', type: 'void', register: '2' });
    t.core.events.emit('exception.flagged', { id: 501, severity: 'high', title: 'Void over $100', type: 'void' });
    t.core.events.emit('exception.flagged', { id: 'x', severity: 'high' });
    const list = await t.sys<Alert[]>('alerts.list', {});
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ title: 'Void over $100', body: 'Voided $140.00', register: '2', entityId: '501' });
  });

  it('an exception flagged just before a crash still gets its alert on restart', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    let t = await station(tmp.dir);
    const watch = await configure(t);
    writeFileSync(join(watch, 'day.csv'), modisoftReport({ refundCents: 7500, tranId: 9400, day: yesterday() }));
    await smtp!.waitFor(1);
    await t.close();
    tc = undefined;
    // As if the process died between the exception commit and the alert insert.
    const db = new Database(join(tmp.dir, 'penny.db'));
    db.exec('DELETE FROM alert_attempt; DELETE FROM alert_delivery; DELETE FROM alert; DELETE FROM alert_storm;');
    db.close();

    t = await station(tmp.dir);
    const again = await until(async () => (await t.sys<Alert[]>('alerts.list', {}))[0]);
    expect(again.title).toBe('Refund over $50 — refund $75.00 on register 1');
    await smtp!.waitFor(2);
  });
});
