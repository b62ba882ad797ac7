/**
 * POS import throughput: a generated 1,000,000-row Modisoft-style CSV, imported end to end (hash,
 * parse, normalize, persist in one transaction, run the default rules, store exceptions), against
 * bare csv-parse reading the same file in the same run. Goal: import ≥ 0.5× csv-parse, peak RSS < 300 MB.
 * Each side runs in a fresh child process, so each peak RSS is its own and not the generator's. The
 * import child also times the storage floor: SQLite copying the imported rows into a fresh database
 * with the same schema, which no import that stores those rows can beat.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import type { ImportReport } from '../../services/contract/index.js';

const ROWS = Number(process.argv[3] ?? 1_000_000);
const dir = process.env.BENCH_POS_DIR ?? mkdtempSync(join(tmpdir(), 'penny-bench-pos-'));
const file = join(dir, 'sale-transactions.csv');

async function generate() {
  const out = createWriteStream(file);
  out.write('Bench Store #1,,,,,,,,,,\n"Sale Transactions (bench)",,,,,,,,,,\n"Sale Transactions (bench)",,,,,,,,,,\n,,,,,,,,,,\n');
  out.write('Tran Date,Tran Type,Tender,Gross,Discount,Tax,Net,Tip Amount,Online Charges,Cashier Name,Tran ID\n');
  // Newest first, like Modisoft: about 12 rows a minute for ~58 days, ending 2025-07-08 23:59 local.
  let minute = Date.UTC(2025, 6, 8, 23, 59);
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const tenders = ['cash', 'creditCards', 'debitCards', 'outsideCredit', 'outsideDebit', 'Split'];
  let id = ROWS + 1000;
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    if (i % 12 === 0) minute -= 60_000;
    const d = new Date(minute);
    const when = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${String(d.getUTCFullYear()).slice(2)} ${d.getUTCHours()}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const cashier = `Cashier ${String.fromCharCode(65 + Math.floor(rnd() * 6))}`;
    const r = rnd();
    if (r < 0.03) buf += `${when},No Sale,,$ 0.00,$ 0.00,$ 0.00,$ 0.00,$ 0.00,$ 0.00,${cashier},\n`;
    else {
      const gross = Math.floor(rnd() * 9000) + 99;
      const tax = Math.floor(gross * 0.0825);
      const type = r < 0.05 ? 'void' : r < 0.06 ? 'return' : 'normal';
      const sign = type === 'return' ? '-' : '';
      const m = (c: number) => `$ ${sign}${(c / 100).toFixed(2)}`;
      buf += `${when},${type},${tenders[Math.floor(rnd() * tenders.length)]},${m(gross)},$ 0.00,${m(tax)},${m(gross + tax)},$ 0.00,,${cashier},${id--}\n`;
    }
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

async function bareCsvParse(): Promise<number> {
  const parser = createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(parse({ relax_column_count: true, bom: true, skip_empty_lines: true }));
  let n = 0;
  for await (const _ of parser) n++;
  return n;
}

const peakRss = () => process.resourceUsage().maxRSS * 1024;

/** Child: bare csv-parse over the file, in a fresh process so its memory is its own. */
async function csvChild(): Promise<CsvResult> {
  const c0 = performance.now();
  const records = await bareCsvParse();
  return { records, secs: (performance.now() - c0) / 1000, rss: peakRss() };
}

