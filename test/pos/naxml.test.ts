import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONBOARD, fakeClock, tempDir, testCore, type TestCore } from '../helpers/core.js';
import type { ImportReport } from '../../services/contract/index.js';
import { naxml, posCounts } from './helpers.js';

const SHIFT = naxml('20837-2');
const count = (xml: string, re: RegExp) => (xml.match(re) ?? []).length;
const cents = (s: string) => Math.round(Number(s) * 100);

describe('NAXML-POSJournal import (real Bulloch files)', () => {
  let tc: TestCore;
  const tmp = tempDir();
  beforeAll(async () => {
    tc = await testCore({ clock: fakeClock(Date.UTC(2026, 2, 5)) });
    await tc.sys('onboarding.complete', ONBOARD);
  });
  afterAll(async () => {
    await tc.close();
    tmp.cleanup();
  });

  it('imports a whole shift: every event, typed, with the money totals of the file', async () => {
    const xml = readFileSync(SHIFT, 'utf8');
    const grand = [...xml.matchAll(/<TransactionTotalGrandAmount[^>]*>([^<]+)</g)].map((m) => cents(m[1]!));
    const drops = [...xml.matchAll(/<DropAmount[^>]*>([^<]+)</g)].map((m) => cents(m[1]!));
    const r = await tc.sys<ImportReport>('pos.import', { path: SHIFT });
    expect(r).toMatchObject({ status: 'imported', format: 'naxml', rejectedCount: 0, duplicates: 0 });
    expect(r.rows).toBe(count(xml, /<SaleEvent[ >]/g) + count(xml, /<FinancialEvent[ >]/g) + count(xml, /<OtherEvent[ >]/g));
    expect(r.transactions).toBe(146);
    expect(r.byType).toEqual({ sale: 134, refund: grand.filter((g) => g < 0).length, safe_drop: 5, other: 1 });
    expect(r.totalCents).toBe(grand.reduce((a, b) => a + b, 0) + drops.reduce((a, b) => a + b, 0));
    const tenders = tc.core.db.prepare('SELECT sum(t.amount_cents) FROM pos_tender t JOIN pos_transaction x ON x.id = t.transaction_id WHERE x.import_id = ?').pluck().get(r.importId);
    const tenderSum = [...xml.matchAll(/<TenderAmount[^>]*>([^<]+)</g)].reduce((s, m) => s + cents(m[1]!), 0);
    expect(tenders).toBe(tenderSum);
    // Each line of the file is kept, deposit fees included.
    const lines = tc.core.db.prepare('SELECT count(*) FROM pos_line l JOIN pos_transaction x ON x.id = l.transaction_id WHERE x.import_id = ?').pluck().get(r.importId);
    expect(lines).toBe(count(xml, /<(ItemLine|FuelLine|FuelPrepayLine|FeeLine|WashCodeLine)>/g));
  });

  it('marks the six prepay-change refunds so the default rules do not flag routine change', async () => {
    const refunds = tc.core.db.prepare("SELECT flags, raw_type FROM pos_transaction WHERE type = 'refund'").all();
    expect(refunds).toHaveLength(6);
    for (const r of refunds) expect(r).toEqual({ flags: 'prepay_change', raw_type: 'SaleEvent/prepay change' });
    const ex = await tc.sys<{ total: number }>('exceptions.list', { withTotal: true });
    // No voids, no No Sales, no real refunds, no overrides in this shift: the default pack stays quiet.
    expect(ex.total).toBe(0);
  });

  it('reads register, cashier and local start time (CST, UTC-6)', () => {
    const t = tc.core.db
      .prepare("SELECT r.code reg, e.pos_id emp, t.started_at, t.ended_at FROM pos_transaction t JOIN register r ON r.id = t.register_id JOIN employee e ON e.id = t.employee_id WHERE t.external_id = '509687'")
      .get();
    expect(t).toEqual({ reg: '2', emp: 'cashier1', started_at: Date.UTC(2026, 1, 27, 3, 39, 48), ended_at: Date.UTC(2026, 1, 27, 3, 39, 50) });
  });

  it('adds nothing from an overlapping file (one event the shift already holds)', async () => {
    const before = posCounts(tc.core.db);
    const r = await tc.sys<ImportReport>('pos.import', { path: naxml('20837-509720-2') });
    expect(r).toMatchObject({ status: 'imported', rows: 1, transactions: 0, duplicates: 1 });
    const after = posCounts(tc.core.db);
    expect(after.pos_transaction).toBe(before.pos_transaction);
    expect(after.pos_import).toBe(before.pos_import + 1);
  });

  it('imports the single-sale files from other stores with their totals', async () => {
    for (const [name, total] of [['10089-001158-1', 1996], ['10089-001168-1', 6075], ['10477-035502-1', 2000], ['15917-959591-1', 0], ['20054-000222-1', 14106]] as const) {
      const r = await tc.sys<ImportReport>('pos.import', { path: naxml(name) });
      expect(r, name).toMatchObject({ transactions: 1, byType: { sale: 1 }, totalCents: total });
    }
    const card = tc.core.db.prepare("SELECT card FROM pos_transaction WHERE external_id = '035502'").pluck().get();
    expect(card).toBe('VISA *1099');
  });

  it('handles namespace prefixes', async () => {
    const xml = readFileSync(naxml('10477-035502-1'), 'utf8')
      .replace('xmlns="http://www.naxml.org/POSBO/Vocabulary/2003-10-16"', 'xmlns:nx="http://www.naxml.org/POSBO/Vocabulary/2003-10-16"')
      .replace(/<(\/?)([A-Za-z])/g, '<$1nx:$2')
      .replace(/<(\/?)nx:\?/g, '<$1?')
      .replace('035502</nx:TransactionID>', '035503</nx:TransactionID>');
    const f = join(tmp.dir, 'prefixed.xml');
    writeFileSync(f, xml);
    const r = await tc.sys<ImportReport>('pos.import', { path: f });
    expect(r).toMatchObject({ format: 'naxml', transactions: 1, totalCents: 2000 });
  });

  it('flags with a store rule, and re-running rules never duplicates an exception', async () => {
    await tc.sys('rules.save', { rules: [{ id: 'safe-drops', name: 'Safe drop', kind: 'match', severity: 'low', match: { types: ['safe_drop'] } }] });
    const run1 = await tc.sys<{ created: number; flagged: number }>('rules.run', { since: Date.UTC(2026, 1, 1) });
    expect(run1).toMatchObject({ flagged: 5, created: 5 });
    const run2 = await tc.sys<{ created: number; updated: number }>('rules.run', { since: Date.UTC(2026, 1, 1) });
    expect(run2).toMatchObject({ created: 0, updated: 0 });
    await tc.sys('rules.save', { rules: [{ id: 'safe-drops', name: 'Safe drop over $100', kind: 'match', severity: 'medium', match: { types: ['safe_drop'], minAmountCents: 10000 } }] });
    const run3 = await tc.sys<{ created: number; updated: number; flagged: number }>('rules.run', { since: Date.UTC(2026, 1, 1) });
    expect(run3.created).toBe(0);
    expect(run3.updated).toBe(run3.flagged);
    const ex = await tc.sys<{ items: { severity: string; reasons: { ruleName: string }[] }[]; total: number }>('exceptions.list', { rule: 'safe-drops', withTotal: true });
    expect(ex.total).toBe(5);
    expect(tc.core.db.prepare('SELECT count(*) FROM exception').pluck().get()).toBe(5);
  });
});
