import type Database from 'better-sqlite3';
import { PennyError } from '../../contract/errors.js';

export interface Migration {
  /** Strictly increasing; becomes PRAGMA user_version once applied. */
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations newer than the database, each in its own transaction together with the
 * user_version bump, so a crash leaves the schema at a whole version. A database written by a newer
 * Penny is refused rather than guessed at.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): { from: number; to: number } {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version <= migrations[i - 1]!.version) {
      throw new Error(`migration ${migrations[i]!.name} is out of order`);
    }
  }
  const latest = migrations.at(-1)?.version ?? 0;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new PennyError(
      'conflict',
      `This database was written by a newer version of Penny (schema ${from}; this version knows up to ${latest}). Update Penny to open it.`,
      { schema: from, supported: latest },
    );
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: Math.max(from, latest) };
}
