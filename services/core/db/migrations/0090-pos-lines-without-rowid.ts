import type { Migration } from '../migrate.js';

/**
 * pos_line and pos_tender are keyed by (transaction_id, seq). As rowid tables each row went into two
 * B-trees (the table and its primary-key index); WITHOUT ROWID they are one, which is a large part
 * of the cost of importing a million-row report. Same columns, same keys, same foreign keys.
 */
export const m0090: Migration = {
  version: 90,
  name: '0090-pos-lines-without-rowid',
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
    `);
  },
};
