import { Cron } from 'croner';
import { DateTime } from 'luxon';
import type { Summary } from '../../contract/commands/alerts.js';
import type { Severity } from '../../contract/commands/rules.js';
import type { AppDeps } from '../app.js';
import type { Actor } from '../context.js';
import type { Db } from '../db/open.js';
import { readSetting } from '../settings/app.js';
import { alertOptions } from './config.js';
import { raiseAlert, deepLink } from './raise.js';
import { fmtLocal, renderContext } from './templates.js';

type Period = 'daily' | 'weekly';
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];
const RANK_SQL = "CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END";

const hasColumns = (db: Db, table: string, cols: string[]) => {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)) return false;
  const have = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
  return cols.every((c) => have.has(c));
};

const money = (cents: number) => `$${(Math.abs(cents) / 100).toFixed(2)}`;

interface Figures {
  basis: Summary['basis'];
  total: number;
  countsByType: Summary['countsByType'];
  countsBySeverity: Summary['countsBySeverity'];
  top: Summary['top'];
}

/**
 * Figures from the POS exception table when this station has one (checked at run time, so alerts
 * work before or without the POS domain), otherwise from the alert records themselves.
 */
function figures(d: AppDeps, since: number, until: number, linkBase: string): Figures {
  const { db } = d;
  if (hasColumns(db, 'exception', ['id', 'severity', 'type', 'created_at'])) {
    const where = 'FROM exception WHERE created_at > ? AND created_at <= ?';
    const byType = db.prepare(`SELECT type, count(*) AS count ${where} GROUP BY type ORDER BY count DESC, type`).all(since, until) as { type: string; count: number }[];
    const bySev = db.prepare(`SELECT severity, count(*) AS count ${where} GROUP BY severity`).all(since, until) as { severity: Severity; count: number }[];
    const withAmount = hasColumns(db, 'exception', ['amount_cents']);
    const withRegister = hasColumns(db, 'exception', ['register_id']) && hasColumns(db, 'register', ['id', 'code']);
    const withReason = hasColumns(db, 'exception_reason', ['exception_id', 'rule_name']);
    const rows = db
      .prepare(
        `SELECT e.id, e.severity, e.type, e.created_at AS at, ${withAmount ? 'e.amount_cents' : '0'} AS cents,
                ${withRegister ? '(SELECT code FROM register r WHERE r.id = e.register_id)' : 'NULL'} AS register,
                ${withReason ? `(SELECT rule_name FROM exception_reason x WHERE x.exception_id = e.id ORDER BY ${RANK_SQL.replace('severity', 'x.severity')} DESC, rule_id LIMIT 1)` : 'NULL'} AS reasons
         FROM exception e WHERE e.created_at > ? AND e.created_at <= ?
         ORDER BY ${RANK_SQL.replace('severity', 'e.severity')} DESC, abs(${withAmount ? 'e.amount_cents' : '0'}) DESC, e.id DESC LIMIT 5`,
      )
      .all(since, until) as { id: number; severity: Severity; type: string; at: number; cents: number; register: string | null; reasons: string | null }[];
    return {
      basis: 'exceptions',
      total: byType.reduce((n, r) => n + r.count, 0),
      countsByType: byType,
      countsBySeverity: SEVERITIES.map((s) => ({ severity: s, count: bySev.find((r) => r.severity === s)?.count ?? 0 })).filter((r) => r.count > 0),
      top: rows.map((r) => ({
        id: r.id,
        severity: r.severity,
        at: r.at,
        link: deepLink(linkBase, 'exception', String(r.id)),
        title: `${r.reasons ? `${r.reasons} — ` : ''}${r.type.replace(/_/g, ' ')}${withAmount ? ` ${money(r.cents)}` : ''}${r.register ? ` on register ${r.register}` : ''}`,
      })),
    };
  }
  // Storm digests restate alerts that are already counted one by one.
  const where = "FROM alert WHERE created_at > ? AND created_at <= ? AND source <> 'summary' AND (dedupe_key IS NULL OR dedupe_key NOT LIKE 'storm:%')";
  const byType = db.prepare(`SELECT coalesce(type, source) AS type, count(*) AS count ${where} GROUP BY 1 ORDER BY count DESC, 1`).all(since, until) as {
    type: string;
    count: number;
  }[];
  const bySev = db.prepare(`SELECT severity, count(*) AS count ${where} GROUP BY severity`).all(since, until) as { severity: Severity; count: number }[];
  const rows = db.prepare(`SELECT id, severity, title, created_at AS at, link ${where} ORDER BY ${RANK_SQL} DESC, id DESC LIMIT 5`).all(since, until) as {
    id: number;
    severity: Severity;
    title: string;
    at: number;
    link: string | null;
  }[];
  return {
    basis: 'alerts',
    total: byType.reduce((n, r) => n + r.count, 0),
    countsByType: byType,
    countsBySeverity: SEVERITIES.map((s) => ({ severity: s, count: bySev.find((r) => r.severity === s)?.count ?? 0 })).filter((r) => r.count > 0),
    top: rows.map((r) => ({ id: r.id, severity: r.severity, title: r.title, at: r.at, link: r.link ?? deepLink(linkBase, null, null, r.id) })),
  };
}

