import type Database from 'better-sqlite3';
import type { Migration } from '../migrate.js';

/**
 * Rebuilds a table as WITHOUT ROWID from its own definition: same columns, keys, checks and foreign
 * keys, rows copied, secondary indexes re-created (dropping the table drops them).
 */
function rebuildWithoutRowid(db: Database.Database, table: string): void {
  const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) as string;
  const indexes = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").pluck().all(table) as string[];
  const body = sql.replace(/^CREATE TABLE\s+"?\w+"?\s*/, '').replace(/\s*STRICT\s*$/, '');
  db.exec(`CREATE TABLE ${table}_new ${body} STRICT, WITHOUT ROWID`);
  db.exec(`INSERT INTO ${table}_new SELECT * FROM ${table}`);
  db.exec(`DROP TABLE ${table}`);
  db.exec(`ALTER TABLE ${table}_new RENAME TO ${table}`);
  for (const index of indexes) db.exec(index);
}

/**
 * The child tables of a transaction and of an exception are keyed by their parent and a second
 * column. As rowid tables each row went into two B-trees (the table and its primary-key index);
 * WITHOUT ROWID they are one, which is a large part of the cost of importing a million-row report
 * and storing its exceptions.
 */
export const m0090: Migration = {
  version: 90,
  name: '0090-child-tables-without-rowid',
  up(db) {
    for (const table of ['pos_line', 'pos_tender', 'exception_reason', 'exception_transaction']) rebuildWithoutRowid(db, table);
  },
};
