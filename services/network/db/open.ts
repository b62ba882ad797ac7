import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { PGliteDialect } from './pglite-dialect.js';
import { migrate } from './migrations.js';
import type { NetworkDB } from './schema.js';

export interface OpenNetworkDbOptions {
  /** PGlite data folder; omitted with no databaseUrl means an in-memory PGlite (tests). */
  dataDir?: string;
  /** postgres://… selects a real PostgreSQL server. */
  databaseUrl?: string;
  /** PostgreSQL only: work inside this schema (created if missing). Tests isolate themselves this way. */
  schema?: string;
  now?: number;
}

export interface NetworkDatabase {
  db: Kysely<NetworkDB>;
  kind: 'pglite' | 'postgres';
  /** 'pgvector' when the vector column and its HNSW index exist, else 'exact' (float arrays, scanned). */
  vectorSearch: 'pgvector' | 'exact';
  migrationVersion: number;
  close(): Promise<void>;
}

// bigint (int8) and bigserial come back from node-postgres as strings; every int8 here fits a double.
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

function assertSchemaName(schema: string) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`schema name "${schema}" must be lower-case letters, digits and _`);
}

export async function openNetworkDb(opts: OpenNetworkDbOptions): Promise<NetworkDatabase> {
  const now = opts.now ?? Date.now();
  let db: Kysely<NetworkDB>;
  let kind: NetworkDatabase['kind'];
  let vectorAvailable: boolean;
  if (opts.databaseUrl) {
    kind = 'postgres';
    if (opts.schema) {
      assertSchemaName(opts.schema);
      const admin = new pg.Client({ connectionString: opts.databaseUrl });
      await admin.connect();
      try {
        await admin.query(`create schema if not exists ${opts.schema}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      types: pgTypes,
      ...(opts.schema ? { options: `-c search_path=${opts.schema},public` } : {}),
    });
    db = new Kysely<NetworkDB>({ dialect: new PostgresDialect({ pool }) });
    const avail = await sql<{ n: number }>`select count(*)::int as n from pg_available_extensions where name = 'vector'`.execute(db);
    vectorAvailable = Number(avail.rows[0]?.n) > 0;
  } else {
    kind = 'pglite';
    if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
    const lite = await PGlite.create({ dataDir: opts.dataDir, extensions: { vector } });
    db = new Kysely<NetworkDB>({ dialect: new PGliteDialect(lite) });
    vectorAvailable = true;
  }
  try {
    const version = await migrate(db, { vector: vectorAvailable }, now);
    const col = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns
      where table_name = 'face_templates' and column_name = 'embedding_v' and table_schema = current_schema()`.execute(db);
    const vectorSearch = Number(col.rows[0]?.n) > 0 ? 'pgvector' : 'exact';
    return { db, kind, vectorSearch, migrationVersion: version, close: () => db.destroy() };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

/** Drops a test schema on PostgreSQL (after its database is closed). */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  assertSchemaName(schema);
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await admin.end();
  }
}
