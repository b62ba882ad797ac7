/**
 * Alert latency: a Modisoft report with a refund over $50 dropped into the POS watched folder →
 * the e-mail accepted by an in-process SMTP server (smtp-server on 127.0.0.1), 20 runs, median and
 * p95. Baseline in the same run: `alerts.raise` → SMTP acceptance, i.e. the alert pipeline alone, so
 * the difference is what the watcher, import and rules add. Goal: under 2 s.
 *
 * Storm aggregation is off for the run (alerts.stormWindowMinutes = 0): otherwise refunds 2…20 on
 * the same register would correctly be held for one digest, which is not what is being measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ONBOARD, testCore } from '../helpers/core.js';
import { smtpSink } from '../alerts/helpers.js';
import { modisoftReport, yesterday } from '../alerts/pos-report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const smtp = await smtpSink();
const tc = await testCore();
await tc.sys('onboarding.complete', ONBOARD);
const watch = join(tc.dir, 'watch');
mkdirSync(watch);
for (const [key, value] of Object.entries({
  'smtp.host': '127.0.0.1',
  'smtp.port': String(smtp.port),
  'smtp.from': 'penny@corner-fuel.test',
  'alerts.stormWindowMinutes': '0',
  'alerts.rateLimitPerHour': '1000',
  'pos.watchFolder': watch,
})) {
  await tc.sys('settings.set', { key, value });
}
await tc.sys('contacts.save', { name: 'Bench Manager', email: 'manager@corner-fuel.test', channels: ['email'] });

async function timeToMail(trigger: () => void | Promise<unknown>, marker: string): Promise<number> {
  const before = smtp.messages.length;
  const t0 = performance.now();
  await trigger();
  for (;;) {
    const m = smtp.messages.slice(before).find((x) => x.subject.includes(marker));
    if (m) return performance.now() - t0;
    if (performance.now() - t0 > 30_000) throw new Error(`no e-mail for ${marker} within 30 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { median: q(0.5), p95: q(0.95), min: s[0]!, max: s.at(-1)! };
};
const fmt = (x: { median: number; p95: number; min: number; max: number }) =>
  `median ${x.median.toFixed(0)} ms, p95 ${x.p95.toFixed(0)} ms (min ${x.min.toFixed(0)}, max ${x.max.toFixed(0)})`;

const baseline: number[] = [];
const endToEnd: number[] = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(await timeToMail(() => tc.sys('alerts.raise', { severity: 'high', title: `Bench raise ${i}` }), `Bench raise ${i}`));
  const cents = 5100 + i * 7;
  const amount = `$${(cents / 100).toFixed(2)}`;
  endToEnd.push(
    await timeToMail(() => writeFileSync(join(watch, `report-${i}.csv`), modisoftReport({ refundCents: cents, tranId: 10_000 + i * 2, minute: 10 + i, day: yesterday() })), `refund ${amount}`),
  );
}

const b = stats(baseline);
const e = stats(endToEnd);
console.log(`alerts: ${RUNS} runs`);
console.log(`  baseline  alerts.raise → SMTP accepted:                  ${fmt(b)}`);
console.log(`  end-to-end POS file in watched folder → SMTP accepted:  ${fmt(e)}`);
console.log(`  ratio end-to-end / baseline (median): ${(e.median / b.median).toFixed(1)}×`);
console.log(`  goal < 2000 ms at p95: ${e.p95 < 2000 ? 'met' : 'NOT met'}`);
await tc.close();
await smtp.close();
