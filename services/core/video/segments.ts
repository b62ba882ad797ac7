import { isAbsolute, join } from 'node:path';
import { DateTime } from 'luxon';
import type { Db } from '../db/open.js';

/** The recording index: which file covers which instants of which camera. */

export interface SegmentRow {
  id: number;
  camera_id: number;
  path: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
  file_start_ms: number;
  source: 'recorder' | 'import';
}

export interface Range {
  start: number;
  end: number;
}

/**
 * Consecutive segments rarely meet to the millisecond (wall-clock stamping, frame boundaries):
 * holes shorter than this count as covered, longer ones are reported.
 */
export const JOIN_TOLERANCE_MS = 1500;

/** Penny's own segment and clip names carry their UTC start: 20260115T120000.000Z. */
export function stampName(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

export function parseStamp(name: string): number | null {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{3}))?Z/.exec(name);
  if (!m) return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? +m[7] : 0);
  return Number.isNaN(ms) ? null : ms;
}

export function resolveMedia(dataDir: string, p: string): string {
  return isAbsolute(p) ? p : join(dataDir, p);
}

export function insertSegment(
  db: Db,
  s: { cameraId: number; path: string; start: number; end: number; bytes: number; fileStartMs?: number; source: 'recorder' | 'import'; now: number },
): number | null {
  const r = db
    .prepare(
      'INSERT OR IGNORE INTO recording_segment (camera_id, path, start_ms, end_ms, bytes, file_start_ms, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(s.cameraId, s.path, s.start, s.end, s.bytes, s.fileStartMs ?? 0, s.source, s.now);
  return r.changes ? Number(r.lastInsertRowid) : null;
}

/** Segments of a camera that overlap [from, to), oldest first. */
export function segmentsIn(db: Db, cameraId: number, from: number, to: number): SegmentRow[] {
  return db
    .prepare('SELECT * FROM recording_segment WHERE camera_id = ? AND start_ms < ? AND end_ms > ? ORDER BY start_ms, id')
    .all(cameraId, to, from) as SegmentRow[];
}

/** Merges ranges that touch or nearly touch. Input need not be sorted. */
export function mergeRanges(ranges: Range[], tolerance = JOIN_TOLERANCE_MS): Range[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end + tolerance) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** The parts of [from, to) that the covered ranges leave out. */
export function missingRanges(covered: Range[], from: number, to: number, tolerance = JOIN_TOLERANCE_MS): Range[] {
  const out: Range[] = [];
  let cursor = from;
  for (const c of mergeRanges(covered, tolerance)) {
    if (c.end <= cursor) continue;
    if (c.start >= to) break;
    if (c.start > cursor + tolerance) out.push({ start: cursor, end: Math.min(c.start, to) });
    cursor = Math.max(cursor, c.end);
  }
  if (to > cursor + tolerance) out.push({ start: cursor, end: to });
  return out;
}

/** "06:03:00–06:05:00 (America/Chicago, 2026-01-15), 2 min 0 s" — what a person needs to go and look. */
export function describeRange(r: Range, zone: string): string {
  const a = DateTime.fromMillis(r.start, { zone });
  const b = DateTime.fromMillis(r.end, { zone });
  const secs = Math.round((r.end - r.start) / 1000);
  const len = secs >= 60 ? `${Math.floor(secs / 60)} min ${secs % 60} s` : `${secs} s`;
  const day = a.toFormat('yyyy-LL-dd');
  const endDay = b.toFormat('yyyy-LL-dd');
  return `${a.toFormat('HH:mm:ss')}–${endDay === day ? b.toFormat('HH:mm:ss') : b.toFormat('yyyy-LL-dd HH:mm:ss')} (${zone}, ${day}), ${len}`;
}
