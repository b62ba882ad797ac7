import type { Migration } from '../migrate.js';

/**
 * Alerts: contacts, alert records, the delivery outbox (one row per alert × channel × target, so a
 * message can never be enqueued twice), an attempt log for the admin, and storm windows.
 */
export const m0060: Migration = {
  version: 60,
  name: '0060-alerts',
  up(db) {
    db.exec(`
      CREATE TABLE contact (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT,
        phone TEXT,
        channels TEXT NOT NULL DEFAULT '[]',
        severities TEXT NOT NULL,
        sources TEXT NOT NULL,
        quiet_start TEXT,
        quiet_end TEXT,
        enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE alert_storm (
        id INTEGER PRIMARY KEY,
        group_key TEXT NOT NULL,
        window_start INTEGER NOT NULL,
        window_end INTEGER NOT NULL,
        count INTEGER NOT NULL,
        first_alert_id INTEGER NOT NULL,
        digest_alert_id INTEGER,
        closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1))
      ) STRICT;
      CREATE INDEX alert_storm_open ON alert_storm(closed, group_key, window_end);

      CREATE TABLE alert (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        type TEXT,
        severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        link TEXT,
        register TEXT,
        entity TEXT,
        entity_id TEXT,
        thumbnail_path TEXT,
        dedupe_key TEXT UNIQUE,
        storm_id INTEGER REFERENCES alert_storm(id),
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'aggregated', 'none')),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX alert_status ON alert(status, id);
      CREATE INDEX alert_created ON alert(created_at);

      CREATE TABLE alert_delivery (
        id INTEGER PRIMARY KEY,
        alert_id INTEGER NOT NULL REFERENCES alert(id) ON DELETE CASCADE,
        channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'desktop')),
        target TEXT NOT NULL,
        contact_id INTEGER REFERENCES contact(id) ON DELETE SET NULL,
        address TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        last_error TEXT,
        sent_at INTEGER,
        provider_id TEXT,
        created_at INTEGER NOT NULL,
        UNIQUE (alert_id, channel, target)
      ) STRICT;
      CREATE INDEX alert_delivery_due ON alert_delivery(channel, state, next_attempt_at);
      CREATE INDEX alert_delivery_contact_sent ON alert_delivery(contact_id, channel, sent_at);

      CREATE TABLE alert_attempt (
        id INTEGER PRIMARY KEY,
        delivery_id INTEGER NOT NULL REFERENCES alert_delivery(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
        error TEXT
      ) STRICT;
      CREATE INDEX alert_attempt_delivery ON alert_attempt(delivery_id);
    `);
  },
};
