import type { Migration } from '../migrate.js';

/**
 * Cases (a case groups exceptions), their notes and exports. `case` is an SQL keyword, hence
 * review_case. Notes belong to an exception or to a case and are searched through FTS5.
 */
export const m0070: Migration = {
  version: 70,
  name: '0070-cases',
  up(db) {
    db.exec(`
      CREATE TABLE review_case (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'investigating', 'escalated', 'confirmed', 'dismissed', 'approved')),
        entered_amount_cents INTEGER CHECK (entered_amount_cents IS NULL OR entered_amount_cents >= 0),
        offender TEXT,
        subject_id INTEGER,
        assignee_user_id INTEGER REFERENCES user(id),
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        confirmed_by TEXT,
        confirmed_at INTEGER,
        confirm_reason TEXT,
        CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))
      ) STRICT;
      CREATE INDEX review_case_status ON review_case(status, id);

      CREATE TABLE case_exception (
        case_id INTEGER NOT NULL REFERENCES review_case(id) ON DELETE CASCADE,
        exception_id INTEGER NOT NULL REFERENCES exception(id),
        PRIMARY KEY (case_id, exception_id)
      ) STRICT;
      CREATE INDEX case_exception_exception ON case_exception(exception_id, case_id);

      CREATE TABLE review_note (
        id INTEGER PRIMARY KEY,
        case_id INTEGER REFERENCES review_case(id) ON DELETE CASCADE,
        exception_id INTEGER REFERENCES exception(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        CHECK (case_id IS NOT NULL OR exception_id IS NOT NULL)
      ) STRICT;
      CREATE INDEX review_note_case ON review_note(case_id, id);
      CREATE INDEX review_note_exception ON review_note(exception_id, id);

      CREATE VIRTUAL TABLE review_note_fts USING fts5(text, content='review_note', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
      CREATE TRIGGER review_note_ai AFTER INSERT ON review_note BEGIN
        INSERT INTO review_note_fts(rowid, text) VALUES (new.id, new.text);
      END;
      CREATE TRIGGER review_note_ad AFTER DELETE ON review_note BEGIN
        INSERT INTO review_note_fts(review_note_fts, rowid, text) VALUES ('delete', old.id, old.text);
      END;

      CREATE TABLE case_export (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES review_case(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX case_export_case ON case_export(case_id, id);
    `);
  },
};
