import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, Summary } from '../../services/contract/index.js';
import { fakeClock, ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { smtpSink, until, type SmtpSink } from './helpers.js';
import { modisoftReport } from './pos-report.js';

let tc: TestCore | undefined;
let smtp: SmtpSink | undefined;
afterEach(async () => {
  await tc?.close();
  await smtp?.close();
  tc = smtp = undefined;
});

// 06:00 in Chicago on Thursday 15 January 2026.
const START = Date.parse('2026-01-15T12:00:00Z');

async function setup() {
  const clock = fakeClock(START);
  smtp = await smtpSink();
  tc = await testCore({ clock });
  await tc.sys('onboarding.complete', ONBOARD);
  for (const [key, value] of Object.entries({
    'smtp.host': '127.0.0.1',
    'smtp.port': String(smtp.port),
    'smtp.from': 'penny@corner-fuel.test',
    'alerts.linkBase': 'http://127.0.0.1:8780',
    'summary.time': '07:30',
    'summary.weeklyDay': 'fri',
  })) {
    await tc.sys('settings.set', { key, value });
  }
  await tc.sys('contacts.save', { name: 'Owner', email: 'owner@corner-fuel.test', sources: ['summary'] });
  // Only real-time alerts, no summaries: must not get the summary.
  await tc.sys('contacts.save', { name: 'Shift lead', email: 'lead@corner-fuel.test', sources: ['exception'], severities: ['critical'] });
  return { clock, tc, smtp };
}

describe('daily summary and weekly report', () => {
  it('the daily summary arrives at summary.time (store time) with counts, top exceptions and links', async () => {
    const { clock, tc, smtp } = await setup();
    const file = join(tc.dir, 'report.csv');
    writeFileSync(file, modisoftReport({ refundCents: 8800, tranId: 700, noSales: 3 }));
    await tc.sys('pos.import', { path: file });

    const preview = await tc.sys<Summary>('alerts.summary', { period: 'daily' });
    expect(preview.basis).toBe('exceptions');
    expect(preview.countsByType).toEqual([
      { type: 'no_sale', count: 3 },
      { type: 'refund', count: 1 },
    ]);
    expect(preview.top[0]).toMatchObject({ severity: 'high', title: 'Refund over $50 — refund $88.00 on register 1' });
    expect(preview.top[0]!.link).toMatch(/^http:\/\/127\.0\.0\.1:8780\/#\/review\/exceptions\/\d+$/);
    expect(preview.alertId).toBeNull();
    smtp.messages.length = 0;

    // 07:29 local: nothing yet.
    clock.set(Date.parse('2026-01-15T13:29:00Z'));
    await new Promise((r) => setTimeout(r, 1200));
    expect(smtp.messages.filter((m) => m.subject.includes('summary'))).toHaveLength(0);
    // 07:30 local: the worker's own tick sends it, without anyone calling a command.
    clock.set(Date.parse('2026-01-15T13:30:00Z'));
    const mail = await until(() => smtp.messages.find((m) => m.subject.includes('Daily summary')), 5000, 'the daily summary');
    expect(mail.to).toEqual(['owner@corner-fuel.test']);
    expect(mail.subject).toBe('[Corner Fuel #12] Daily summary: 4 exceptions');
    expect(mail.text).toContain('By type:\n  no sale: 3\n  refund: 1');
    expect(mail.text).toContain(preview.top[0]!.link);
    expect(mail.html).toContain(`<a href="${preview.top[0]!.link}">`);

    // It is sent once per day, even though the worker keeps ticking.
    await new Promise((r) => setTimeout(r, 1200));
    await tc.sys('alerts.deliver');
    expect(smtp.messages.filter((m) => m.subject.includes('Daily summary'))).toHaveLength(1);
    const summaries = await tc.sys<Alert[]>('alerts.list', { source: 'summary' });
    expect(summaries).toHaveLength(1);

    // Next day at 07:30 again; the weekly report waits for Friday.
    clock.set(Date.parse('2026-01-16T13:30:00Z'));
    await until(() => smtp.messages.filter((m) => m.subject.includes('Weekly report')).length === 1, 5000, 'the weekly report');
    await until(() => smtp.messages.filter((m) => m.subject.includes('Daily summary')).length === 2, 5000, 'the second daily summary');
    const weekly = smtp.messages.find((m) => m.subject.includes('Weekly report'))!;
    expect(weekly.subject).toBe('[Corner Fuel #12] Weekly report: 4 exceptions');
    expect(weekly.text).toContain('in the last 7 days');
  });

  it('`alerts.summary` with send=true sends at once and reports the alert', async () => {
    const { tc, smtp } = await setup();
    const s = await tc.sys<Summary>('alerts.summary', { period: 'daily', send: true });
    expect(s.alertId).not.toBeNull();
    expect(smtp.messages.map((m) => m.subject)).toEqual(['[Corner Fuel #12] Daily summary: 0 exceptions']);
    expect((await tc.sys<Alert>('alerts.get', { id: s.alertId! })).status).toBe('sent');
  });
});
