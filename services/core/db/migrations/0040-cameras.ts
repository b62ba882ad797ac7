import type { Migration } from '../migrate.js';

/**
 * Extends the video domain's camera row (0030) with what discovery, health and person events need,
 * and adds outages and snapshots. Credentials live sealed in `credentials` (SecretBox JSON), never
 * inside rtsp_url.
 */
export const m0040: Migration = {
  version: 40,
  name: '0040-cameras',
  up(db) {
    // Same shape as 0030's table, only for a database where the video migration is absent.
    db.exec(`
      CREATE TABLE IF NOT EXISTS camera (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        rtsp_url TEXT,
        enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        clock_offset_ms INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      ) STRICT;
    `);
    const add = [
      `source TEXT NOT NULL DEFAULT 'rtsp' CHECK (source IN ('rtsp', 'onvif'))`,
      'credentials TEXT',
      'onvif_host TEXT',
      'onvif_xaddr TEXT',
      'onvif_clock_offset_ms INTEGER',
      'manufacturer TEXT',
      'model TEXT',
      'firmware TEXT',
      'serial TEXT',
      'profile_token TEXT',
      'profiles TEXT',
      'snapshot_uri TEXT',
      'mqtt_serial TEXT',
      `health_state TEXT NOT NULL DEFAULT 'unknown' CHECK (health_state IN ('unknown', 'online', 'offline'))`,
      'health_checked_at INTEGER',
      'last_frame_at INTEGER',
      'bitrate_kbps INTEGER',
      'health_error TEXT',
      'offline_since INTEGER',
    ];
    for (const col of add) db.exec(`ALTER TABLE camera ADD COLUMN ${col}`);
    db.exec(`
      CREATE INDEX camera_mqtt_serial ON camera(mqtt_serial);

      CREATE TABLE camera_outage (
        id INTEGER PRIMARY KEY,
        camera_id INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
        started_at INTEGER NOT NULL,
        alerted_at INTEGER,
        ended_at INTEGER,
        error TEXT
      ) STRICT;
      CREATE INDEX camera_outage_open ON camera_outage(camera_id, ended_at);

      CREATE TABLE camera_snapshot (
        id INTEGER PRIMARY KEY,
        camera_id INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
        taken_at INTEGER NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('manual', 'person', 'live')),
        source TEXT NOT NULL CHECK (source IN ('onvif', 'ffmpeg')),
        path TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL
      ) STRICT;
      CREATE INDEX camera_snapshot_camera ON camera_snapshot(camera_id, taken_at);
    `);
  },
};
