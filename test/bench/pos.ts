/**
 * POS import throughput: a generated 1,000,000-row Modisoft-style CSV, imported end to end (hash,
 * parse, normalize, persist in one transaction, run the default rules, store exceptions), against
 * bare csv-parse reading the same file in the same run. Goal: import ≥ 0.5× csv-parse, peak RSS < 300 MB.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { createCore } from '../../services/core/index.js';
import { silentLogger } from '../../services/core/deps.js';
import { dispatch } from '../../services/transport/dispatch.js';
import type { ImportReport } from '../../services/contract/index.js';

const ROWS = Number(process.argv[3] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'penny-bench-pos-'));
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

const mb = (b: number) => (b / 1048576).toFixed(0);
try {
  const g0 = performance.now();
  await generate();
  const size = statSync(file).size;
  console.log(`generated ${ROWS.toLocaleString()} rows, ${mb(size)} MB in ${((performance.now() - g0) / 1000).toFixed(1)} s`);

  const c0 = performance.now();
  const records = await bareCsvParse();
  const csvSecs = (performance.now() - c0) / 1000;
  console.log(`bare csv-parse: ${records.toLocaleString()} records in ${csvSecs.toFixed(2)} s = ${Math.round(records / csvSecs).toLocaleString()} rows/s`);

  let phases: Record<string, unknown> = {};
  const logger = { ...silentLogger, info: (msg: string, f?: Record<string, unknown>) => void (msg === 'pos import done' && (phases = f ?? {})) };
  const core = await createCore({ dataDir: join(dir, 'station'), logger, version: 'bench', clock: { now: () => Date.UTC(2025, 6, 10) } });
  const ob = await dispatch(core, 'onboarding.complete', {
    store: { name: 'Bench', timezone: 'America/Chicago', address: '' },
    admin: { username: 'admin', displayName: 'Admin', password: 'correct horse battery' },
  }, { system: 'bench' });
  if (!ob.ok) throw new Error(ob.error.message);
  // Time spent in other domains' listeners of exception.flagged (alerts raise one alert per exception).
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
  const i0 = performance.now();
  const res = await dispatch(core, 'pos.import', { path: file }, { system: 'bench' });
  const importSecs = (performance.now() - i0) / 1000;
  if (!res.ok) throw new Error(res.error.message);
  const r = res.value as ImportReport;
  console.log(
    `penny import (parse, normalize, persist, rules): ${r.transactions.toLocaleString()} transactions, ${r.exceptions.toLocaleString()} exceptions in ${importSecs.toFixed(2)} s = ${Math.round(r.rows / importSecs).toLocaleString()} rows/s (${progressEvents} progress events)`,
  );
  console.log(`  phases: hash+parse+normalize+persist ${phases.importMs} ms, rules+exceptions ${phases.rulesMs} ms, of which exception.flagged listeners ${Math.round(listenerMs)} ms`);
  const ownSecs = importSecs - listenerMs / 1000;
  console.log(`import without other domains' listeners: ${ownSecs.toFixed(2)} s = ${Math.round(r.rows / ownSecs).toLocaleString()} rows/s, ratio ${(csvSecs / ownSecs).toFixed(2)}×`);
  const ratio = csvSecs / importSecs;
  const rss = process.resourceUsage().maxRSS * 1024;
  console.log(`ratio import/csv-parse throughput: ${ratio.toFixed(2)}× (goal ≥ 0.50×) ${ratio >= 0.5 ? 'OK' : 'BELOW GOAL'}`);
  console.log(`peak RSS: ${mb(rss)} MB (goal < 300 MB) ${rss < 300 * 1048576 ? 'OK' : 'ABOVE GOAL'}`);
  await core.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
