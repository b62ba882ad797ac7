import type { z } from 'zod';
import type { RaiseInput } from '../../contract/commands/alerts.js';
import type { Severity } from '../../contract/commands/rules.js';
import type { AppDeps } from '../app.js';
import type { Actor } from '../context.js';
import { alertOptions, webhookConfig, type AlertOptions } from './config.js';
import { isTopSeverity, pluralLabel, severityRank } from './policy.js';
import { getAlertRow, refreshAlertStatus, type AlertRow, type ContactRow } from './records.js';
import { stmt } from '../db/statements.js';

export type RaiseParsed = z.output<typeof RaiseInput>;

/** Deep link into the station UI (hash routes work in Electron and in the browser). */
export function deepLink(linkBase: string, entity: string | null | undefined, entityId: string | null | undefined, alertId?: number): string {
  if (entity === 'exception' && entityId) return `${linkBase}/#/review/exceptions/${entityId}`;
  if (entity && entityId) return `${linkBase}/#/${entity}s/${entityId}`;
  return `${linkBase}/#/monitor${alertId ? `/alerts/${alertId}` : ''}`;
}

interface Recipient {
  channel: 'email' | 'sms' | 'webhook' | 'desktop';
  target: string;
  contactId: number | null;
  address: string;
}

/** Who gets an alert: contacts whose sources and severities match, the chat webhook, the desktop. */
function recipients(d: AppDeps, a: { source: string; severity: Severity }, opts: AlertOptions): Recipient[] {
  const out: Recipient[] = [];
  const contacts = stmt(d.db, 'SELECT * FROM contact WHERE enabled = 1 ORDER BY id').all() as ContactRow[];
  for (const c of contacts) {
    const sources = JSON.parse(c.sources) as string[];
    const severities = JSON.parse(c.severities) as string[];
    if (!sources.includes(a.source)) continue;
    // A summary is not an incident: whoever takes summaries gets it whatever its severity.
    if (a.source !== 'summary' && !severities.includes(a.severity)) continue;
    for (const ch of JSON.parse(c.channels) as ('email' | 'sms')[]) {
      const address = ch === 'email' ? c.email : c.phone;
      if (address) out.push({ channel: ch, target: `contact:${c.id}`, contactId: c.id, address });
    }
  }
  if (webhookConfig(d)) out.push({ channel: 'webhook', target: 'store', contactId: null, address: '' });
  if (opts.desktop && a.source !== 'summary') out.push({ channel: 'desktop', target: 'store', contactId: null, address: '' });
  return out;
}

export interface RaiseResult {
  id: number;
  created: boolean;
}

/**
 * Writes the alert and its deliveries in one transaction (joining the caller's, if any), so the
 * outbox holds every message before anything is sent. Bursts of one type on one register within
 * the storm window are held and later go out as one digest; the first of a burst goes at once.
 */
