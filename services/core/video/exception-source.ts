import type { Db } from '../db/open.js';
import { stmt } from '../db/statements.js';

/**
 * Reads what a clip needs from an exception (when it happened, at which register, what kind of
 * event) without depending on the POS domain's schema at build time: the tables are looked up at
 * run time and the columns matched by name, so the video domain works before, and after, the POS
 * migrations land.
 */

export interface ExceptionMoment {
  at: number;
  registerId: number | null;
  eventType: string;
}

const columns = (db: Db, table: string): Set<string> => {
  const exists = stmt(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
  if (!exists) return new Set();
  return new Set((stmt(db, `PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name));
};

const pick = (cols: Set<string>, names: string[]) => names.find((n) => cols.has(n));

export function exceptionTableExists(db: Db): boolean {
  return columns(db, 'exception').size > 0;
}

/** undefined: no such exception. Throws with a reason when the row exists but lacks a time. */
export function lookupException(db: Db, id: number): ExceptionMoment | undefined {
  const ex = columns(db, 'exception');
  if (ex.size === 0) return undefined;
  const row = stmt(db, 'SELECT * FROM exception WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  if (!row) return undefined;

  let txn: Record<string, unknown> | undefined;
  const txnCol = pick(ex, ['transaction_id', 'txn_id', 'primary_transaction_id']);
  const tx = columns(db, 'transaction');
  if (txnCol && tx.size > 0 && row[txnCol] != null) {
    txn = stmt(db, 'SELECT * FROM "transaction" WHERE id = ?').get(row[txnCol]) as Record<string, unknown> | undefined;
  }
  const field = (names: string[]): unknown => {
    for (const src of [txn, row]) {
      if (!src) continue;
      for (const n of names) if (src[n] != null) return src[n];
    }
    return undefined;
  };

  const at = field(['started_at', 'occurred_at', 'at', 'ended_at', 'created_at']);
  if (typeof at !== 'number') throw new Error(`exception ${id} has no time to cut a clip around`);

  let registerId: number | null = null;
  const rid = field(['register_id']);
  if (typeof rid === 'number') registerId = rid;
  else {
    const code = field(['register_code', 'register']);
    if (typeof code === 'string') {
      const r = stmt(db, 'SELECT id FROM register WHERE code = ?').get(code) as { id: number } | undefined;
      registerId = r?.id ?? null;
    }
  }
  const type = field(['type', 'kind', 'txn_type', 'event_type', 'rule_id']);
  return { at, registerId, eventType: typeof type === 'string' && type ? type : 'exception' };
}
