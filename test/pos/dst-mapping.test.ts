import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as XLSX from 'xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONBOARD, fakeClock, tempDir, testCore, type TestCore } from '../helpers/core.js';
import type { ImportReport } from '../../services/contract/index.js';
import { WallClockResolver } from '../../services/core/pos/time.js';
import { FolderImporter } from '../../services/core/pos/watch.js';
import { silentLogger } from '../../services/core/deps.js';
import { MODISOFT, posCounts } from './helpers.js';

const PREAMBLE = 'Corner Fuel #12,,,,,,,,,,\n"Sale Transactions (Nov 02, 2025 - Nov 02, 2025)",,,,,,,,,,\n"Sale Transactions",,,,,,,,,,\n,,,,,,,,,,\n';
const HEADER = 'Tran Date,Tran Type,Tender,Gross,Discount,Tax,Net,Tip Amount,Online Charges,Cashier Name,Tran ID\n';
const sale = (t: string, id: number, cents = 500) => `${t},normal,cash,$ ${(cents / 100).toFixed(2)},$ 0.00,$ 0.00,$ ${(cents / 100).toFixed(2)},$ 0.00,,Cashier A,${id}\n`;
const noSale = (t: string) => `${t},No Sale,,$ 0.00,$ 0.00,$ 0.00,$ 0.00,$ 0.00,$ 0.00,Cashier A,\n`;

describe('wall-clock times across DST in America/Chicago', () => {
  it('shifts a spring-forward gap time forward and keeps plain times exact', () => {
    const r = new WallClockResolver('America/Chicago');
    expect(r.resolve({ year: 2025, month: 3, day: 9, hour: 2, minute: 30, second: 0 })).toBe(Date.UTC(2025, 2, 9, 8, 30)); // 03:30 CDT
    expect(r.resolve({ year: 2025, month: 3, day: 9, hour: 1, minute: 59, second: 0 })).toBe(Date.UTC(2025, 2, 9, 7, 59)); // CST
    expect(r.resolve({ year: 2025, month: 3, day: 9, hour: 3, minute: 0, second: 0 })).toBe(Date.UTC(2025, 2, 9, 8, 0)); // CDT
  });

  it('takes the earlier (daylight) offset for an ambiguous time with nothing before it', () => {
    const r = new WallClockResolver('America/Chicago');
    expect(r.resolve({ year: 2025, month: 11, day: 2, hour: 1, minute: 30, second: 0 })).toBe(Date.UTC(2025, 10, 2, 6, 30));
  });

  let tc: TestCore;
  const tmp = tempDir();
  beforeAll(async () => {
    tc = await testCore({ clock: fakeClock(Date.UTC(2025, 10, 5)) });
    await tc.sys('onboarding.complete', ONBOARD);
  });
  afterAll(async () => {
    await tc.close();
    tmp.cleanup();
  });

  it('counts a No Sale burst across the autumn-back hour (Modisoft, newest first)', async () => {
    // 01:58 and 01:59 CDT, then the clocks fall back: 01:00 and 01:02 CST — four No Sales in four real minutes.
    const csv =
      PREAMBLE + HEADER + sale('11/2/25 2:10', 105) + noSale('11/2/25 1:02') + noSale('11/2/25 1:00') + noSale('11/2/25 1:59') + noSale('11/2/25 1:58') + sale('11/2/25 1:30', 101) + sale('11/2/25 0:45', 100);
    const f = join(tmp.dir, 'autumn.csv');
    writeFileSync(f, csv);
    const r = await tc.sys<ImportReport>('pos.import', { path: f });
    expect(r).toMatchObject({ transactions: 7, byType: { sale: 3, no_sale: 4 } });
    const times = tc.core.db.prepare("SELECT started_at FROM pos_transaction WHERE type = 'no_sale' ORDER BY started_at").pluck().all();
    expect(times).toEqual([Date.UTC(2025, 10, 2, 6, 58), Date.UTC(2025, 10, 2, 6, 59), Date.UTC(2025, 10, 2, 7, 0), Date.UTC(2025, 10, 2, 7, 2)]);
    const sales = tc.core.db.prepare("SELECT external_id, started_at FROM pos_transaction WHERE type = 'sale' ORDER BY started_at").all();
    expect(sales).toEqual([
      { external_id: '100', started_at: Date.UTC(2025, 10, 2, 5, 45) },
      { external_id: '101', started_at: Date.UTC(2025, 10, 2, 6, 30) },
      { external_id: '105', started_at: Date.UTC(2025, 10, 2, 8, 10) },
    ]);
    const burst = await tc.sys<{ items: { reasons: { ruleId: string; detail: string; related: number[] }[] }[] }>('exceptions.list', { rule: 'no-sale-burst' });
    expect(burst.items).toHaveLength(4);
    for (const e of burst.items) expect(e.reasons.find((x) => x.ruleId === 'no-sale-burst')!.related).toHaveLength(3);
  });

  it('does not invent a burst from No Sales an hour apart on the repeated hour (oldest first)', async () => {
    const csv = 'Date,Type,Amount,Register,Cashier\n' + ['11/2/25 1:40', '11/2/25 1:42', '11/2/25 1:41', '11/2/25 1:43'].map((t) => `${t},No Sale,0.00,7,Cashier B\n`).join('');
    // Rows 3–4 are 01:41 and 01:43 after 01:42 CDT: going back in an oldest-first file means the second 01:xx (CST).
    const f = join(tmp.dir, 'repeat.csv');
    writeFileSync(f, csv);
    const r = await tc.sys<ImportReport>('pos.import', { path: f });
    expect(r).toMatchObject({ format: 'csv', transactions: 4 });
    const times = tc.core.db.prepare("SELECT t.started_at FROM pos_transaction t JOIN register g ON g.id = t.register_id WHERE g.code = '7' ORDER BY t.started_at").pluck().all();
    expect(times).toEqual([Date.UTC(2025, 10, 2, 6, 40), Date.UTC(2025, 10, 2, 6, 42), Date.UTC(2025, 10, 2, 7, 41), Date.UTC(2025, 10, 2, 7, 43)]);
    const burst = await tc.sys<{ items: { register: string }[] }>('exceptions.list', { rule: 'no-sale-burst', register: '7' });
    expect(burst.items).toHaveLength(0);
  });
});