export function raiseAlert(d: AppDeps, input: RaiseParsed, actor: Actor, o: { noStorm?: boolean } = {}): RaiseResult {
  const { db, clock } = d;
  return db.transaction((): RaiseResult => {
    if (input.dedupeKey) {
      const existing = stmt(db, 'SELECT id FROM alert WHERE dedupe_key = ?').get(input.dedupeKey) as { id: number } | undefined;
      if (existing) return { id: existing.id, created: false };
    }
    const now = clock.now();
    const opts = alertOptions(d);
    const groupKey =
      !o.noStorm && input.type && opts.stormWindowMs > 0 && !isTopSeverity(input.severity) && input.source !== 'summary'
        ? `${input.source}:${input.type}:${input.register ?? '-'}`
        : null;
    const storm = groupKey
      ? (stmt(db, 'SELECT id FROM alert_storm WHERE closed = 0 AND group_key = ? AND window_end > ? ORDER BY id DESC LIMIT 1').get(groupKey, now) as
          | { id: number }
          | undefined)
      : undefined;

    const id = Number(
      stmt(db, 
          `INSERT INTO alert (source, type, severity, title, body, link, register, entity, entity_id, thumbnail_path, dedupe_key, storm_id, status, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.source,
          input.type ?? null,
          input.severity,
          input.title,
          input.body,
          input.link ?? null,
          input.register ?? null,
          input.entity ?? null,
          input.entityId ?? null,
          input.thumbnailPath ?? null,
          input.dedupeKey ?? null,
          storm?.id ?? null,
          storm ? 'aggregated' : 'none',
          now,
        ).lastInsertRowid,
    );
    if (!input.link) stmt(db, 'UPDATE alert SET link = ? WHERE id = ?').run(deepLink(opts.linkBase, input.entity, input.entityId, id), id);

    if (storm) {
      stmt(db, 'UPDATE alert_storm SET count = count + 1 WHERE id = ?').run(storm.id);
    } else {
      if (groupKey) {
        const stormId = Number(
          stmt(db, 'INSERT INTO alert_storm (group_key, window_start, window_end, count, first_alert_id) VALUES (?, ?, ?, 1, ?)')
            .run(groupKey, now, now + opts.stormWindowMs, id).lastInsertRowid,
        );
        stmt(db, 'UPDATE alert SET storm_id = ? WHERE id = ?').run(stormId, id);
      }
      const ins = stmt(db, 
        "INSERT INTO alert_delivery (alert_id, channel, target, contact_id, address, state, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
      );
      for (const r of recipients(d, input, opts)) ins.run(id, r.channel, r.target, r.contactId, r.address, now, now);
      refreshAlertStatus(db, id);
    }
    d.audit(actor, { action: 'alert.raise', entity: 'alert', entityId: id, details: { source: input.source, type: input.type ?? null, severity: input.severity, stormId: storm?.id ?? null } });
    d.events.emit('alert.updated', { id, status: getAlertRow(db, id)!.status });
    return { id, created: true };
  })();
}

const registerLabel = (r: string) => (/^\d+$/.test(r) ? `Register ${r}` : r);

/**
 * Closes storm windows that have ended. A window that held more than its first alert becomes one
 * digest alert ("7 no-sales on Register 2 in 10 minutes"); the digest's dedupe key makes closing
 * safe to repeat after a crash.
 */
export function closeStorms(d: AppDeps, actor: Actor): number[] {
  const { db, clock } = d;
  const now = clock.now();
  const due = stmt(db, 'SELECT * FROM alert_storm WHERE closed = 0 AND window_end <= ? ORDER BY id').all(now) as {
    id: number;
    group_key: string;
    window_start: number;
    window_end: number;
    count: number;
    first_alert_id: number;
  }[];
  const digests: number[] = [];
  for (const s of due) {
    db.transaction(() => {
      let digestId: number | null = null;
      if (s.count > 1) {
        const members = stmt(db, 'SELECT * FROM alert WHERE storm_id = ? ORDER BY id').all(s.id) as AlertRow[];
        const first = members[0]!;
        const top = members.reduce<Severity>((m, a) => (severityRank(a.severity) > severityRank(m) ? a.severity : m), 'low');
        const minutes = Math.round((s.window_end - s.window_start) / 60_000);
        const where = first.register ? ` on ${registerLabel(first.register)}` : '';
        const title = `${s.count} ${pluralLabel(first.type ?? 'alert', s.count)}${where} in ${minutes} minutes`;
        const body = [
          `The first was sent on its own; ${s.count - 1} more were held to avoid a flood of messages:`,
          ...members.slice(1).map((a) => `• ${new Date(a.created_at).toISOString()} — ${a.title}${a.link ? ` (${a.link})` : ''}`),
        ].join('\n');
        digestId = raiseAlert(
          d,
          { source: first.source, type: first.type ?? undefined, severity: top, title, body, register: first.register ?? undefined, dedupeKey: `storm:${s.id}` },
          actor,
          { noStorm: true },
        ).id;
        digests.push(digestId);
      }
      stmt(db, 'UPDATE alert_storm SET closed = 1, digest_alert_id = ? WHERE id = ?').run(digestId, s.id);
    })();
  }
  return digests;
}

