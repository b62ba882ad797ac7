import type { Migration } from '../migrate.js';

/**
 * Sync with the Penny Network: the pairing (one row), the outbox (one row per case revision, with a
 * client-generated idempotency key fixed at enqueue time), per-file upload progress, one cursor
 * per pulled feed, and local copies of what is pulled (watchlist, network alerts, ledger, notices).
 */
export const m0080: Migration = {
  version: 80,
  name: '0080-sync',
  up(db) {
    db.exec(`
      CREATE TABLE sync_pairing (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        url TEXT NOT NULL,
        station_id TEXT NOT NULL,
        store_id TEXT NOT NULL,
        region_id TEXT NOT NULL,
        api_key_sealed TEXT NOT NULL,
        paired_at INTEGER NOT NULL,
        revoked_at INTEGER,
        connection TEXT NOT NULL DEFAULT 'unknown' CHECK (connection IN ('unknown', 'online', 'offline', 'revoked')),
        last_push_at INTEGER,
        last_pull_at INTEGER,
        last_error TEXT,
        last_error_at INTEGER
      ) STRICT;

      CREATE TABLE sync_outbox (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        content_hash TEXT NOT NULL,
        intake TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'accepted', 'rejected', 'failed')),
        network_case_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        decision_reason TEXT,
        offender_id TEXT,
        debt_status TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        sent_at INTEGER,
        decided_at INTEGER,
        UNIQUE (case_id, revision)
      ) STRICT;
      CREATE INDEX sync_outbox_status ON sync_outbox(status, next_attempt_at);

      CREATE TABLE sync_upload (
        outbox_id INTEGER NOT NULL REFERENCES sync_outbox(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        evidence_id TEXT,
        sent_bytes INTEGER NOT NULL DEFAULT 0,
        complete INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
        PRIMARY KEY (outbox_id, position)
      ) STRICT;

      CREATE TABLE sync_cursor (
        feed TEXT PRIMARY KEY,
        cursor INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- Network watchlist for this region, kept here (not in face_subject) so the faces domain's
      -- own subjects and its in-memory gallery stay under its control.
      CREATE TABLE sync_watch_subject (
        offender_id TEXT PRIMARY KEY,
        expires_at INTEGER,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE sync_watch_template (
        id TEXT PRIMARY KEY,
        offender_id TEXT NOT NULL REFERENCES sync_watch_subject(offender_id) ON DELETE CASCADE,
        vector BLOB NOT NULL
      ) STRICT;
      CREATE INDEX sync_watch_template_offender ON sync_watch_template(offender_id);

      CREATE TABLE sync_network_alert (
        seq INTEGER PRIMARY KEY,
        offender_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        source_store_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        local_alert_id INTEGER
      ) STRICT;

      CREATE TABLE sync_ledger (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        body TEXT NOT NULL,
        fetched_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE sync_notice (
        notice_id TEXT PRIMARY KEY,
        network_case_id TEXT NOT NULL,
        case_id INTEGER,
        url TEXT NOT NULL,
        qr_svg TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
