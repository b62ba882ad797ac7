import { PennyError } from '../../contract/errors.js';
import type { ImportReport, Transaction } from '../../contract/commands/pos.js';
import type { Db } from '../db/open.js';

export const TXN_SELECT = `SELECT t.id, t.import_id, t.external_id, r.code AS register, e.pos_id AS employee, t.type, t.raw_type, t.started_at, t.ended_at,
  t.wall_time, t.amount_cents, t.tax_cents, t.discount_cents, t.flags
  FROM pos_transaction t LEFT JOIN register r ON r.id = t.register_id LEFT JOIN employee e ON e.id = t.employee_id`;

export interface TxnRow {
  id: number;
  import_id: number;
  external_id: string | null;
  register: string | null;
  employee: string | null;
  type: Transaction['type'];
  raw_type: string;
  started_at: number;
  ended_at: number | null;
  wall_time: string;
  amount_cents: number;
  tax_cents: number;
  discount_cents: number;
  flags: string;
}

export const toTransaction = (r: TxnRow): Transaction => ({
  id: r.id,
  importId: r.import_id,
  externalId: r.external_id,
  register: r.register,
  employee: r.employee,
  type: r.type,
  rawType: r.raw_type,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  wallTime: r.wall_time,
  amountCents: r.amount_cents,
  taxCents: r.tax_cents,
  discountCents: r.discount_cents,
  flags: r.flags ? r.flags.split(',') : [],
});

/** Keyset cursor "startedAt:id" for newest-first lists; stable while rows are added. */
export function parseCursor(c: string | undefined): [number, number] | null {
  if (!c) return null;
  const m = /^(\d+):(\d+)$/.exec(c);
  if (!m) throw new PennyError('invalid_input', `cursor "${c.slice(0, 40)}" is not one this list gave out`, { field: 'cursor' });
  return [Number(m[1]), Number(m[2])];
}

export function transactionDetail(db: Db, id: number) {
  const row = db.prepare(`${TXN_SELECT} WHERE t.id = ?`).get(id) as TxnRow | undefined;
  if (!row) throw new PennyError('not_found', `There is no transaction with id ${id}.`);
  const lines = db.prepare('SELECT seq, kind, description, quantity, amount_cents AS amountCents, status, approver FROM pos_line WHERE transaction_id = ? ORDER BY seq').all(id);
  const tenders = db.prepare('SELECT code, sub_code AS subCode, amount_cents AS amountCents, card FROM pos_tender WHERE transaction_id = ? ORDER BY seq').all(id);
  return { ...toTransaction(row), lines, tenders } as ReturnType<typeof toTransaction> & { lines: never[]; tenders: never[] };
}

interface ImportRow {
  id: number;
  sha256: string;
  file_name: string;
  format: ImportReport['format'];
  mapping: string | null;
  rows: number;
  transactions: number;
  duplicates: number;
  rejected_count: number;
  exceptions: number;
  total_cents: number;
  by_type: string;
  rejected: string;
  started_at: number;
  finished_at: number;
}

export function toImport(r: ImportRow) {
  return {
    importId: r.id,
    file: r.file_name,
    sha256: r.sha256,
    format: r.format,
    mapping: r.mapping,
    status: 'imported' as const,
    rows: r.rows,
    transactions: r.transactions,
    duplicates: r.duplicates,
    byType: JSON.parse(r.by_type) as Record<string, number>,
    totalCents: r.total_cents,
    rejectedCount: r.rejected_count,
    exceptions: r.exceptions,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    duplicateOf: null,
  };
}

export function listImports(db: Db, limit: number, beforeId?: number) {
  return (db.prepare('SELECT * FROM pos_import WHERE id < ? ORDER BY id DESC LIMIT ?').all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as ImportRow[]).map(toImport);
}

export function getImport(db: Db, id: number): ImportReport {
  const r = db.prepare('SELECT * FROM pos_import WHERE id = ?').get(id) as ImportRow | undefined;
  if (!r) throw new PennyError('not_found', `There is no import with id ${id}.`);
  const { mapping: _m, ...rest } = toImport(r);
  return { ...rest, jobId: `import-${r.id}`, rejected: JSON.parse(r.rejected) as ImportReport['rejected'] };
}
