import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { bucketOf } from '../../services/core/reports/aggregate.js';

const FILE = 'fixtures/pos/modisoft/sale-transactions-2025-07-08.csv';
type Report = { totals: { transactions: number; exceptions: number; flaggedCents: number; recoveredCents: number }; byType: { type: string; count: number }[]; trend: { period: string; type: string; count: number }[]; employees: { employee: string; transactions: number; exceptions: number; rate: number; peerRate: number }[]; heatmap: { register: string; hour: number; count: number }[]; loss: { period: string; flaggedCents: number }[] };

describe('reports', () => {
  let tc: TestCore;
  afterEach(async () => tc?.close());

  it('aggregates the imported Modisoft day: totals, types, trend, employees, heatmap', async () => {
    tc = await testCore();
    await tc.sys('onboarding.complete', ONBOARD);
    const imp = (await tc.sys('pos.import', { path: FILE })) as { transactions: number; exceptions: number; byType: Record<string, number> };
    const r = (await tc.sys('reports.overview', { bucket: 'day' })) as Report;
    expect(r.totals.transactions).toBe(imp.transactions);
    expect(r.totals.exceptions).toBe(imp.exceptions);
    const exTypes = Object.fromEntries(r.byType.map((t) => [t.type, t.count]));
    // Every exception here is a No Sale or a void; their counts are the file's counts of those types.
    expect(exTypes).toEqual({ no_sale: imp.byType.no_sale, void: imp.byType.void });
    expect(r.trend.map((t) => t.period)).toEqual(['2025-07-08', '2025-07-08']);
    expect(r.heatmap.reduce((s, h) => s + h.count, 0)).toBe(imp.exceptions);
    // No Sales at 23:37 and 23:33 show up in the 23:00 column.
    expect(r.heatmap.find((h) => h.hour === 23)?.count).toBeGreaterThanOrEqual(2);
    const emp = r.employees.reduce((s, e) => s + e.transactions, 0);
    expect(emp).toBeLessThanOrEqual(imp.transactions);
    for (const e of r.employees) expect(e.rate).toBeCloseTo(e.transactions ? (100 * e.exceptions) / e.transactions : 0, 1);
    expect(r.totals.recoveredCents).toBe(0);
    expect(r.loss.reduce((s, l) => s + l.flaggedCents, 0)).toBe(r.totals.flaggedCents);

    // Dismissing an exception takes its amount out of the loss figure but keeps the count.
    const list = (await tc.sys('exceptions.list', { type: 'void', limit: 10 })) as { items: { id: number; amountCents: number }[] };
    const v = list.items[0]!;
    await tc.sys('exceptions.setStatus', { id: v.id, status: 'dismissed' });
    const r2 = (await tc.sys('reports.overview', { bucket: 'week' })) as Report;
    expect(r2.totals.exceptions).toBe(imp.exceptions);
    expect(r2.totals.flaggedCents).toBe(r.totals.flaggedCents - Math.abs(v.amountCents));
    expect(r2.trend.every((t) => t.period === '2025-07-07')).toBe(true);
  });

  it('exports CSV and PDF under exports/, audited, and refuses a backwards range', async () => {
    tc = await testCore();
    await tc.sys('onboarding.complete', ONBOARD);
    await tc.sys('pos.import', { path: FILE });
    const csv = (await tc.sys('reports.export', { format: 'csv', bucket: 'month' })) as { path: string; bytes: number };
    expect(csv.path).toMatch(/^exports\/report-.*\.csv$/);
    const text = readFileSync(join(tc.dir, csv.path), 'utf8');
    expect(text).toMatch(/^section,key,value/);
    expect(text).toContain('by_type,no_sale,20');
    const pdf = (await tc.sys('reports.export', { format: 'pdf' })) as { path: string };
    expect(readFileSync(join(tc.dir, pdf.path)).subarray(0, 5).toString()).toBe('%PDF-');
    const audit = (await tc.sys('audit.list', {})) as { items?: { action: string }[] } | { action: string }[];
    const items = Array.isArray(audit) ? audit : (audit.items ?? []);
    expect(items.filter((a) => a.action === 'reports.export')).toHaveLength(2);
    await expect(tc.sys('reports.overview', { since: 2000, until: 1000 })).rejects.toThrow(/until must be after since/);
  });

  it('buckets local dates into ISO weeks starting Monday and months', () => {
    expect(bucketOf('2025-07-08', 'week')).toBe('2025-07-07');
    expect(bucketOf('2025-07-06', 'week')).toBe('2025-06-30');
    expect(bucketOf('2025-07-08', 'month')).toBe('2025-07-01');
  });
});
