import { rmSync } from 'node:fs';
import type { Db } from '../db/open.js';
import { resolveMedia, type SegmentRow } from './segments.js';

/**
 * Retention of Penny's own recordings (never a DVR export's files): by age, then by total size,
 * oldest first. A segment that overlaps a pin (an open case's evidence) or the window of a clip
 * still waiting to be cut is kept whatever its age.
 */

export interface RetentionPolicy {
  maxAgeMs: number;
  maxBytes: number;
}

export function pinRange(db: Db, p: { cameraId?: number | null; start: number; end: number; reason: string; ref?: string | null; now: number }): number {
  return Number(
    db
      .prepare('INSERT INTO recording_pin (camera_id, start_ms, end_ms, reason, ref, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(p.cameraId ?? null, p.start, p.end, p.reason, p.ref ?? null, p.now).lastInsertRowid,
  );
}

function isProtected(db: Db, s: SegmentRow): boolean {
  const pin = db
    .prepare('SELECT 1 FROM recording_pin WHERE (camera_id IS NULL OR camera_id = ?) AND start_ms < ? AND end_ms > ? LIMIT 1')
    .get(s.camera_id, s.end_ms, s.start_ms);
  if (pin) return true;
  const job = db
    .prepare("SELECT 1 FROM clip_job WHERE camera_id = ? AND status IN ('queued', 'running') AND window_start_ms < ? AND window_end_ms > ? LIMIT 1")
    .get(s.camera_id, s.end_ms, s.start_ms);
  return !!job;
}

export function applyRetention(db: Db, dataDir: string, policy: RetentionPolicy, now: number): { deleted: number; freedBytes: number; keptPinned: number } {
  let deleted = 0;
  let freedBytes = 0;
  const kept = new Set<number>();
  const remove = (s: SegmentRow) => {
    rmSync(resolveMedia(dataDir, s.path), { force: true });
    db.prepare('DELETE FROM recording_segment WHERE id = ?').run(s.id);
    deleted++;
    freedBytes += s.bytes;
  };

  const old = db
    .prepare("SELECT * FROM recording_segment WHERE source = 'recorder' AND end_ms < ? ORDER BY start_ms, id")
    .all(now - policy.maxAgeMs) as SegmentRow[];
  for (const s of old) {
    if (isProtected(db, s)) kept.add(s.id);
    else remove(s);
  }

  let total = (db.prepare("SELECT coalesce(sum(bytes), 0) AS n FROM recording_segment WHERE source = 'recorder'").get() as { n: number }).n;
  if (total > policy.maxBytes) {
    const iter = db.prepare("SELECT * FROM recording_segment WHERE source = 'recorder' ORDER BY start_ms, id").all() as SegmentRow[];
    for (const s of iter) {
      if (total <= policy.maxBytes) break;
      if (isProtected(db, s)) {
        kept.add(s.id);
        continue;
      }
      remove(s);
      total -= s.bytes;
    }
  }
  return { deleted, freedBytes, keptPinned: kept.size };
}