describe('any CSV/XLSX through a column mapping', () => {
  let tc: TestCore;
  const tmp = tempDir();
  beforeAll(async () => {
    tc = await testCore({ clock: fakeClock(Date.UTC(2025, 6, 10)) });
    await tc.sys('onboarding.complete', ONBOARD);
  });
  afterAll(async () => {
    await tc.close();
    tmp.cleanup();
  });

  const generic =
    'Exported by BackOffice 9\n\nBusiness Date;Time;Lane;Clerk;Kind;Grand Total;Ticket #\n' +
    '2025-07-08;14:01:05;3;E17;SALE;12.50;5001\n' +
    '2025-07-08;14:03:00;3;E17;REFUND;-75.00;5002\n' +
    '2025-07-08;14:04:00;3;E17;bogus;abc;5003\n' +
    '2025-07-08;14:05:00;3;E17;PAID OUT;20.00;5004\n';

  it('detects the header and guesses the columns, then imports with a saved preset', async () => {
    const f = join(tmp.dir, 'generic.csv');
    writeFileSync(f, generic.replace(/;/g, ','));
    const pv = await tc.sys<{ headerRow: number; mapping: { columns: Record<string, string> }; rows: { ok: boolean; type?: string; amountCents?: number }[] }>('pos.preview', { path: f });
    expect(pv.headerRow).toBe(3);
    expect(pv.mapping.columns).toEqual({ date: 'Business Date', time: 'Time', register: 'Lane', employee: 'Clerk', type: 'Kind', amount: 'Grand Total', transactionId: 'Ticket #' });
    expect(pv.rows.map((r) => r.ok)).toEqual([true, true, false, true]);
    await tc.sys('pos.mappings.save', { name: 'backoffice9', source: 'BackOffice 9', mapping: pv.mapping });
    const again = await tc.sys<{ matchingPresets: string[] }>('pos.preview', { path: f });
    expect(again.matchingPresets).toEqual(['backoffice9']);
    const r = await tc.sys<ImportReport>('pos.import', { path: f, mapping: 'backoffice9' });
    expect(r).toMatchObject({ format: 'csv', transactions: 3, rejectedCount: 1, byType: { sale: 1, refund: 1, payout: 1 } });
    expect(r.rejected).toEqual([{ file: 'generic.csv', row: 6, field: 'Grand Total', message: 'not an amount: "abc"' }]);
    // Refund over $50 fires on the $75 refund, on register 3 as read from the file.
    const ex = await tc.sys<{ items: { register: string; employee: string; amountCents: number }[] }>('exceptions.list', { rule: 'refund-over-50' });
    expect(ex.items).toEqual([expect.objectContaining({ register: '3', employee: 'E17', amountCents: -7500 })]);
  });

  it('reads a Modisoft export saved as .xls (XLSX inside) with the same counts', async () => {
    const rows = readFileSync(MODISOFT, 'utf8').trimEnd().split('\n').map((l) => l.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '')));
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'Sheet1');
    const f = join(tmp.dir, 'Sale Transactions.xls');
    writeFileSync(f, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
    const r = await tc.sys<ImportReport>('pos.import', { path: f, register: '2' });
    expect(r).toMatchObject({ format: 'modisoft', transactions: 641, byType: { sale: 617, no_sale: 20, void: 4 }, totalCents: 1078968 });
    const reg = tc.core.db.prepare('SELECT DISTINCT g.code FROM pos_transaction t JOIN register g ON g.id = t.register_id WHERE t.import_id = ?').pluck().all(r.importId);
    expect(reg).toEqual(['2']);
  });

  it('refuses a mapping whose columns are not in the file, changing nothing', async () => {
    const f = join(tmp.dir, 'other.csv');
    writeFileSync(f, 'When,What,How much\n7/8/25 10:00,sale,1.00\n');
    const before = posCounts(tc.core.db);
    const res = await tc.call('pos.import', { path: f, mapping: 'backoffice9' }, { system: 'test' });
    expect(posCounts(tc.core.db)).toEqual(before);
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(!res.ok && res.error.message).toMatch(/mapping "backoffice9" expects column\(s\) .*"Business Date" \(date\).*no row in the first 2 has them all/);
  });
});

