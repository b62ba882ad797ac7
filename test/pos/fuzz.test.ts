import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, createDeflateRaw } from 'node:zlib';
import * as XLSX from 'xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONBOARD, fakeClock, tempDir, testCore, type TestCore } from '../helpers/core.js';
import type { ImportReport } from '../../services/contract/index.js';
import { AFTER_MODISOFT_DAY, MODISOFT, naxml, posCounts } from './helpers.js';

/** Deterministic PRNG so a failing case can be reproduced by its name. */
function rng(seed: number) {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff);
}

interface Case {
  name: string;
  file: string;
  /** When the mutation must be refused, a pattern its message must match. */
  mustFail?: RegExp;
}

/** A ZIP with one stored-by-deflate part, hand-built so the declared sizes can be honest or lie. */
function zipOne(name: string, deflated: Buffer, declaredSize: number): Buffer {
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(declaredSize, 22);
  local.writeUInt16LE(n.length, 26);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE(20, 4);
  cd.writeUInt16LE(20, 6);
  cd.writeUInt16LE(8, 10);
  cd.writeUInt32LE(deflated.length, 20);
  cd.writeUInt32LE(declaredSize, 24);
  cd.writeUInt16LE(n.length, 28);
  cd.writeUInt32LE(0, 42);
  const cdOffset = 30 + n.length + deflated.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + n.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, n, deflated, cd, n, eocd]);
}

async function deflateZeros(bytes: number): Promise<Buffer> {
  const z = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  z.on('data', (c: Buffer) => chunks.push(c));
  const block = Buffer.alloc(1 << 20, 0x20);
  for (let i = 0; i < bytes / block.length; i++) if (!z.write(block)) await new Promise((r) => z.once('drain', r));
  await new Promise((r) => z.end(r));
  return Buffer.concat(chunks);
}

