import { sql, type Kysely } from 'kysely';

export interface MigrationEnv {
  /** pgvector is installed: templates also get a vector column with an HNSW index. */
  vector: boolean;
}
export interface NetworkMigration {
  version: number;
  name: string;
  statements(env: MigrationEnv): string[];
}

// Instants are UTC epoch ms (bigint), money is integer cents, ids are opaque text.
const initial: NetworkMigration = {
  version: 1,
  name: 'initial',
  statements: () => [
    `create table organizations (id text primary key, name text not null, created_at bigint not null)`,
    `create table regions (id text primary key, org_id text not null references organizations(id), name text not null, created_at bigint not null, unique (org_id, name))`,
    `create table stores (id text primary key, org_id text not null references organizations(id), region_id text not null references regions(id), name text not null, created_at bigint not null)`,
    `create table offenders (id text primary key, region_id text not null references regions(id), status text not null check (status in ('candidate','network','removed','redacted','merged')), merged_into text references offenders(id), expires_at bigint, created_at bigint not null, updated_at bigint not null)`,
    `create table users (id text primary key, email text not null unique, password_hash text not null, role text not null check (role in ('ops','store_admin','subject')), store_id text references stores(id), offender_id text references offenders(id), created_at bigint not null)`,
    `create table sessions (id_hash text primary key, user_id text not null references users(id), csrf text not null, created_at bigint not null, expires_at bigint not null)`,
    `create table stations (id text primary key, store_id text not null references stores(id), name text not null, key_hash text not null unique, created_at bigint not null, revoked_at bigint)`,
    `create table pair_codes (code_hash text primary key, store_id text not null references stores(id), created_by text not null, created_at bigint not null, expires_at bigint not null, used_at bigint, station_id text)`,
    `create table cases (id text primary key, store_id text not null references stores(id), station_id text not null references stations(id), idempotency_key text not null, request_hash text not null, station_case_ref text not null, status text not null check (status in ('receiving','pending_review','approved','rejected')), amount_cents integer not null, occurred_at bigint not null, summary text not null, debug jsonb not null, offender_id text references offenders(id), review_reason text, reviewed_by text, reviewed_at bigint, created_at bigint not null, unique (store_id, idempotency_key))`,
    `create index cases_status on cases (status, created_at)`,
    `create table evidence (id text primary key, case_id text not null references cases(id), store_id text not null references stores(id), position integer not null, name text not null, kind text not null, mime text not null, size bigint not null, sha256 text not null, received_bytes bigint not null default 0, status text not null check (status in ('uploading','complete')), storage_key text not null, created_at bigint not null, completed_at bigint)`,
    `create index evidence_case on evidence (case_id)`,
    `create table face_templates (id text primary key, offender_id text references offenders(id), case_id text not null references cases(id), store_id text not null references stores(id), embedding real[] not null, created_at bigint not null)`,
    `create index face_templates_offender on face_templates (offender_id)`,
    `create table watchlist_changes (seq bigserial primary key, region_id text not null references regions(id), offender_id text not null references offenders(id), kind text not null check (kind in ('upsert','remove')), reason text not null, at bigint not null)`,
    `create index watchlist_changes_region on watchlist_changes (region_id, seq)`,
    `create table alerts (seq bigserial primary key, region_id text not null references regions(id), offender_id text not null references offenders(id), case_id text not null references cases(id), source_store_id text not null references stores(id), kind text not null, message text not null, case_received_at bigint not null, created_at bigint not null)`,
    `create index alerts_region on alerts (region_id, seq)`,
    `create table network_settings (key text primary key, value jsonb not null, updated_at bigint not null, updated_by text not null)`,
    `create table debts (id text primary key, case_id text not null unique references cases(id), store_id text not null references stores(id), offender_id text not null references offenders(id), amount_cents integer not null check (amount_cents > 0), status text not null check (status in ('open','disputed','paid','void')), payment_id text, paid_at bigint, created_at bigint not null)`,
    `create index debts_offender on debts (offender_id)`,
    `create table notices (id text primary key, case_id text not null references cases(id), store_id text not null references stores(id), offender_id text not null references offenders(id), token_hash text not null unique, expires_at bigint not null, consumed_at bigint, consumed_by text references users(id), created_at bigint not null)`,
    `create table payments (id text primary key, offender_id text not null references offenders(id), user_id text not null references users(id), stripe_session_id text unique, amount_cents integer not null, currency text not null, status text not null check (status in ('pending','paid','expired')), receipt_number text, created_at bigint not null, paid_at bigint)`,
    `create table payment_debts (payment_id text not null references payments(id), debt_id text not null references debts(id), amount_cents integer not null, primary key (payment_id, debt_id))`,
    `create table stripe_events (id text primary key, type text not null, outcome text not null, received_at bigint not null)`,
    `create table ledger_entries (id text primary key, store_id text not null references stores(id), payment_id text not null references payments(id), debt_id text not null references debts(id), gross_cents integer not null, rate_bps integer not null, store_share_cents integer not null, network_share_cents integer not null, created_at bigint not null, unique (payment_id, debt_id))`,
    `create index ledger_store on ledger_entries (store_id, created_at)`,
    `create table disputes (id text primary key, offender_id text not null references offenders(id), user_id text not null references users(id), reason text not null, status text not null check (status in ('open','upheld','rejected')), resolution text, resolved_by text, created_at bigint not null, resolved_at bigint)`,
    `create table dispute_attachments (id text primary key, dispute_id text not null references disputes(id), name text not null, mime text not null, size bigint not null, sha256 text not null, storage_key text not null, created_at bigint not null)`,
    `create table notifications (id text primary key, audience text not null check (audience in ('store','ops','subject')), store_id text references stores(id), user_id text references users(id), kind text not null, message text not null, created_at bigint not null)`,
    `create table support_requests (id text primary key, store_id text not null references stores(id), station_id text not null references stations(id), topic text not null, message text not null, created_at bigint not null)`,
    `create table audit_log (id bigserial primary key, at bigint not null, actor text not null, action text not null, entity text not null, entity_id text not null, details jsonb not null)`,
    `create index audit_entity on audit_log (entity, entity_id)`,
  ],
};