describe('watched folder', () => {
  it('imports a dropped report, moves it to processed/, and a bad one to failed/ with the reason', async () => {
    const tmp = tempDir();
    const inbox = join(tmp.dir, 'inbox');
    mkdirSync(inbox);
    const tc = await testCore({ clock: fakeClock(Date.UTC(2025, 6, 10)) });
    try {
      await tc.sys('onboarding.complete', ONBOARD);
      const seen: string[] = [];
      tc.core.events.subscribe((name, p) => name === 'import.finished' && seen.push((p as { status: string }).status));
      await tc.sys('settings.set', { key: 'pos.watchFolder', value: inbox });
      await tc.sys('settings.set', { key: 'pos.importSchedule', value: '06:00' });
      copyFileSync(MODISOFT, join(inbox, 'day.csv'));
      writeFileSync(join(inbox, 'junk.csv'), 'nothing,to,see\n1,2,3\n');
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !(existsSync(join(inbox, 'processed', 'day.csv')) && existsSync(join(inbox, 'failed', 'junk.csv')))) await new Promise((r) => setTimeout(r, 100));
      expect(readdirSync(join(inbox, 'processed'))).toEqual(['day.csv']);
      expect(readFileSync(join(inbox, 'failed', 'junk.csv.error.txt'), 'utf8')).toMatch(/no header row found/);
      expect(tc.core.db.prepare('SELECT count(*) FROM pos_transaction').pluck().get()).toBe(641);
      expect(seen.sort()).toEqual(['failed', 'imported']);
    } finally {
      await tc.close();
      tmp.cleanup();
    }
  });

  it('the scheduled sweep imports what is in the folder', async () => {
    const tmp = tempDir();
    const tc = await testCore({ clock: fakeClock(Date.UTC(2025, 6, 10)) });
    try {
      await tc.sys('onboarding.complete', ONBOARD);
      copyFileSync(MODISOFT, join(tmp.dir, 'a.csv'));
      const imported: string[] = [];
      const fi = new FolderImporter({ logger: silentLogger, importFile: async (p) => imported.push(await tc.sys<ImportReport>('pos.import', { path: p }).then((r) => r.status)) });
      await fi.sweep(tmp.dir);
      await fi.idle();
      expect(imported).toEqual(['imported']);
      expect(existsSync(join(tmp.dir, 'processed', 'a.csv'))).toBe(true);
    } finally {
      await tc.close();
      tmp.cleanup();
    }
  });
});
