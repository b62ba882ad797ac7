import type { Migration } from '../migrate.js';

/**
 * Video: a minimal camera table (the cameras domain adds discovery and credentials in its own
 * migrations), the register↔camera map, the recording index, retention pins, clips and the clip
 * job queue. Clips refer to exceptions by id without a foreign key: the exception table belongs to
 * another domain and may be created later.
 */
export const m0030: Migration = {
  version: 30,
  name: '0030-video',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS camera (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        rtsp_url TEXT,
        enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        clock_offset_ms INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE register_camera (
        register_id INTEGER NOT NULL REFERENCES register(id),
        camera_id INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
        pre_roll_ms INTEGER NOT NULL DEFAULT 60000 CHECK (pre_roll_ms >= 0),
        post_roll_ms INTEGER NOT NULL DEFAULT 120000 CHECK (post_roll_ms >= 0),
        PRIMARY KEY (register_id, camera_id)
      ) STRICT;

      CREATE TABLE recording_segment (
        id INTEGER PRIMARY KEY,
        camera_id INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
        -- relative to the data dir for Penny's own recordings, absolute for indexed DVR exports
        path TEXT NOT NULL UNIQUE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL CHECK (end_ms > start_ms),
        bytes INTEGER NOT NULL,
        -- first timestamp inside the file (DVR files often do not start at 0), for concat inpoints
        file_start_ms INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL CHECK (source IN ('recorder', 'import')),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX recording_segment_cam_start ON recording_segment(camera_id, start_ms);
      CREATE INDEX recording_segment_source_start ON recording_segment(source, start_ms);

      CREATE TABLE recording_gap (
        id INTEGER PRIMARY KEY,
        camera_id INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER,
        reason TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX recording_gap_cam ON recording_gap(camera_id, start_ms);

      CREATE TABLE recording_pin (
        id INTEGER PRIMARY KEY,
        camera_id INTEGER REFERENCES camera(id) ON DELETE CASCADE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL CHECK (end_ms > start_ms),
        reason TEXT NOT NULL,
        ref TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE clip_job (
        id INTEGER PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        camera_id INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
        exception_id INTEGER,
        register_id INTEGER,
        event_type TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        window_start_ms INTEGER NOT NULL,
        window_end_ms INTEGER NOT NULL CHECK (window_end_ms > window_start_ms),
        mode TEXT NOT NULL CHECK (mode IN ('copy', 'exact')),
        -- chosen when queued, so a job resumed after a crash writes the same file
        path TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'missing', 'failed')),
        progress REAL NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        missing TEXT NOT NULL DEFAULT '[]',
        clip_id INTEGER,
        run_after INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX clip_job_status ON clip_job(status, run_after, id);
      CREATE INDEX clip_job_exception ON clip_job(exception_id);

      CREATE TABLE clip (
        id INTEGER PRIMARY KEY,
        job_id INTEGER UNIQUE REFERENCES clip_job(id),
        camera_id INTEGER REFERENCES camera(id) ON DELETE SET NULL,
        exception_id INTEGER,
        register_id INTEGER,
        event_type TEXT NOT NULL,
        at_ms INTEGER,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        path TEXT NOT NULL UNIQUE,
        thumb_path TEXT,
        preview_path TEXT,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('copy', 'exact', 'import')),
        missing TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX clip_exception ON clip(exception_id);
    `);
  },
};
