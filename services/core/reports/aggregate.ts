import type { Db } from '../db/open.js';
import type { Report } from '../../contract/commands/reports.js';

type Bucket = Report['bucket'];

/** Local date (YYYY-MM-DD) → first local date of its day/week (Monday)/month bucket. */
export function bucketOf(date: string, bucket: Bucket): string {
  if (bucket === 'day') return date;
  if (bucket === 'month') return `${date.slice(0, 7)}-01`;
  // Dates are wall-clock dates; doing the arithmetic in UTC avoids any DST shift.
  const d = new Date(`${date}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - back);
  return d.toISOString().slice(0, 10);
}

/** Statuses that say the money was not lost (cleared as legitimate or a false alarm). */
const NOT_LOSS = `('approved', 'dismissed')`;

/**
 * Every figure of the Reports tab in a handful of grouped queries over `exception` (which carries
 * the transaction's time, type, register, employee and amount) and `pos_transaction` for wall times
 * and per-employee denominators. Grouping by day in SQL keeps the JS side small even at 100k rows.
 */
export function buildReport(db: Db, input: { since?: number; until?: number; bucket: Bucket }): Report {
  const span = db.prepare('SELECT min(started_at) AS lo, max(started_at) AS hi FROM pos_transaction').get() as { lo: number | null; hi: number | null };
  const since = input.since ?? span.lo ?? 0;
  const until = input.until ?? (span.hi != null ? span.hi + 1 : since + 1);
  const range = [since, until] as const;

  const txns = (db.prepare('SELECT count(*) AS n FROM pos_transaction WHERE started_at >= ? AND started_at < ?').get(...range) as { n: number }).n;
  const totals = db
    .prepare(
      `SELECT count(*) AS n,
              coalesce(sum(CASE WHEN status NOT IN ${NOT_LOSS} THEN abs(amount_cents) END), 0) AS flagged,
              coalesce(sum(CASE WHEN status = 'confirmed' THEN abs(amount_cents) END), 0) AS confirmed
         FROM exception WHERE started_at >= ? AND started_at < ?`,
    )
    .get(...range) as { n: number; flagged: number; confirmed: number };

  const byType = db
    .prepare('SELECT type, count(*) AS count FROM exception WHERE started_at >= ? AND started_at < ? GROUP BY type ORDER BY count DESC, type')
    .all(...range) as { type: string; count: number }[];
  const byStatus = db
    .prepare('SELECT status, count(*) AS count FROM exception WHERE started_at >= ? AND started_at < ? GROUP BY status ORDER BY count DESC, status')
    .all(...range) as { status: string; count: number }[];

  const daily = db
    .prepare(
      `SELECT substr(t.wall_time, 1, 10) AS day, e.type AS type, count(*) AS n,
              coalesce(sum(CASE WHEN e.status NOT IN ${NOT_LOSS} THEN abs(e.amount_cents) END), 0) AS flagged
         FROM exception e JOIN pos_transaction t ON t.id = e.transaction_id
        WHERE e.started_at >= ? AND e.started_at < ?
        GROUP BY day, e.type`,
    )
    .all(...range) as { day: string; type: string; n: number; flagged: number }[];
  const trendMap = new Map<string, { period: string; type: string; count: number }>();
  const lossMap = new Map<string, { period: string; flaggedCents: number; recoveredCents: number }>();
  for (const r of daily) {
    const period = bucketOf(r.day, input.bucket);
    const k = `${period}|${r.type}`;
    const t = trendMap.get(k) ?? { period, type: r.type, count: 0 };
    t.count += r.n;
    trendMap.set(k, t);
    const l = lossMap.get(period) ?? { period, flaggedCents: 0, recoveredCents: 0 };
    l.flaggedCents += r.flagged;
    lossMap.set(period, l);
  }
  const trend = [...trendMap.values()].sort((a, b) => a.period.localeCompare(b.period) || a.type.localeCompare(b.type));
  const loss = [...lossMap.values()].sort((a, b) => a.period.localeCompare(b.period));

  const emp = db
    .prepare(
      `SELECT coalesce(nullif(em.name, ''), em.pos_id) AS employee, count(t.id) AS txns, count(e.id) AS exc
         FROM pos_transaction t JOIN employee em ON em.id = t.employee_id
         LEFT JOIN exception e ON e.transaction_id = t.id
        WHERE t.started_at >= ? AND t.started_at < ?
        GROUP BY em.id ORDER BY exc DESC, employee`,
    )
    .all(...range) as { employee: string; txns: number; exc: number }[];
  const allTx = emp.reduce((s, e) => s + e.txns, 0);
  const allExc = emp.reduce((s, e) => s + e.exc, 0);
  const rate = (exc: number, tx: number) => (tx > 0 ? Math.round((exc / tx) * 10_000) / 100 : 0);
  const employees = emp.map((e) => ({
    employee: e.employee,
    transactions: e.txns,
    exceptions: e.exc,
    rate: rate(e.exc, e.txns),
    peerRate: rate(allExc - e.exc, allTx - e.txns),
  }));

  const heatmap = db
    .prepare(
      `SELECT coalesce(r.code, '(none)') AS register, CAST(substr(t.wall_time, 12, 2) AS INTEGER) AS hour, count(*) AS count
         FROM exception e JOIN pos_transaction t ON t.id = e.transaction_id
         LEFT JOIN register r ON r.id = e.register_id
        WHERE e.started_at >= ? AND e.started_at < ?
        GROUP BY register, hour ORDER BY register, hour`,
    )
    .all(...range) as { register: string; hour: number; count: number }[];

  return {
    since,
    until,
    bucket: input.bucket,
    totals: { transactions: txns, exceptions: totals.n, flaggedCents: totals.flagged, confirmedCents: totals.confirmed, recoveredCents: 0 },
    byType,
    byStatus,
    trend,
    employees,
    heatmap,
    loss,
  };
}
