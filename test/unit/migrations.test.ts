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
});
