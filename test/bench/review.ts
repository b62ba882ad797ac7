/**
 * The review queue at 100,000 exceptions: the first page with its total, paging deep by cursor,
 * filters, the notes full-text search, and opening/confirming a case. The same-run baseline is
 * exceptions.list (the POS domain's list without notes and cases) on the same rows.
 * Goal: every page the UI asks for (200 rows) well under 100 ms, so the virtualized list scrolls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../services/core/index.js';
import { silentLogger } from '../../services/core/deps.js';
import { dispatch } from '../../services/transport/dispatch.js';

const N = Number(process.argv[3] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'penny-bench-review-'));
const core = await createCore({ dataDir: dir, logger: silentLogger, version: 'bench' });
const call = async <T>(name: string, input: unknown): Promise<T> => {
  const r = await dispatch(core, name, input, { system: 'bench' });
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value as T;
};

await call('onboarding.complete', { store: { name: 'Bench', timezone: 'America/Chicago', address: '' }, admin: { username: 'admin', displayName: 'A', password: 'bench password 1' } });
for (const code of ['1', '2', '3', '4']) await call('registers.save', { code, name: `Register ${code}`, active: true });

// Seed straight into SQLite: this measures reading, not the import (test/bench/pos.ts does that).
const t0 = performance.now();
const db = core.db;
const regs = db.prepare('SELECT id FROM register ORDER BY code').pluck().all() as number[];
db.transaction(() => {
  const emp = db.prepare("INSERT INTO employee (pos_id, name, created_at) VALUES (?, ?, 0)");
  for (let i = 0; i < 12; i++) emp.run(`E${i}`, `Employee ${i}`);
})();
const emps = db.prepare('SELECT id FROM employee ORDER BY id').pluck().all() as number[];
const rules = [
  ['no-sale', 'No Sale (drawer opened)', 'low', 'no_sale'],
  ['void', 'Voided transaction', 'medium', 'void'],
  ['refund-over-50', 'Refund over $50', 'high', 'refund'],
] as const;
const words = ['drawer', 'customer', 'cartons', 'cigarettes', 'lottery', 'shift', 'manager', 'camera', 'register', 'cash', 'refund', 'friend'];
db.transaction(() => {
  const imp = db
    .prepare(
      "INSERT INTO pos_import (sha256, file_name, format, status, rows, transactions, duplicates, rejected_count, total_cents, by_type, rejected, started_at, finished_at) VALUES ('bench', 'bench.csv', 'csv', 'imported', ?, ?, 0, 0, 0, '{}', '[]', 0, 0)",
    )
    .run(N, N).lastInsertRowid;
  const txn = db.prepare(
    "INSERT INTO pos_transaction (import_id, natural_key, register_id, employee_id, type, raw_type, started_at, wall_time, amount_cents) VALUES (?, ?, ?, ?, ?, ?, ?, '2025-01-01T00:00:00', ?)",
  );
  const ex = db.prepare(
    "INSERT INTO exception (transaction_id, status, severity, started_at, type, register_id, employee_id, amount_cents, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
  );
  const reason = db.prepare("INSERT INTO exception_reason (exception_id, rule_id, rule_name, severity, detail) VALUES (?, ?, ?, ?, 'bench')");
  const link = db.prepare("INSERT INTO exception_transaction (exception_id, transaction_id, role) VALUES (?, ?, 'primary')");
  const note = db.prepare('INSERT INTO review_note (exception_id, at, author, text) VALUES (?, ?, ?, ?)');
  const statuses = ['open', 'open', 'open', 'approved', 'investigating', 'escalated', 'dismissed'];
  const start = Date.UTC(2025, 0, 1);
  for (let i = 0; i < N; i++) {
    const [ruleId, ruleName, sev, type] = rules[i % 3]!;
    const at = start + i * 37_000;
    const amount = type === 'no_sale' ? 0 : type === 'refund' ? -(5000 + (i % 9000)) : 100 + (i % 5000);
    const reg = regs[i % regs.length]!;
    const e = emps[(i * 7) % emps.length]!;
    const tid = Number(txn.run(imp, `b${i}`, reg, e, type, type, at, amount).lastInsertRowid);
    const xid = Number(ex.run(tid, statuses[i % statuses.length], sev, at, type, reg, e, amount).lastInsertRowid);
    reason.run(xid, ruleId, ruleName, sev);
    link.run(xid, tid);
    // One exception in five has a note: 20,000 notes at 100k.
    if (i % 5 === 0) note.run(xid, at, 'user:1:admin', `${words[i % 12]} ${words[(i * 5) % 12]} ${words[(i * 11) % 12]} seen on camera ${i}`);
  }
})();
console.log(`seeded ${N.toLocaleString()} exceptions and ${Math.floor(N / 5).toLocaleString()} notes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

async function time(label: string, f: () => Promise<unknown>, reps = 20): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    await f();
    ts.push(performance.now() - s);
  }
  ts.sort((a, b) => a - b);
  const med = ts[Math.floor(ts.length / 2)]!;
  console.log(`${label.padEnd(52)} median ${med.toFixed(2)} ms   p95 ${ts[Math.floor(ts.length * 0.95)]!.toFixed(2)} ms`);
  return med;
}

type Page = { items: { id: number }[]; nextCursor: string | null; total: number | null };
const base = await time('baseline exceptions.list first 200 + total', () => call('exceptions.list', { limit: 200, withTotal: true }));
const first = await time('review.list first 200 + total', () => call('review.list', { limit: 200, withTotal: true }));
await time('review.list first 200 (no total)', () => call('review.list', { limit: 200 }));

// Deep paging: the cursor at 50,000 rows down, as the list reaches it by scrolling.
let cursor: string | null = null;
for (let i = 0; i < Math.floor(N / 2 / 1000); i++) cursor = (await call<Page>('review.list', { limit: 1000, cursor: cursor ?? undefined })).nextCursor;
const deepCursor = cursor!;
const deepBase = await time('baseline exceptions.list 200 at row ~N/2', () => call('exceptions.list', { limit: 200, cursor: deepCursor }));
const deep = await time('review.list 200 at row ~N/2', () => call('review.list', { limit: 200, cursor: deepCursor }));
await time('review.list status=escalated rule=void + total', () => call('review.list', { limit: 200, status: 'escalated', rule: 'void', withTotal: true }));
await time('review.list register=3 employee=E5 + total', () => call('review.list', { limit: 200, register: '3', employee: 'E5', withTotal: true }));
const fts = await time('review.list q="lottery register" + total', () => call('review.list', { limit: 200, q: 'lottery register', withTotal: true }));
const hits = (await call<Page>('review.list', { limit: 1, q: 'lottery register', withTotal: true })).total;
console.log(`  notes search matched ${hits?.toLocaleString()} exceptions`);

const fifty = (await call<Page>('review.list', { limit: 50, status: 'open' })).items.map((i) => i.id);
let caseId = 0;
await time('cases.create from 50 exceptions', async () => {
  caseId = (await call<{ id: number }>('cases.create', { exceptionIds: fifty })).id;
}, 10);
await time('cases.confirm (50 exceptions follow)', async () => {
  const id = (await call<{ id: number }>('cases.create', { exceptionIds: fifty })).id;
  await call('cases.confirm', { id, reason: 'bench' });
}, 10);
void caseId;

console.log(`\nreview.list / exceptions.list: first page ${(first / base).toFixed(2)}×, deep page ${(deep / deepBase).toFixed(2)}×; notes search ${fts.toFixed(1)} ms`);
console.log(`goal: every 200-row page < 100 ms → ${Math.max(first, deep, fts) < 100 ? 'met' : 'NOT met'}`);
await core.close();
rmSync(dir, { recursive: true, force: true });
