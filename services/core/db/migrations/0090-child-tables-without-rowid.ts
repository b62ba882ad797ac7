import type { Migration } from '../migrate.js';

/**
 * The child tables of a transaction and of an exception are keyed by their parent and a second
 * column. As rowid tables each row went into two B-trees (the table and its primary-key index);
 * WITHOUT ROWID they are one, which is a large part of the cost of importing a million-row report
 * and storing its exceptions. Same columns, same keys, same foreign keys, same secondary indexes.
 */
export const m0090: Migration = {
  version: 90,
  name: '0090-child-tables-without-rowid',
  up(db) {
    db.exec(`
      CREATE TABLE pos_line_new (
        transaction_id INTEGER NOT NULL REFERENCES pos_transaction(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        quantity REAL,
        amount_cents INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'normal',
        approver TEXT,
        PRIMARY KEY (transaction_id, seq)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO pos_line_new SELECT transaction_id, seq, kind, description, quantity, amount_cents, status, approver FROM pos_line;
      DROP TABLE pos_line;
      ALTER TABLE pos_line_new RENAME TO pos_line;

      CREATE TABLE pos_tender_new (
        transaction_id INTEGER NOT NULL REFERENCES pos_transaction(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        code TEXT NOT NULL,
        sub_code TEXT NOT NULL DEFAULT '',
        amount_cents INTEGER NOT NULL,
        card TEXT,
        PRIMARY KEY (transaction_id, seq)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO pos_tender_new SELECT transaction_id, seq, code, sub_code, amount_cents, card FROM pos_tender;
      DROP TABLE pos_tender;
      ALTER TABLE pos_tender_new RENAME TO pos_tender;

      CREATE TABLE exception_reason_new (
        exception_id INTEGER NOT NULL REFERENCES exception(id) ON DELETE CASCADE,
        rule_id TEXT NOT NULL,
        rule_name TEXT NOT NULL,
        severity TEXT NOT NULL,
        detail TEXT NOT NULL,
        related TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (exception_id, rule_id)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO exception_reason_new SELECT exception_id, rule_id, rule_name, severity, detail, related FROM exception_reason;
      DROP TABLE exception_reason;
      ALTER TABLE exception_reason_new RENAME TO exception_reason;
      CREATE INDEX exception_reason_rule ON exception_reason(rule_id, exception_id);

      CREATE TABLE exception_transaction_new (
        exception_id INTEGER NOT NULL REFERENCES exception(id) ON DELETE CASCADE,
        transaction_id INTEGER NOT NULL REFERENCES pos_transaction(id),
        role TEXT NOT NULL CHECK (role IN ('primary', 'related')),
        PRIMARY KEY (exception_id, transaction_id)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO exception_transaction_new SELECT exception_id, transaction_id, role FROM exception_transaction;
      DROP TABLE exception_transaction;
      ALTER TABLE exception_transaction_new RENAME TO exception_transaction;
      CREATE INDEX exception_transaction_txn ON exception_transaction(transaction_id);
    `);
  },
};