const vectorIndex: NetworkMigration = {
  version: 2,
  name: 'face-vector-index',
  statements: (env) =>
    env.vector
      ? [
          `create extension if not exists vector`,
          `alter table face_templates add column embedding_v vector(128)`,
          `create index face_templates_hnsw on face_templates using hnsw (embedding_v vector_l2_ops)`,
        ]
      : [],
};

export const NETWORK_MIGRATIONS: NetworkMigration[] = [initial, vectorIndex];
export const LATEST_NETWORK_VERSION = NETWORK_MIGRATIONS[NETWORK_MIGRATIONS.length - 1]!.version;

/**
 * Applies pending migrations, each in its own transaction, and refuses a database from a newer
 * server. On PostgreSQL an advisory lock keeps two servers starting at once from racing.
 */
export async function migrate(db: Kysely<any>, env: MigrationEnv, now: number): Promise<number> {
  await sql`create table if not exists network_migrations (version integer primary key, name text not null, applied_at bigint not null)`.execute(db);
  const rows = await sql<{ v: number | null }>`select max(version) as v from network_migrations`.execute(db);
  const current = Number(rows.rows[0]?.v ?? 0);
  if (current > LATEST_NETWORK_VERSION) {
    throw new Error(`the network database is at version ${current}, newer than this server (${LATEST_NETWORK_VERSION}); upgrade the server`);
  }
  for (const m of NETWORK_MIGRATIONS) {
    if (m.version <= current) continue;
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(727001)`.execute(trx);
      const done = await sql<{ n: number }>`select count(*)::int as n from network_migrations where version = ${m.version}`.execute(trx);
      if (Number(done.rows[0]?.n) > 0) return;
      for (const stmt of m.statements(env)) await sql.raw(stmt).execute(trx);
      await sql`insert into network_migrations (version, name, applied_at) values (${m.version}, ${m.name}, ${now})`.execute(trx);
    });
  }
  return LATEST_NETWORK_VERSION;
}
