import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Db } from '../../services/core/db/open.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/pos/', import.meta.url));
export const MODISOFT = join(FIXTURES, 'modisoft', 'sale-transactions-2025-07-08.csv');
export const naxml = (name: string) => join(FIXTURES, 'naxml', `naxml-posjournal-${name}.xml`);

/** Row counts of every POS table, to prove a rejected file changed nothing. */
const TABLES = ['pos_import', 'pos_transaction', 'pos_line', 'pos_tender', 'exception', 'exception_reason', 'exception_transaction', 'employee', 'register', 'audit_event'] as const;
export function posCounts(db: Db): Record<(typeof TABLES)[number], number> {
  const out = {} as Record<(typeof TABLES)[number], number>;
  for (const t of TABLES) {
    out[t] = db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
  }
  return out;
}

/** Fake clock time just after the Modisoft day, so "the last 30 days" covers it. */
export const AFTER_MODISOFT_DAY = Date.UTC(2025, 6, 10, 12);