describe('fuzzed POS files: a clear error or a correct partial report, never a crash, nothing half-written', () => {
  const tmp = tempDir();
  let tc: TestCore;
  const cases: Case[] = [];
  const csv = readFileSync(MODISOFT);
  const shift = readFileSync(naxml('20837-2'));
  const small = readFileSync(naxml('10089-001168-1'));
  const rand = rng(20250708);
  let k = 0;
  const add = (name: string, data: Buffer | string, ext: string, mustFail?: RegExp) => {
    const file = join(tmp.dir, `${String(++k).padStart(3, '0')}-${name}.${ext}`);
    writeFileSync(file, data);
    cases.push({ name, file, mustFail });
  };

  beforeAll(async () => {
    tc = await testCore({ clock: fakeClock(AFTER_MODISOFT_DAY) });
    await tc.sys('onboarding.complete', ONBOARD);
    const lines = csv.toString('utf8').split('\n');
    const headerAt = 4;

    for (let i = 0; i < 40; i++) add(`csv-truncated-${i}`, csv.subarray(0, Math.floor(rand() * csv.length)), 'csv');
    for (let i = 0; i < 25; i++) add(`naxml-truncated-${i}`, shift.subarray(0, Math.floor(rand() * shift.length)), 'xml', /not well-formed XML|not a NAXML|empty/);
    for (let i = 0; i < 15; i++) add(`naxml-small-truncated-${i}`, small.subarray(0, 1 + Math.floor(rand() * (small.length - 20))), 'xml', /not well-formed XML|not a NAXML|empty/);
    for (let i = 0; i < 40; i++) {
      const b = Buffer.from(csv);
      const n = 1 + Math.floor(rand() * 40);
      for (let j = 0; j < n; j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      add(`csv-garbage-${i}`, b, 'csv');
    }
    for (let i = 0; i < 30; i++) {
      const b = Buffer.from(i % 2 ? shift : small);
      const n = 1 + Math.floor(rand() * 10);
      for (let j = 0; j < n; j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      add(`naxml-garbage-${i}`, b, 'xml');
    }
    // Encodings.
    add('csv-utf16le-bom', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv.toString('utf8'), 'utf16le')]), 'csv');
    add('csv-utf16le-nobom', Buffer.from(csv.toString('utf8'), 'utf16le'), 'csv');
    add('csv-utf8-bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv]), 'csv');
    add('csv-utf16be-bom', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(csv.toString('utf8'), 'utf16le').swap16()]), 'csv', /UTF-16 big-endian/);
    add('naxml-utf16le-bom', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(small.toString('utf8').replace('utf-8', 'utf-16'), 'utf16le')]), 'xml');
    for (let i = 0; i < 5; i++) {
      const u16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv.toString('utf8'), 'utf16le')]);
      add(`csv-utf16le-truncated-${i}`, u16.subarray(0, 2 + Math.floor(rand() * (u16.length - 2))), 'csv');
    }
    // A 10 MB field, unquoted and quoted.
    const big = 'x'.repeat(10 * 1024 * 1024);
    add('csv-10mb-field', [...lines.slice(0, 10), `7/8/25 12:00,normal,cash,$ 1.00,$ 0.00,$ 0.00,$ 1.00,$ 0.00,,${big},1`, ...lines.slice(10)].join('\n'), 'csv', /larger than 1 MB/);
    add('csv-10mb-quoted-field', [...lines.slice(0, 10), `7/8/25 12:00,normal,cash,$ 1.00,$ 0.00,$ 0.00,$ 1.00,$ 0.00,,"${big}",1`, ...lines.slice(10)].join('\n'), 'csv', /larger than 1 MB/);
    add('naxml-10mb-description', small.toString('utf8').replace('<Description>', `<Description>${big}`), 'xml');
    // Missing or broken headers.
    add('csv-missing-header', lines.filter((_, i) => i !== headerAt).join('\n'), 'csv', /no header row found/);
    add('csv-header-only', lines.slice(0, headerAt + 1).join('\n'), 'csv', /header but no transactions/);
    add('csv-empty', '', 'csv', /empty/);
    add('csv-preamble-only', lines.slice(0, 4).join('\n'), 'csv', /no header row found/);
    add('csv-binary-noise', Buffer.from(Array.from({ length: 5000 }, () => Math.floor(rand() * 256))), 'csv');
    // Rows with bad fields: an exact partial report.
    for (let i = 0; i < 10; i++) {
      const mutated = [...lines];
      const bad = new Set<number>();
      while (bad.size < 1 + (i % 5)) bad.add(headerAt + 1 + Math.floor(rand() * 600));
      for (const b of bad) mutated[b] = i % 2 ? mutated[b]!.replace(/^[^,]+/, '13/45/25 99:99') : mutated[b]!.replace(/\$ [\d.]+,(\$ [\d.]+,\$ [\d.]+,)\$ [\d.]+/, '$ 1.00,$1notmoney');
      add(`csv-bad-rows-${i}-x${bad.size}`, mutated.join('\n'), 'csv');
    }
    // XML attacks and wrong documents.
    add('naxml-billion-laughs', '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n<NAXML-POSJournal version="3.6"><JournalReport><SaleEvent><CashierID>&lol3;</CashierID></SaleEvent></JournalReport></NAXML-POSJournal>', 'xml', /DOCTYPE or entities/);
    add('naxml-xxe', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><NAXML-POSJournal version="3.6"><JournalReport/></NAXML-POSJournal>', 'xml', /DOCTYPE or entities/);
    add('naxml-wrong-version', small.toString('utf8').replace('version="3.6"', 'version="2.1"'), 'xml', /version "2.1" is not supported/);
    add('naxml-wrong-root', '<?xml version="1.0"?><Journal><x/></Journal>', 'xml', /not a NAXML-POSJournal document/);
    add('naxml-no-events', '<?xml version="1.0"?><NAXML-POSJournal version="3.6"><JournalReport/></NAXML-POSJournal>', 'xml', /header but no transactions/);
    add('naxml-csv-inside', csv, 'xml');
    // Spreadsheets: a real one mutated, and ZIP bombs with honest and lying sizes.
    const rows = csv.toString('utf8').trimEnd().split('\n').map((l) => l.split(','));
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'Sheet1');
    const xlsx = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
    for (let i = 0; i < 10; i++) add(`xlsx-truncated-${i}`, xlsx.subarray(0, Math.floor(rand() * xlsx.length)), 'xlsx');
    for (let i = 0; i < 10; i++) {
      const b = Buffer.from(xlsx);
      for (let j = 0; j < 1 + Math.floor(rand() * 20); j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      add(`xlsx-garbage-${i}`, b, 'xlsx');
    }
    const bomb = await deflateZeros(300 * 1024 * 1024);
    add('xlsx-zip-bomb', zipOne('xl/worksheets/sheet1.xml', bomb, 300 * 1024 * 1024), 'xlsx', /ZIP bomb/);
    add('xlsx-zip-bomb-lying-size', zipOne('xl/worksheets/sheet1.xml', bomb, 1000), 'xlsx', /ZIP bomb/);
    add('xlsx-not-deflate', zipOne('a.xml', deflateRawSync(Buffer.from('<a/>')), 4).fill(9, 8, 9), 'xlsx');
  }, 120_000);
  afterAll(async () => {
    await tc.close();
    tmp.cleanup();
  });

  it('has at least 200 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it('answers every case with a clear error (DB unchanged) or a consistent report', async () => {
    const outcomes = { refused: 0, imported: 0, duplicate: 0 };
    for (const c of cases) {
      const before = posCounts(tc.core.db);
      const res = await tc.call('pos.import', { path: c.file }, { system: 'fuzz' });
      if (!res.ok) {
        // No crash: only expected, explained errors; and the message names the file.
        expect(res.error.code, `${c.name}: ${res.error.message}`).toBe('invalid_input');
        expect(res.error.message, c.name).toContain(c.file);
        expect(res.error.message.length, c.name).toBeGreaterThan(c.file.length + 10);
        if (c.mustFail) expect(res.error.message, c.name).toMatch(c.mustFail);
        expect(posCounts(tc.core.db), `${c.name} changed the DB although refused`).toEqual(before);
        outcomes.refused++;
        continue;
      }
      expect(c.mustFail, `${c.name} should have been refused`).toBeUndefined();
      const r = res.value as ImportReport;
      if (r.status === 'duplicate') {
        expect(posCounts(tc.core.db)).toEqual(before);
        outcomes.duplicate++;
        continue;
      }
      outcomes.imported++;
      expect(r.rows, c.name).toBe(r.transactions + r.duplicates + r.rejectedCount);
      expect(r.rows, c.name).toBeGreaterThan(r.rejectedCount);
      const after = posCounts(tc.core.db);
      expect(after.pos_transaction - before.pos_transaction, c.name).toBe(r.transactions);
      expect(after.pos_import - before.pos_import, c.name).toBe(1);
      for (const x of r.rejected) {
        expect(x.file, c.name).toBe(c.file.split('/').pop());
        expect(String(x.row).length, c.name).toBeGreaterThan(0);
        expect(x.field, c.name).not.toBe('');
        expect(x.message.length, c.name).toBeGreaterThan(5);
      }
      const stored = await tc.sys<ImportReport>('imports.get', { id: r.importId });
      expect(stored.rejectedCount).toBe(r.rejectedCount);
      const m = /csv-bad-rows-\d+-x(\d+)/.exec(c.name);
      if (m) {
        expect(r.rejectedCount, c.name).toBe(Number(m[1]));
        expect(r.rejected.every((x) => x.field === 'Tran Date' || x.field === 'Net'), c.name).toBe(true);
      }
    }
    // The mutations must exercise both paths.
    expect(outcomes.refused).toBeGreaterThan(40);
    expect(outcomes.imported).toBeGreaterThan(40);
  }, 240_000);
});
