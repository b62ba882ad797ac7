import type { OutputOf, ParsedInputOf } from '../../contract/index.js';
import type { Db } from '../db/open.js';
import { parseCursor } from '../pos/read.js';
import { EXCEPTION_SELECT, withReasons } from '../rules/exceptions.js';
import { exceptionFilters } from '../rules/exceptions.js';

/**
 * The review queue: exceptions.list's filters and keyset paging, plus a notes search. The search
 * runs through FTS5 so it stays fast on 100k exceptions; every word of the query must occur (as a
 * prefix) in one note of the exception or of a case holding it.
 */

/** Turns free text into an FTS5 query of quoted prefix terms, so user input can never be FTS syntax. */
export function ftsQuery(q: string): string | null {
  const words = q.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (!words.length) return null;
  return words
    .slice(0, 12)
    .map((w) => `"${w}"*`)
    .join(' ');
}

export function reviewList(db: Db, q: ParsedInputOf<'review.list'>): OutputOf<'review.list'> {
  const { where, args, add } = exceptionFilters(q);
  const fts = q.q ? ftsQuery(q.q) : null;
  if (q.q && !fts) add('0');
  if (fts) {
    add(
      `x.id IN (
        WITH hit AS (SELECT n.exception_id, n.case_id FROM review_note n WHERE n.id IN (SELECT rowid FROM review_note_fts WHERE review_note_fts MATCH ?))
        SELECT exception_id FROM hit WHERE exception_id IS NOT NULL
        UNION SELECT ce.exception_id FROM case_exception ce WHERE ce.case_id IN (SELECT case_id FROM hit WHERE case_id IS NOT NULL))`,
      fts,
    );
  }
  const filter = where.length ? where.join(' AND ') : '1';
  const cur = parseCursor(q.cursor);
  const page = cur ? 'AND (x.started_at < ? OR (x.started_at = ? AND x.id < ?))' : '';
  const rows = db
    .prepare(`${EXCEPTION_SELECT} WHERE ${filter} ${page} ORDER BY x.started_at DESC, x.id DESC LIMIT ?`)
    .all(...args, ...(cur ? [cur[0], cur[0], cur[1]] : []), q.limit + 1) as Parameters<typeof withReasons>[1];
  const more = rows.length > q.limit;
  const items = withReasons(db, rows.slice(0, q.limit));
  const extras = new Map<number, { caseId: number | null; notes: number }>();
  if (items.length) {
    const ex = db
      .prepare(
        `SELECT j.value AS id, (SELECT max(case_id) FROM case_exception WHERE exception_id = j.value) AS caseId,
           (SELECT count(*) FROM review_note WHERE exception_id = j.value) AS notes FROM json_each(?) j`,
      )
      .all(JSON.stringify(items.map((i) => i.id))) as { id: number; caseId: number | null; notes: number }[];
    for (const e of ex) extras.set(e.id, { caseId: e.caseId, notes: e.notes });
  }
  const last = items.at(-1);
  const total = q.withTotal ? (db.prepare(`SELECT count(*) FROM exception x WHERE ${filter}`).pluck().get(...args) as number) : null;
  return {
    items: items.map((i) => ({ ...i, ...(extras.get(i.id) ?? { caseId: null, notes: 0 }) })),
    nextCursor: more && last ? `${last.startedAt}:${last.id}` : null,
    total,
  };
}
