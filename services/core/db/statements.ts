import type Database from 'better-sqlite3';

const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * A statement prepared once per connection. On hot paths (a listener run for each of thousands of
 * exceptions) preparing costs more than running the statement. Only for plain run/get/all: a
 * cached statement must not be switched with pluck(), raw() or expand(), or iterated while nested.
 */
export function stmt(db: Database.Database, sql: string): Database.Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) cache.set(sql, (s = db.prepare(sql)));
  return s;
}
