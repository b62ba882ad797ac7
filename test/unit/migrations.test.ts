import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, schemaVersion, type Migration } from '../../services/core/db/migrate.js';
import { MIGRATIONS } from '../../services/core/db/migrations/index.js';
import { openDatabase } from '../../services/core/db/open.js';
import { tempDir } from '../helpers/core.js';

describe('migrations', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('migrates an empty database to the latest version with STRICT tables, WAL and foreign keys', () => {
    const db = openDatabase(join(tmp.dir, 'a.db'));
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all() as { name: string; sql: string }[];
    for (const t of ['store', 'register', 'employee', 'user', 'setting', 'audit_event']) {
      const row = tables.find((x) => x.name === t);
      expect(row, t).toBeDefined();
      expect(row!.sql).toMatch(/STRICT\s*$/);
    }
    db.close();
  });

  it('is idempotent: re-running applies nothing', () => {
    const file = join(tmp.dir, 'b.db');
    openDatabase(file).close();
    const db = new Database(file);
    const r = migrate(db, MIGRATIONS);
    expect(r.from).toBe(r.to);
    db.close();
  });

  it('refuses a database from a newer version with a clear error and leaves it untouched', () => {
    const file = join(tmp.dir, 'c.db');
    const raw = new Database(file);
    raw.pragma('user_version = 9999');
    raw.close();
    expect(() => openDatabase(file)).toThrow(/newer version of Penny \(schema 9999/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(9999);
    again.close();
  });

  it('rolls back a failing migration whole, leaving the previous version', () => {
    const db = new Database(':memory:');
    const good: Migration = { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE a (x INTEGER) STRICT') };
    const bad: Migration = {
      version: 2,
      name: 'two',
      up: (d) => {
        d.exec('CREATE TABLE b (x INTEGER) STRICT');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [good, bad])).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT count(*) n FROM sqlite_master WHERE name = 'b'").get()).toEqual({ n: 0 });
  });

  it('rejects migrations listed out of order', () => {
    const db = new Database(':memory:');
    const m = (version: number): Migration => ({ version, name: `m${version}`, up: () => {} });
    expect(() => migrate(db, [m(2), m(1)])).toThrow(/out of order/);
  });

  it('0090 moves POS lines, tenders and exception reasons and links to WITHOUT ROWID tables with their rows, keys and cascade intact', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.filter((m) => m.version < 90));
    db.exec(`INSERT INTO pos_import (id, sha256, file_name, format, status, rows, transactions, duplicates, rejected_count, total_cents, by_type, rejected, started_at, finished_at)
             VALUES (1, 'x', 'f.xml', 'naxml', 'imported', 1, 1, 0, 0, 500, '{}', '[]', 0, 0)`);
    db.exec(`INSERT INTO pos_transaction (id, import_id, natural_key, type, raw_type, started_at, wall_time, amount_cents) VALUES (7, 1, 'k', 'sale', 'sale', 0, '2025-01-01T00:00:00', 500)`);
    db.exec(`INSERT INTO pos_line VALUES (7, 1, 'item', 'Coffee', 1, 500, 'normal', NULL); INSERT INTO pos_tender VALUES (7, 1, 'cash', '', 500, NULL)`);
    db.exec(`INSERT INTO exception (id, transaction_id, severity, started_at, type, amount_cents, created_at, updated_at) VALUES (3, 7, 'high', 0, 'sale', 500, 0, 0);
             INSERT INTO exception_reason VALUES (3, 'void', 'Voided', 'high', 'void $5.00', '[]');
             INSERT INTO exception_transaction VALUES (3, 7, 'primary')`);
    migrate(db, MIGRATIONS);
    const sql = (t: string) => (db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(t) as { sql: string }).sql;
    expect(sql('pos_line')).toMatch(/STRICT, WITHOUT ROWID$/);
    for (const t of ['pos_tender', 'exception_reason', 'exception_transaction']) expect(sql(t), t).toMatch(/STRICT, WITHOUT ROWID$/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('exception_reason_rule', 'exception_transaction_txn') ORDER BY name").pluck().all()).toEqual([
      'exception_reason_rule',
      'exception_transaction_txn',
    ]);
    expect(db.prepare('SELECT rule_id, detail FROM exception_reason').all()).toEqual([{ rule_id: 'void', detail: 'void $5.00' }]);
    expect(db.prepare('SELECT exception_id, transaction_id, role FROM exception_transaction').all()).toEqual([{ exception_id: 3, transaction_id: 7, role: 'primary' }]);
    db.exec('DELETE FROM exception WHERE id = 3');
    expect(db.prepare('SELECT (SELECT count(*) FROM exception_reason) + (SELECT count(*) FROM exception_transaction) AS n').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT description, amount_cents FROM pos_line').all()).toEqual([{ description: 'Coffee', amount_cents: 500 }]);
    expect(db.prepare('SELECT code, amount_cents FROM pos_tender').all()).toEqual([{ code: 'cash', amount_cents: 500 }]);
    expect(() => db.exec("INSERT INTO pos_tender VALUES (7, 1, 'card', '', 1, NULL)")).toThrow(/UNIQUE/);
    expect(() => db.exec("INSERT INTO pos_line VALUES (99, 1, 'item', '', 1, 1, 'normal', NULL)")).toThrow(/FOREIGN KEY/);
    db.exec('DELETE FROM pos_transaction WHERE id = 7');
    expect(db.prepare('SELECT (SELECT count(*) FROM pos_line) + (SELECT count(*) FROM pos_tender) AS n').get()).toEqual({ n: 0 });
  });
});