/** Child: the whole import through the command, then the storage floor (the same rows copied in SQL). */
async function importChild(): Promise<ImportResult> {
  // Loaded here, not at the top, so the csv-parse child carries none of the station's modules.
  const { createCore } = await import('../../services/core/index.js');
  const { silentLogger } = await import('../../services/core/deps.js');
  const { dispatch } = await import('../../services/transport/dispatch.js');
  const { openDatabase } = await import('../../services/core/db/open.js');
  let phases: Record<string, unknown> = {};
  const logger = { ...silentLogger, error: (m: string, f?: unknown) => console.error(m, f), info: (msg: string, f?: Record<string, unknown>) => void (msg === 'pos import done' && (phases = f ?? {})) };
  const core = await createCore({ dataDir: join(dir, 'station'), logger, version: 'bench', clock: { now: () => Date.UTC(2025, 6, 10) } });
  const ob = await dispatch(core, 'onboarding.complete', {
    store: { name: 'Bench', timezone: 'America/Chicago', address: '' },
    admin: { username: 'admin', displayName: 'Admin', password: 'correct horse battery' },
  }, { system: 'bench' });
  if (!ob.ok) throw new Error(ob.error.message);
  // Time spent in other domains' listeners of exception.flagged (alerts, clips).
  let listenerMs = 0;
  const emit = core.events.emit.bind(core.events);
  core.events.emit = (name: string, payload: unknown) => {
    if (name !== 'exception.flagged') return emit(name, payload);
    const t = performance.now();
    emit(name, payload);
    listenerMs += performance.now() - t;
  };
  let progressEvents = 0;
  core.events.subscribe((name) => name === 'import.progress' && progressEvents++);
  const rssBefore = process.memoryUsage().rss;
  const i0 = performance.now();
  const res = await dispatch(core, 'pos.import', { path: file }, { system: 'bench' });
  const secs = (performance.now() - i0) / 1000;
  if (!res.ok) throw new Error(res.error.message);
  const rss = peakRss();
  await core.close();

  // The floor for storing these rows: SQLite copying them, with the same schema and indexes, into a
  // fresh station database in one transaction, with no JavaScript per row.
  const floor = openDatabase(join(dir, 'floor', 'penny.db'));
  floor.exec(`ATTACH '${join(dir, 'station', 'penny.db')}' AS src`);
  const f0 = performance.now();
  floor.exec(`BEGIN;
    INSERT INTO main.pos_import SELECT * FROM src.pos_import;
    INSERT INTO main.register SELECT * FROM src.register WHERE id NOT IN (SELECT id FROM main.register);
    INSERT INTO main.employee SELECT * FROM src.employee WHERE id NOT IN (SELECT id FROM main.employee);
    INSERT INTO main.pos_transaction SELECT * FROM src.pos_transaction;
    INSERT INTO main.pos_tender SELECT * FROM src.pos_tender;
    COMMIT;`);
  const floorSecs = (performance.now() - f0) / 1000;
  floor.close();
  return { report: res.value as ImportReport, secs, phases, listenerMs, progressEvents, rss, rssBefore, floorSecs };
}

interface CsvResult {
  records: number;
  secs: number;
  rss: number;
}
interface ImportResult {
  report: ImportReport;
  secs: number;
  phases: Record<string, unknown>;
  listenerMs: number;
  progressEvents: number;
  rss: number;
  /** The station process before the import: runtime, modules, open databases. */
  rssBefore: number;
  floorSecs: number;
}

function inChild<T>(role: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], { execArgv: process.execArgv, env: { ...process.env, BENCH_POS_ROLE: role, BENCH_POS_DIR: dir }, stdio: 'inherit' });
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => (code ? reject(new Error(`${role} child exited with ${code}`)) : undefined));
  });
}

const mb = (b: number) => (b / 1048576).toFixed(0);
const role = process.env.BENCH_POS_ROLE;
if (role) {
  const result = role === 'csv' ? await csvChild() : await importChild();
  process.send!(result, () => process.exit(0));
} else {
  try {
    const g0 = performance.now();
    await generate();
    const size = statSync(file).size;
    console.log(`generated ${ROWS.toLocaleString()} rows, ${mb(size)} MB in ${((performance.now() - g0) / 1000).toFixed(1)} s; each side below runs in a fresh process`);

    const csv = await inChild<CsvResult>('csv');
    console.log(`bare csv-parse: ${csv.records.toLocaleString()} records in ${csv.secs.toFixed(2)} s = ${Math.round(csv.records / csv.secs).toLocaleString()} rows/s, peak RSS ${mb(csv.rss)} MB`);

    const imp = await inChild<ImportResult>('import');
    const r = imp.report;
    console.log(
      `penny import (parse, normalize, persist, rules): ${r.transactions.toLocaleString()} transactions, ${r.exceptions.toLocaleString()} exceptions in ${imp.secs.toFixed(2)} s = ${Math.round(r.rows / imp.secs).toLocaleString()} rows/s (${imp.progressEvents} progress events)`,
    );
    console.log(`  phases: hash+parse+normalize+persist ${imp.phases.importMs} ms, rules+exceptions ${imp.phases.rulesMs} ms, of which exception.flagged listeners ${Math.round(imp.listenerMs)} ms`);
    console.log(`  storage floor: SQLite copying the same rows into the same tables and indexes: ${imp.floorSecs.toFixed(2)} s (${(csv.secs / imp.floorSecs).toFixed(2)}× csv-parse on its own)`);
    const ratio = csv.secs / imp.secs;
    console.log(`ratio import/csv-parse throughput: ${ratio.toFixed(2)}× (goal ≥ 0.50×) ${ratio >= 0.5 ? 'OK' : 'BELOW GOAL'}`);
    console.log(`peak RSS of the import process: ${mb(imp.rss)} MB (goal < 300 MB) ${imp.rss < 300 * 1048576 ? 'OK' : 'ABOVE GOAL'}; ${mb(imp.rssBefore)} MB of it before the import began`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
