import type { Migration } from '../migrate.js';

/**
 * Face search: watchlist subjects and their templates, the privacy switch, an audit row per search,
 * return-offender matches (what Monitor shows) and "not this person" feedback.
 * Descriptors are raw little-endian Float32 (128 × 4 bytes) for the local engine; Rekognition keeps the
 * face vectors in its collection and we keep only its FaceId.
 */
export const m0050: Migration = {
  version: 50,
  name: '0050-faces',
  up(db) {
    db.exec(`
      CREATE TABLE face_privacy (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        signage_acknowledged_at INTEGER,
        changed_by TEXT NOT NULL,
        changed_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE face_subject (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('local', 'network')),
        network_id TEXT UNIQUE,
        case_id INTEGER,
        consent_note TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE face_template (
        id INTEGER PRIMARY KEY,
        subject_id INTEGER NOT NULL REFERENCES face_subject(id) ON DELETE CASCADE,
        engine TEXT NOT NULL CHECK (engine IN ('local', 'rekognition')),
        descriptor BLOB,
        external_id TEXT,
        quality REAL NOT NULL,
        thumbnail TEXT,
        source_ref TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        CHECK (descriptor IS NOT NULL OR external_id IS NOT NULL)
      ) STRICT;
      CREATE INDEX face_template_subject ON face_template(subject_id);

      CREATE TABLE face_search (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        trigger TEXT NOT NULL,
        engine TEXT NOT NULL,
        camera_id INTEGER,
        source_ref TEXT NOT NULL DEFAULT '',
        frames INTEGER NOT NULL,
        faces_found INTEGER NOT NULL,
        matched_subjects TEXT NOT NULL DEFAULT '[]',
        match_id INTEGER
      ) STRICT;
      CREATE INDEX face_search_at ON face_search(at);

      CREATE TABLE face_match (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        search_id INTEGER NOT NULL REFERENCES face_search(id),
        subject_id INTEGER NOT NULL REFERENCES face_subject(id) ON DELETE CASCADE,
        template_id INTEGER REFERENCES face_template(id) ON DELETE SET NULL,
        distance REAL,
        similarity REAL NOT NULL,
        frames_agreeing INTEGER NOT NULL,
        frames_total INTEGER NOT NULL,
        camera_id INTEGER,
        source_ref TEXT NOT NULL DEFAULT '',
        probe_thumbnail TEXT,
        probe_descriptor BLOB,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'not_this_person')),
        reviewed_by TEXT,
        reviewed_at INTEGER
      ) STRICT;
      CREATE INDEX face_match_at ON face_match(at);

      CREATE TABLE face_rejection (
        id INTEGER PRIMARY KEY,
        subject_id INTEGER NOT NULL REFERENCES face_subject(id) ON DELETE CASCADE,
        probe_descriptor BLOB,
        match_id INTEGER,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX face_rejection_subject ON face_rejection(subject_id);
    `);
  },
};
