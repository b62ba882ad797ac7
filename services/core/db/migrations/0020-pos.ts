import type { Migration } from '../migrate.js';

/**
 * POS imports, transactions (with lines and tenders), rules and exceptions.
 * `transaction` is an SQL keyword, so the tables carry a pos_ prefix.
 */
export const m0020: Migration = {
  version: 20,
  name: '0020-pos',
  up(db) {
    db.exec(`
      CREATE TABLE pos_import (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        file_name TEXT NOT NULL,
        format TEXT NOT NULL,
        mapping TEXT,
        status TEXT NOT NULL CHECK (status IN ('imported')),
        rows INTEGER NOT NULL,
        transactions INTEGER NOT NULL,
        duplicates INTEGER NOT NULL,
        rejected_count INTEGER NOT NULL,
        exceptions INTEGER NOT NULL DEFAULT 0,
        total_cents INTEGER NOT NULL,
        by_type TEXT NOT NULL,
        rejected TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE pos_transaction (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES pos_import(id),
        natural_key TEXT NOT NULL UNIQUE,
        external_id TEXT,
        register_id INTEGER REFERENCES register(id),
        employee_id INTEGER REFERENCES employee(id),
        type TEXT NOT NULL,
        raw_type TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        wall_time TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        tax_cents INTEGER NOT NULL DEFAULT 0,
        discount_cents INTEGER NOT NULL DEFAULT 0,
        card TEXT,
        flags TEXT NOT NULL DEFAULT ''
      ) STRICT;
      CREATE INDEX pos_transaction_time ON pos_transaction(started_at, id);
      CREATE INDEX pos_transaction_type_time ON pos_transaction(type, started_at);
      CREATE INDEX pos_transaction_register_time ON pos_transaction(register_id, started_at);

      CREATE TABLE pos_line (
        transaction_id INTEGER NOT NULL REFERENCES pos_transaction(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        quantity REAL,
        amount_cents INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'normal',
        approver TEXT,
        PRIMARY KEY (transaction_id, seq)
      ) STRICT;

      CREATE TABLE pos_tender (
        transaction_id INTEGER NOT NULL REFERENCES pos_transaction(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        code TEXT NOT NULL,
        sub_code TEXT NOT NULL DEFAULT '',
        amount_cents INTEGER NOT NULL,
        card TEXT,
        PRIMARY KEY (transaction_id, seq)
      ) STRICT;

      CREATE TABLE pos_mapping (
        name TEXT PRIMARY KEY,
        source TEXT NOT NULL DEFAULT '',
        mapping TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE rule (
        id TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        built_in INTEGER NOT NULL DEFAULT 0 CHECK (built_in IN (0, 1)),
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- One exception per flagged transaction; its reasons live in exception_reason (one per rule).
      -- The transaction's time, type, register, employee and amount are copied here so the review
      -- list filters 100k rows on one table.
      CREATE TABLE exception (
        id INTEGER PRIMARY KEY,
        transaction_id INTEGER NOT NULL UNIQUE REFERENCES pos_transaction(id),
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'investigating', 'escalated', 'confirmed', 'dismissed')),
        severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
        started_at INTEGER NOT NULL,
        type TEXT NOT NULL,
        register_id INTEGER,
        employee_id INTEGER,
        amount_cents INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX exception_time ON exception(started_at, id);
      CREATE INDEX exception_status_time ON exception(status, started_at, id);
      CREATE INDEX exception_register_time ON exception(register_id, started_at);
      CREATE INDEX exception_employee_time ON exception(employee_id, started_at);
      CREATE INDEX exception_type_time ON exception(type, started_at);

      CREATE TABLE exception_reason (
        exception_id INTEGER NOT NULL REFERENCES exception(id) ON DELETE CASCADE,
        rule_id TEXT NOT NULL,
        rule_name TEXT NOT NULL,
        severity TEXT NOT NULL,
        detail TEXT NOT NULL,
        related TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (exception_id, rule_id)
      ) STRICT;
      CREATE INDEX exception_reason_rule ON exception_reason(rule_id, exception_id);

      CREATE TABLE exception_transaction (
        exception_id INTEGER NOT NULL REFERENCES exception(id) ON DELETE CASCADE,
        transaction_id INTEGER NOT NULL REFERENCES pos_transaction(id),
        role TEXT NOT NULL CHECK (role IN ('primary', 'related')),
        PRIMARY KEY (exception_id, transaction_id)
      ) STRICT;
      CREATE INDEX exception_transaction_txn ON exception_transaction(transaction_id);
    `);
  },
};