export function buildSummary(d: AppDeps, period: Period, until: number): Omit<Summary, 'alertId'> {
  const since = until - (period === 'daily' ? 1 : 7) * 24 * 60 * 60_000;
  const { linkBase } = alertOptions(d);
  const ctx = renderContext(d.db);
  const f = figures(d, since, until, linkBase);
  const noun = f.basis === 'exceptions' ? 'exception' : 'alert';
  const plural = (n: number) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const label = period === 'daily' ? 'Daily summary' : 'Weekly report';
  const day = DateTime.fromMillis(until, { zone: ctx.zone }).toFormat('ccc d LLL yyyy');
  const text = [
    `${label} for ${ctx.storeName} — ${day}`,
    `${plural(f.total)} in the last ${period === 'daily' ? '24 hours' : '7 days'}.`,
    ...(f.countsByType.length ? ['', 'By type:', ...f.countsByType.map((r) => `  ${r.type.replace(/_/g, ' ')}: ${r.count}`)] : []),
    ...(f.countsBySeverity.length ? ['', `By severity: ${f.countsBySeverity.map((r) => `${r.severity} ${r.count}`).join(', ')}`] : []),
    ...(f.top.length
      ? ['', `Top ${noun}s:`, ...f.top.map((t, i) => `  ${i + 1}. [${t.severity}] ${t.title} — ${fmtLocal(t.at, ctx.zone)} — ${t.link}`)]
      : []),
    '',
    `Review all: ${linkBase}/#/review`,
  ].join('\n');
  return { period, since, until, ...f, title: `${label}: ${plural(f.total)}`, text };
}

/** Builds the summary and, when asked, sends it through the outbox to contacts who take summaries. */
export function sendSummary(d: AppDeps, period: Period, until: number, actor: Actor, dedupeKey?: string): Summary {
  const s = buildSummary(d, period, until);
  const { linkBase } = alertOptions(d);
  const { id } = raiseAlert(d, { source: 'summary', severity: 'low', title: s.title, body: s.text, link: `${linkBase}/#/review`, dedupeKey }, actor);
  return { ...s, alertId: id };
}

const DOW: Record<string, string> = { mon: 'MON', tue: 'TUE', wed: 'WED', thu: 'THU', fri: 'FRI', sat: 'SAT', sun: 'SUN' };

/**
 * Fires the daily summary at summary.time and the weekly report on summary.weeklyDay, in the store's
 * time zone. Croner works out the next occurrence (DST included); the check runs on the delivery
 * worker's tick against the core's clock, so a test clock can move it. Each occurrence has a dedupe
 * key (period + local date), so two processes on one data folder send it once.
 */
export class SummaryScheduler {
  private next: Partial<Record<Period, { key: string; at: number }>> = {};

  constructor(
    private readonly d: AppDeps,
    private readonly actor: Actor,
    private readonly onSent: () => void,
  ) {}

  private pattern(period: Period): { key: string; cron: Cron } | null {
    const time = readSetting<string>(this.d.db, this.d.secrets, 'summary.time');
    if (!time) return null;
    const zone = renderContext(this.d.db).zone;
    const [h, m] = time.split(':').map(Number);
    const day = period === 'weekly' ? (DOW[readSetting<string>(this.d.db, this.d.secrets, 'summary.weeklyDay') ?? 'mon'] ?? 'MON') : '*';
    const expr = `${m} ${h} * * ${day}`;
    return { key: `${expr}|${zone}`, cron: new Cron(expr, { timezone: zone, paused: true }) };
  }

  check(): void {
    const now = this.d.clock.now();
    for (const period of ['daily', 'weekly'] as const) {
      const p = this.pattern(period);
      if (!p) {
        delete this.next[period];
        continue;
      }
      let n = this.next[period];
      if (!n || n.key !== p.key) {
        n = { key: p.key, at: p.cron.nextRun(new Date(now))?.getTime() ?? Infinity };
        this.next[period] = n;
      }
      if (now >= n.at) {
        const zone = renderContext(this.d.db).zone;
        const localDate = DateTime.fromMillis(n.at, { zone }).toISODate();
        sendSummary(this.d, period, n.at, this.actor, `summary:${period}:${localDate}`);
        this.d.logger.info('alerts: summary queued', { period, date: localDate });
        this.next[period] = { key: p.key, at: p.cron.nextRun(new Date(now))?.getTime() ?? Infinity };
        this.onSent();
      }
    }
  }
}
