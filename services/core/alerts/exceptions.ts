import { z } from 'zod';
import { Severity } from '../../contract/commands/rules.js';
import type { AppDeps } from '../app.js';
import type { Actor } from '../context.js';
import { alertOptions, exceptionGate } from './config.js';
import { atLeast, severityRank } from './policy.js';
import { raiseAlert } from './raise.js';
import { renderContext } from './templates.js';
import { stmt } from '../db/statements.js';

/**
 * What the alerts domain needs from `exception.flagged`: an id and a severity. The POS/rules domain
 * sends {id, transactionId, severity, ruleIds, startedAt} and the rest is read from its exception
 * table; any other source may send the generic {id, severity, title, body?, register?, type?}.
 */
export const FlaggedPayload = z.object({
  id: z.number().int().positive(),
  severity: Severity,
  title: z.string().max(200).optional(),
  body: z.string().max(4000).optional(),
  type: z.string().max(40).optional(),
  register: z.string().max(40).optional(),
  registerId: z.number().int().nullable().optional(),
  /** When the flagged transaction happened; older than alerts.maxAgeHours goes into a backlog alert. */
  startedAt: z.number().int().optional(),
});

const money = (cents: number) => `$${(Math.abs(cents) / 100).toFixed(2)}`;

function describe(d: AppDeps, p: z.infer<typeof FlaggedPayload>) {
  const { db } = d;
  const exists = stmt(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'exception'").get();
  const row = exists
    ? (stmt(db, 
          `SELECT e.type, e.amount_cents AS cents, (SELECT code FROM register r WHERE r.id = e.register_id) AS register
           FROM exception e WHERE e.id = ?`,
        )
        .get(p.id) as { type: string; cents: number; register: string | null } | undefined)
    : undefined;
  const reasons = exists
    ? (stmt(db, 
          "SELECT rule_name AS name, detail FROM exception_reason WHERE exception_id = ? ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, rule_id",
        )
        .all(p.id) as { name: string; detail: string }[])
    : [];
  const registerById = p.registerId ? (stmt(db, 'SELECT code FROM register WHERE id = ?').get(p.registerId) as { code: string } | undefined)?.code : undefined;
  const type = p.type ?? row?.type;
  const register = p.register ?? row?.register ?? registerById ?? undefined;
  const what = type ? type.replace(/_/g, ' ') : 'exception';
  const title =
    p.title ??
    [reasons[0]?.name ?? `Exception #${p.id}`, `${what}${row ? ` ${money(row.cents)}` : ''}${register ? ` on register ${register}` : ''}`].join(' — ');
  const body = p.body ?? reasons.map((r) => `${r.name}: ${r.detail}`).join('\n');
  return { type, register, title: title.slice(0, 200), body };
}

/**
 * The rules domain emits after its transaction commits, so a crash in between would flag an
 * exception without an alert. On start, recent exceptions (last hour) with no alert get one, unless
 * their transaction is older than alerts.maxAgeHours (those were summed up, or are now too old).
 */
export function catchUpExceptions(d: AppDeps, handler: (name: string, payload: unknown) => void): number {
  if (!stmt(d.db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'exception'").get()) return 0;
  const now = d.clock.now();
  const missed = stmt(
    d.db,
    "SELECT id, severity, started_at AS startedAt FROM exception e WHERE created_at >= ? AND started_at >= ? AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.dedupe_key = 'exception:' || e.id) ORDER BY id",
  ).all(now - 60 * 60_000, now - exceptionGate(d).maxAgeMs) as { id: number; severity: string; startedAt: number }[];
  for (const m of missed) handler('exception.flagged', m);
  return missed.length;
}

/** Exceptions on old transactions seen in one burst of events, waiting to become one alert. */
interface Backlog {
  count: number;
  bySeverity: Map<Severity, number>;
  from: number;
  to: number;
  firstId: number;
  lastId: number;
}

const day = (ms: number, tz: string) => new Date(ms).toLocaleDateString('en-US', { timeZone: tz, month: 'short', day: 'numeric', year: 'numeric' });

function backlogAlert(d: AppDeps, b: Backlog, actor: Actor, timezone: string) {
  const sevs = [...b.bySeverity].sort((x, y) => severityRank(y[0]) - severityRank(x[0]));
  const top = sevs[0]![0];
  const span = day(b.from, timezone) === day(b.to, timezone) ? day(b.from, timezone) : `${day(b.from, timezone)} – ${day(b.to, timezone)}`;
  raiseAlert(
    d,
    {
      source: 'exception',
      severity: top,
      title: `${b.count.toLocaleString('en-US')} exception${b.count === 1 ? '' : 's'} found in past transactions (${span})`,
      body:
        `By severity: ${sevs.map(([s, n]) => `${n.toLocaleString('en-US')} ${s}`).join(', ')}. ` +
        'These transactions are older than the alert window, so they are summed up here instead of one alert each. Open Review to go through them.',
      link: `${alertOptions(d).linkBase}/#/review`,
      dedupeKey: `exception-backlog:${b.firstId}-${b.lastId}`,
    },
    actor,
    { noStorm: true },
  );
}

/**
 * Subscribes to new exceptions on the core's bus and raises an alert for each one at or above
 * alerts.minSeverity. An exception on a transaction older than alerts.maxAgeHours (a report of past
 * days imported at once, perhaps months of them) would flood every channel with news no one can act
 * on; those of one burst are counted and raised as a single alert once the burst is over (or when
 * the station stops first: `flush`).
 */
export function onExceptionFlagged(d: AppDeps, actor: Actor, kick: () => void): { listener: (name: string, payload: unknown) => void; flush(): void } {
  let backlog: Backlog | null = null;
  const flush = () => {
    const b = backlog;
    backlog = null;
    if (!b) return;
    try {
      backlogAlert(d, b, actor, renderContext(d.db).zone);
      kick();
    } catch (err) {
      d.logger.error('alerts: could not raise the alert for past exceptions', { count: b.count, error: (err as Error).message });
    }
  };
  const listener = (name: string, payload: unknown) => {
    if (name !== 'exception.flagged') return;
    const parsed = FlaggedPayload.safeParse(payload);
    if (!parsed.success) {
      d.logger.warn('alerts: exception.flagged payload not understood', { issue: parsed.error.issues[0]?.message });
      return;
    }
    const p = parsed.data;
    const opts = exceptionGate(d);
    if (!atLeast(p.severity, opts.minSeverity)) return;
    if (p.startedAt !== undefined && p.startedAt < d.clock.now() - opts.maxAgeMs) {
      if (!backlog) {
        backlog = { count: 0, bySeverity: new Map(), from: p.startedAt, to: p.startedAt, firstId: p.id, lastId: p.id };
        setImmediate(flush);
      }
      backlog.count++;
      backlog.bySeverity.set(p.severity, (backlog.bySeverity.get(p.severity) ?? 0) + 1);
      backlog.from = Math.min(backlog.from, p.startedAt);
      backlog.to = Math.max(backlog.to, p.startedAt);
      backlog.firstId = Math.min(backlog.firstId, p.id);
      backlog.lastId = Math.max(backlog.lastId, p.id);
      return;
    }
    try {
      const x = describe(d, p);
      // Raised inside the emitter's transaction when it emits from one, so exception and alert commit together.
      raiseAlert(
        d,
        { source: 'exception', severity: p.severity, title: x.title, body: x.body, type: x.type, register: x.register, entity: 'exception', entityId: String(p.id), dedupeKey: `exception:${p.id}` },
        actor,
      );
      kick();
    } catch (err) {
      d.logger.error('alerts: could not raise an alert for an exception', { exceptionId: p.id, error: (err as Error).message });
    }
  };
  return { listener, flush };
}
