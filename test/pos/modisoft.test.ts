import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONBOARD, fakeClock, testCore, type TestCore } from '../helpers/core.js';
import type { ImportReport } from '../../services/contract/index.js';
import { MODISOFT, AFTER_MODISOFT_DAY, posCounts } from './helpers.js';

describe('Modisoft Sale Transactions import (real file)', () => {
  let tc: TestCore;
  let report: ImportReport;
  beforeAll(async () => {
    tc = await testCore({ clock: fakeClock(AFTER_MODISOFT_DAY) });
    await tc.sys('onboarding.complete', ONBOARD);
    report = await tc.sys<ImportReport>('pos.import', { path: MODISOFT });
  });
  afterAll(() => tc.close());

  it('imports every row with the exact counts by type', () => {
    expect(report).toMatchObject({ status: 'imported', format: 'modisoft', rows: 641, transactions: 641, duplicates: 0, rejectedCount: 0 });
    expect(report.byType).toEqual({ sale: 617, no_sale: 20, void: 4 });
    const byRaw = tc.core.db.prepare('SELECT raw_type, count(*) n FROM pos_transaction GROUP BY raw_type ORDER BY raw_type').all();
    expect(byRaw).toEqual([
      { raw_type: 'No Sale', n: 20 },
      { raw_type: 'normal', n: 617 },
      { raw_type: 'void', n: 4 },
    ]);
  });

  it('keeps the money totals to the cent', () => {
    // Net column total of the file; gross and tax are checked column by column.
    expect(report.totalCents).toBe(1078968);
    const sums = tc.core.db.prepare('SELECT sum(amount_cents) net, sum(tax_cents) tax, sum(discount_cents) disc FROM pos_transaction').get();
    expect(sums).toEqual({ net: 1078968, tax: 41850, disc: 0 });
    const tenders = tc.core.db.prepare("SELECT count(*) n, sum(amount_cents) s FROM pos_tender WHERE code = 'cash'").get();
    expect(tenders).toMatchObject({ n: 254 });
  });

  it('converts Chicago wall-clock times to UTC (CDT, UTC-5)', () => {
    const last = tc.core.db.prepare("SELECT started_at, wall_time FROM pos_transaction WHERE external_id = '9266'").get() as { started_at: number; wall_time: string };
    expect(last.wall_time).toBe('2025-07-08T23:51:00');
    expect(last.started_at).toBe(Date.UTC(2025, 6, 9, 4, 51));
  });

  it('uses register "1" by default and creates employees by POS id', () => {
    const regs = tc.core.db.prepare('SELECT DISTINCT r.code FROM pos_transaction t JOIN register r ON r.id = t.register_id').pluck().all();
    expect(regs).toEqual(['1']);
    const emps = tc.core.db.prepare('SELECT pos_id FROM employee ORDER BY pos_id').pluck().all();
    expect(emps).toEqual(['Cashier A', 'Cashier B', 'Cashier C']);
  });

  it('raises the exceptions of the default rules: every No Sale and every void, nothing else', async () => {
    expect(report.exceptions).toBe(24);
    const list = await tc.sys<{ items: { type: string; reasons: { ruleId: string }[] }[]; total: number }>('exceptions.list', { limit: 1000, withTotal: true });
    expect(list.total).toBe(24);
    const byRule: Record<string, number> = {};
    for (const e of list.items) for (const r of e.reasons) byRule[r.ruleId] = (byRule[r.ruleId] ?? 0) + 1;
    // No burst of 4 No Sales within 5 minutes exists in this day, so the window rule stays quiet.
    expect(byRule).toEqual({ 'no-sale': 20, void: 4 });
    const onlyNoSales = await tc.sys<{ items: unknown[] }>('exceptions.list', { rule: 'no-sale', limit: 1000 });
    expect(onlyNoSales.items).toHaveLength(20);
  });

  it('is idempotent: the same file again is a duplicate and adds nothing', async () => {
    const before = posCounts(tc.core.db);
    const again = await tc.sys<ImportReport>('pos.import', { path: MODISOFT });
    expect(again).toMatchObject({ status: 'duplicate', transactions: 0, duplicateOf: report.importId });
    expect(posCounts(tc.core.db)).toEqual(before);
  });

  it('stores the report so it can be opened later', async () => {
    const list = await tc.sys<{ importId: number }[]>('imports.list', {});
    expect(list.map((i) => i.importId)).toEqual([report.importId]);
    const got = await tc.sys<ImportReport>('imports.get', { id: report.importId });
    expect(got).toMatchObject({ transactions: 641, byType: report.byType, totalCents: 1078968, exceptions: 24, rejected: [] });
  });

  it('lists transactions by type and time with cursor paging', async () => {
    const ns = await tc.sys<{ items: { type: string }[]; nextCursor: string | null }>('transactions.list', { type: 'no_sale', limit: 15 });
    expect(ns.items).toHaveLength(15);
    const rest = await tc.sys<{ items: unknown[]; nextCursor: string | null }>('transactions.list', { type: 'no_sale', limit: 15, cursor: ns.nextCursor });
    expect(rest.items).toHaveLength(5);
    expect(rest.nextCursor).toBeNull();
  });
});
