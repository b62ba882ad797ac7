import { NetworkAlertsPage, NetworkCaseStatus, NetworkLedger, NetworkWatchlistPage } from '../../contract/network.js';
import type { AppDeps } from '../app.js';
import { raiseAlert } from '../alerts/raise.js';
import { netCall, withRetry, type NetClientOptions } from './http.js';
import type { OutboxRow } from './outbox.js';
import { cursor, setCursor } from './pairing.js';

type Retry = { tries: number; baseMs: number; capMs: number; stopped: () => boolean };
const SYNC_ACTOR = { kind: 'system', name: 'sync', role: 'admin' } as const;

/** Drops watchlist subjects whose expiry has passed, even while the network is out of reach. */
export function expireWatchlist(d: AppDeps): number {
  return Number(d.db.prepare('DELETE FROM sync_watch_subject WHERE expires_at IS NOT NULL AND expires_at <= ?').run(d.clock.now()).changes);
}

/** Watchlist deltas: each page and its cursor commit together, so a cut repeats at most a page. */
export async function pullWatchlist(d: AppDeps, c: NetClientOptions, retry: Retry): Promise<number> {
  let n = 0;
  for (;;) {
    const from = cursor(d, 'watchlist');
    const page = await withRetry(() => netCall(c, { method: 'GET', path: `/v1/watchlist?cursor=${from}&limit=200` }, NetworkWatchlistPage), retry);
    const now = d.clock.now();
    d.db.transaction(() => {
      const upsert = d.db.prepare('INSERT INTO sync_watch_subject (offender_id, expires_at, updated_at) VALUES (?, ?, ?) ON CONFLICT(offender_id) DO UPDATE SET expires_at = excluded.expires_at, updated_at = excluded.updated_at');
      const delT = d.db.prepare('DELETE FROM sync_watch_template WHERE offender_id = ?');
      const insT = d.db.prepare('INSERT OR REPLACE INTO sync_watch_template (id, offender_id, vector) VALUES (?, ?, ?)');
      const del = d.db.prepare('DELETE FROM sync_watch_subject WHERE offender_id = ?');
      for (const ch of page.changes) {
        if (ch.kind === 'upsert') {
          upsert.run(ch.offenderId, ch.expiresAt, now);
          delT.run(ch.offenderId);
          for (const t of ch.templates) insT.run(t.id, ch.offenderId, Buffer.from(new Float32Array(t.vector).buffer));
        } else {
          del.run(ch.offenderId);
        }
        d.audit(SYNC_ACTOR, { action: `sync.watchlist.${ch.kind}`, entity: 'network_offender', entityId: ch.offenderId, details: { seq: ch.seq } });
      }
      setCursor(d, 'watchlist', page.cursor);
    })();
    n += page.changes.length;
    if (!page.hasMore) break;
  }
  expireWatchlist(d);
  return n;
}

/** Return alerts for the region go into Monitor and the alerts outbox, once per network sequence. */
export async function pullAlerts(d: AppDeps, c: NetClientOptions, retry: Retry): Promise<number> {
  let n = 0;
  for (;;) {
    const from = cursor(d, 'alerts');
    const page = await withRetry(() => netCall(c, { method: 'GET', path: `/v1/alerts?cursor=${from}&limit=200` }, NetworkAlertsPage), retry);
    const fresh: { seq: number; offenderId: string; alertId: number | null }[] = [];
    d.db.transaction(() => {
      const ins = d.db.prepare('INSERT OR IGNORE INTO sync_network_alert (seq, offender_id, kind, message, source_store_id, created_at) VALUES (?, ?, ?, ?, ?, ?)');
      for (const a of page.alerts) {
        if (ins.run(a.seq, a.offenderId, a.kind, a.message, a.sourceStoreId, a.createdAt).changes === 0) continue;
        const r = raiseAlert(
          d,
          {
            source: 'sync',
            type: a.kind === 'returned' ? 'network_return' : 'network_watchlist',
            severity: a.kind === 'returned' ? 'high' : 'medium',
            title: a.kind === 'returned' ? 'Network offender seen again in your region' : 'New network offender for your region',
            body: `${a.message} (network offender ${a.offenderId})`,
            entity: 'network',
            entityId: a.offenderId,
            dedupeKey: `network-alert:${a.seq}`,
          },
          SYNC_ACTOR,
          { noStorm: true },
        );
        d.db.prepare('UPDATE sync_network_alert SET local_alert_id = ? WHERE seq = ?').run(r.id, a.seq);
        fresh.push({ seq: a.seq, offenderId: a.offenderId, alertId: r.id });
      }
      setCursor(d, 'alerts', page.cursor);
    })();
    for (const f of fresh) d.events.emit('sync.networkAlert', f);
    n += page.alerts.length;
    if (!page.hasMore) break;
  }
  return n;
}

/** Ops decisions: the status of every case this station sent and that is not decided yet. */
export async function pullDecisions(d: AppDeps, c: NetClientOptions, retry: Retry): Promise<number> {
  const open = d.db.prepare("SELECT * FROM sync_outbox WHERE status IN ('sent', 'accepted') AND network_case_id IS NOT NULL ORDER BY id").all() as OutboxRow[];
  let n = 0;
  for (const e of open) {
    const s = await withRetry(() => netCall(c, { method: 'GET', path: `/v1/cases/${encodeURIComponent(e.network_case_id!)}/status` }, NetworkCaseStatus), retry);
    const status = s.status === 'approved' ? 'accepted' : s.status === 'rejected' ? 'rejected' : null;
    if (status === e.status && s.debtStatus === (e.debt_status ?? 'none')) continue;
    if (!status && s.debtStatus === (e.debt_status ?? 'none')) continue;
    const now = d.clock.now();
    d.db.transaction(() => {
      d.db
        .prepare('UPDATE sync_outbox SET status = ?, decision_reason = ?, offender_id = ?, debt_status = ?, decided_at = COALESCE(decided_at, ?), updated_at = ? WHERE id = ?')
        .run(status ?? e.status, s.reviewReason, s.offenderId, s.debtStatus, status ? now : null, now, e.id);
      if (status && status !== e.status) d.audit(SYNC_ACTOR, { action: `sync.case.${status}`, entity: 'case', entityId: e.case_id, details: { networkCaseId: e.network_case_id, revision: e.revision } });
    })();
    if (status && status !== e.status) {
      n++;
      d.events.emit('sync.caseDecided', { caseId: e.case_id, status });
    }
  }
  setCursor(d, 'decisions', d.clock.now());
  return n;
}

export async function pullLedger(d: AppDeps, c: NetClientOptions, retry: Retry): Promise<boolean> {
  const l = await withRetry(() => netCall(c, { method: 'GET', path: '/v1/ledger' }, NetworkLedger), retry);
  const now = d.clock.now();
  d.db.transaction(() => {
    d.db.prepare('INSERT INTO sync_ledger (id, body, fetched_at) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at').run(JSON.stringify(l), now);
    setCursor(d, 'ledger', l.entries.length);
  })();
  return true;
}
