import { hostname } from 'node:os';
import { PennyError } from '../../contract/errors.js';
import { NetworkNoticeResponse, NetworkPairResponse, NetworkLedger } from '../../contract/network.js';
import type { OutputOf } from '../../contract/index.js';
import type { AppDeps, DomainApp } from '../app.js';
import { readSetting } from '../settings/app.js';
import { NetFailure, backoffMs, netCall, type NetClientOptions } from './http.js';
import { enqueueAll, enqueueCase, pendingCount, statusCounts, type OutboxRow, type UploadRow } from './outbox.js';
import { connection, getPairing, setConnection, type PairingRow } from './pairing.js';
import { expireWatchlist, pullAlerts, pullDecisions, pullLedger, pullWatchlist } from './pull.js';
import { PermanentFailure, pushEntry } from './push.js';

type RunResult = OutputOf<'sync.run'>;
type Status = OutputOf<'sync.status'>;

export interface SyncOptions {
  /** In-run retries of one request (cut, reset, 5xx) before the entry waits for a later run. */
  retry?: { tries: number; baseMs: number; capMs: number };
  /** Backoff between runs for an entry whose requests kept failing. */
  entryBackoff?: { baseMs: number; capMs: number };
  requestTimeoutMs?: number;
}

const SYNC_ACTOR = { kind: 'system', name: 'sync', role: 'admin' } as const;

function describe(row: PairingRow | undefined): { connection: Status['connection']; message: string } {
  if (!row) return { connection: 'unpaired', message: 'Not paired with a Penny Network. An admin pairs the station in Settings → Network.' };
  if (row.connection === 'revoked') return { connection: 'revoked', message: `The network no longer accepts this station (${row.last_error ?? 'key revoked'}). Pair it again with a new code.` };
  if (row.connection === 'offline') return { connection: 'offline', message: `Offline: the network at ${row.url} cannot be reached. Cases wait here and go out when it is back.` };
  if (row.connection === 'online') return { connection: 'online', message: `Connected to ${row.url}.` };
  return { connection: 'unknown', message: `Paired with ${row.url}; not synced yet.` };
}

export function createSyncApp(d: AppDeps, opts: SyncOptions = {}): DomainApp {
  const retryCfg = opts.retry ?? { tries: 5, baseMs: 200, capMs: 3000 };
  const entryBackoff = opts.entryBackoff ?? { baseMs: 5_000, capMs: 10 * 60_000 };
  let stopped = false;
  let running = false;
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let kick: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  const retry = { ...retryCfg, stopped: () => stopped };
  const setting = (key: string, dflt: number) => {
    const v = Number(readSetting(d.db, d.secrets, key));
    return Number.isFinite(v) && v > 0 ? v : dflt;
  };

  function status(): Status {
    const row = getPairing(d);
    const cursors: Record<string, number> = {};
    for (const r of d.db.prepare('SELECT feed, cursor FROM sync_cursor').all() as { feed: string; cursor: number }[]) cursors[r.feed] = r.cursor;
    return {
      paired: !!row,
      url: row?.url ?? null,
      stationId: row?.station_id ?? null,
      storeId: row?.store_id ?? null,
      regionId: row?.region_id ?? null,
      ...describe(row),
      lastPushAt: row?.last_push_at ?? null,
      lastPullAt: row?.last_pull_at ?? null,
      lastError: row?.last_error ?? null,
      pending: pendingCount(d.db),
      counts: statusCounts(d.db),
      cursors,
      running,
    };
  }

  const emitStatus = () => {
    const s = status();
    d.events.emit('sync.statusChanged', { connection: s.connection, pending: s.pending });
  };

  /** Maps a failure onto the connection state; true when the run should stop talking to the network. */
  function noteFailure(err: unknown): boolean {
    if (err instanceof NetFailure && err.kind === 'auth') {
      setConnection(d, 'revoked', /revoked/i.test(err.message) ? 'station key was revoked on the network' : `network refused this station: ${err.message}`);
      return true;
    }
    if (err instanceof NetFailure && err.retryable) {
      setConnection(d, 'offline', err.message);
      return true;
    }
    return false;
  }

  async function push(c: NetClientOptions, out: RunResult, force: boolean) {
    const now = d.clock.now();
    const due = d.db
      .prepare(`SELECT * FROM sync_outbox WHERE status IN ('queued', 'sending') ${force ? '' : 'AND next_attempt_at <= ?'} ORDER BY id`)
      .all(...(force ? [] : [now])) as OutboxRow[];
    const chunkBytes = setting('sync.chunkKb', 1024) * 1024;
    let done = 0;
    for (const e of due) {
      if (stopped) break;
      d.db.prepare("UPDATE sync_outbox SET status = 'sending', updated_at = ? WHERE id = ?").run(d.clock.now(), e.id);
      try {
        await pushEntry(d, e, { client: c, chunkBytes, retry, onBytes: (b, t) => d.events.emit('sync.progress', { phase: 'upload', done: b, total: t, caseId: e.case_id }) });
        d.db.transaction(() => {
          d.db.prepare("UPDATE sync_outbox SET status = 'sent', sent_at = ?, last_error = NULL, updated_at = ? WHERE id = ?").run(d.clock.now(), d.clock.now(), e.id);
          d.audit(SYNC_ACTOR, { action: 'sync.sent', entity: 'case', entityId: e.case_id, details: { outboxId: e.id, networkCaseId: (d.db.prepare('SELECT network_case_id FROM sync_outbox WHERE id = ?').get(e.id) as { network_case_id: string }).network_case_id } });
        })();
        out.pushed++;
        d.db.prepare('UPDATE sync_pairing SET last_push_at = ?, connection = ? WHERE id = 1').run(d.clock.now(), 'online');
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (err instanceof PermanentFailure) {
          d.db.prepare("UPDATE sync_outbox SET status = 'failed', last_error = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?").run(msg, d.clock.now(), e.id);
          d.logger.error('sync: case not sent', { caseId: e.case_id, outboxId: e.id, error: msg });
          out.failed++;
          out.errors.push(msg);
          continue;
        }
        const wait = backoffMs(e.attempts, entryBackoff.baseMs, entryBackoff.capMs);
        d.db.prepare("UPDATE sync_outbox SET status = 'queued', last_error = ?, attempts = attempts + 1, next_attempt_at = ?, updated_at = ? WHERE id = ?").run(msg, d.clock.now() + wait, d.clock.now(), e.id);
        d.logger.warn('sync: case will be retried', { caseId: e.case_id, outboxId: e.id, retryInMs: wait, error: msg });
        out.errors.push(`case ${e.case_id}: ${msg}`);
        if (noteFailure(err) || !(err instanceof NetFailure)) break;
      }
      d.events.emit('sync.progress', { phase: 'push', done: ++done, total: due.length });
    }
  }

  async function pull(c: NetClientOptions, out: RunResult) {
    out.pulled.watchlistChanges = await pullWatchlist(d, c, retry);
    out.pulled.alerts = await pullAlerts(d, c, retry);
    out.pulled.decisions = await pullDecisions(d, c, retry);
    out.pulled.ledger = await pullLedger(d, c, retry);
    d.db.prepare("UPDATE sync_pairing SET last_pull_at = ?, connection = 'online', last_error = NULL WHERE id = 1").run(d.clock.now());
  }

  async function runOnce(wantPush: boolean, wantPull: boolean, force: boolean): Promise<RunResult> {
    const out: RunResult = { pushed: 0, failed: 0, errors: [], pulled: { watchlistChanges: 0, alerts: 0, decisions: 0, ledger: false }, pending: 0, connection: 'unpaired' };
    enqueueAll(d, false);
    expireWatchlist(d);
    const conn = connection(d);
    if (!conn) {
      out.errors.push(describe(undefined).message);
    } else {
      const c: NetClientOptions = { url: conn.url, apiKey: conn.apiKey, fetch: d.fetch, timeoutMs: opts.requestTimeoutMs ?? 30_000 };
      running = true;
      emitStatus();
      try {
        if (wantPush) await push(c, out, force);
        const row = getPairing(d)!;
        if (wantPull && row.connection !== 'revoked' && (row.connection !== 'offline' || !wantPush)) {
          try {
            await pull(c, out);
          } catch (err) {
            if (!noteFailure(err)) throw err;
            out.errors.push(err instanceof Error ? err.message : String(err));
          }
        }
      } finally {
        running = false;
      }
    }
    const s = status();
    out.pending = s.pending;
    out.connection = s.connection;
    emitStatus();
    return out;
  }

  /** Runs are serialised: a manual "Sync now" waits for the scheduled run in progress, then runs. */
  function run(wantPush: boolean, wantPull: boolean, force: boolean): Promise<RunResult> {
    const next = chain.then(() => runOnce(wantPush, wantPull, force));
    chain = next.catch(() => undefined);
    return next;
  }

  function schedule() {
    if (stopped) return;
    const ms = setting('sync.intervalSeconds', 60) * 1000;
    timer = setTimeout(() => {
      if (getPairing(d)) void run(true, true, false).catch((err) => d.logger.error('sync: scheduled run failed', { error: (err as Error).message }));
      void chain.then(schedule);
    }, ms);
    timer.unref?.();
  }

  function soon() {
    if (stopped || kick) return;
    kick = setTimeout(() => {
      kick = undefined;
      if (getPairing(d)) void run(true, false, false).catch(() => undefined);
    }, 50);
    kick.unref?.();
  }

  return {
    start() {
      enqueueAll(d, true);
      unsubscribe = d.events.subscribe((name, payload) => {
        if (stopped) return;
        const p = (payload ?? {}) as { caseId?: unknown; id?: unknown };
        const id = name === 'case.confirmed' || name === 'case.updated' ? p.id : name === 'note.added' ? p.caseId : undefined;
        if (typeof id !== 'number') return;
        try {
          if (enqueueCase(d, id) !== null) {
            emitStatus();
            soon();
          }
        } catch (err) {
          // The entry is made on the next start or run; the case itself is safe in its own table.
          d.logger.error('sync: enqueue failed', { caseId: id, error: (err as Error).message });
        }
      });
      schedule();
      if (getPairing(d) && pendingCount(d.db) > 0) soon();
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      if (kick) clearTimeout(kick);
      await chain;
    },
    handlers: {
      'sync.status': () => status(),
      'sync.pair': async (input, ctx) => {
        let r;
        try {
          r = await netCall({ url: input.url, fetch: d.fetch, timeoutMs: 20_000 }, { method: 'POST', path: '/v1/pair', json: { code: input.code, stationName: input.stationName ?? `Penny Station ${hostname()}`.slice(0, 120) } }, NetworkPairResponse);
        } catch (err) {
          if (err instanceof NetFailure && (err.kind === 'auth' || err.kind === 'client')) throw new PennyError('invalid_input', `the network refused the pairing code: ${err.message}`, { field: 'code' });
          if (err instanceof NetFailure) throw new PennyError('unavailable', `cannot reach the network at ${input.url}: ${err.message}`, { field: 'url' });
          throw err;
        }
        const now = d.clock.now();
        d.db.transaction(() => {
          d.db.prepare('DELETE FROM sync_pairing').run();
          d.db
            .prepare("INSERT INTO sync_pairing (id, url, station_id, store_id, region_id, api_key_sealed, paired_at, connection) VALUES (1, ?, ?, ?, ?, ?, ?, 'online')")
            .run(input.url.replace(/\/$/, ''), r.stationId, r.storeId, r.regionId, d.secrets.seal(r.apiKey), now);
          // A new pairing may be another store or region: the feeds start over.
          d.db.prepare('DELETE FROM sync_cursor').run();
          d.db.prepare('DELETE FROM sync_watch_subject').run();
          d.audit(ctx.actor, { action: 'sync.pair', entity: 'network_station', entityId: r.stationId, details: { storeId: r.storeId, regionId: r.regionId } });
        })();
        emitStatus();
        soon();
        return status();
      },
      'sync.unpair': (_input, ctx) => {
        d.db.transaction(() => {
          d.db.prepare('DELETE FROM sync_pairing').run();
          d.audit(ctx.actor, { action: 'sync.unpair', entity: 'network_station' });
        })();
        emitStatus();
        return { ok: true as const };
      },
      'sync.run': async (input) => {
        const both = input.push === undefined && input.pull === undefined;
        if (!getPairing(d)) throw new PennyError('unavailable', describe(undefined).message);
        return run(both || !!input.push, both || !!input.pull, true);
      },
      'sync.outbox': (input) => {
        const rows = d.db
          .prepare(`SELECT * FROM sync_outbox ${input.status ? 'WHERE status = ?' : ''} ORDER BY id DESC LIMIT ?`)
          .all(...(input.status ? [input.status, input.limit] : [input.limit])) as OutboxRow[];
        const up = d.db.prepare('SELECT * FROM sync_upload WHERE outbox_id = ? ORDER BY position');
        return rows.map((r) => ({
          id: r.id,
          caseId: r.case_id,
          revision: r.revision,
          status: r.status,
          networkCaseId: r.network_case_id,
          attempts: r.attempts,
          lastError: r.last_error,
          decisionReason: r.decision_reason,
          evidence: (up.all(r.id) as UploadRow[]).map((u) => ({ name: u.name, size: u.size, sentBytes: u.sent_bytes, complete: u.complete === 1 })),
          createdAt: r.created_at,
          sentAt: r.sent_at,
          decidedAt: r.decided_at,
        }));
      },
      'sync.network': () => ({
        offenders: (
          d.db
            .prepare('SELECT s.offender_id, s.expires_at, s.updated_at, (SELECT COUNT(*) FROM sync_watch_template t WHERE t.offender_id = s.offender_id) AS n FROM sync_watch_subject s ORDER BY s.updated_at DESC')
            .all() as { offender_id: string; expires_at: number | null; updated_at: number; n: number }[]
        ).map((r) => ({ offenderId: r.offender_id, expiresAt: r.expires_at, templates: r.n, updatedAt: r.updated_at })),
        alerts: (d.db.prepare('SELECT * FROM sync_network_alert ORDER BY seq DESC LIMIT 200').all() as { seq: number; offender_id: string; kind: string; message: string; created_at: number; local_alert_id: number | null }[]).map((a) => ({
          seq: a.seq,
          offenderId: a.offender_id,
          kind: a.kind,
          message: a.message,
          createdAt: a.created_at,
          alertId: a.local_alert_id,
        })),
      }),
      'sync.recovery': () => {
        const row = d.db.prepare('SELECT body, fetched_at FROM sync_ledger WHERE id = 1').get() as { body: string; fetched_at: number } | undefined;
        const l = row ? NetworkLedger.parse(JSON.parse(row.body)) : undefined;
        const notices = d.db.prepare('SELECT * FROM sync_notice ORDER BY created_at DESC').all() as { notice_id: string; network_case_id: string; case_id: number | null; url: string; expires_at: number; created_at: number }[];
        const approved = d.db.prepare("SELECT case_id, network_case_id, intake FROM sync_outbox WHERE status = 'accepted' ORDER BY decided_at DESC").all() as { case_id: number; network_case_id: string; intake: string }[];
        return {
          fetchedAt: row?.fetched_at ?? null,
          totals: l?.totals ?? { grossCents: 0, storeShareCents: 0, networkShareCents: 0 },
          entries: (l?.entries ?? []).map((e) => ({ id: e.id, caseId: e.caseId, grossCents: e.grossCents, storeShareCents: e.storeShareCents, networkShareCents: e.networkShareCents, createdAt: e.createdAt })),
          debts: (l?.debts ?? []).filter((x) => x.status === 'open' || x.status === 'disputed'),
          notices: notices.map((n) => ({ noticeId: n.notice_id, networkCaseId: n.network_case_id, caseId: n.case_id, url: n.url, expiresAt: n.expires_at, createdAt: n.created_at })),
          approved: approved.map((a) => ({ caseId: a.case_id, networkCaseId: a.network_case_id, amountCents: (JSON.parse(a.intake) as { amountCents?: number }).amountCents ?? null })),
        };
      },
      'sync.notice': async (input, ctx) => {
        const conn = connection(d);
        if (!conn) throw new PennyError('unavailable', describe(undefined).message);
        const e = d.db.prepare("SELECT * FROM sync_outbox WHERE case_id = ? AND status = 'accepted' ORDER BY revision DESC LIMIT 1").get(input.caseId) as OutboxRow | undefined;
        if (!e?.network_case_id) throw new PennyError('conflict', `case ${input.caseId} has not been approved by Penny Ops yet; a notice needs an approved case`, { field: 'caseId' });
        let n;
        try {
          n = await netCall({ url: conn.url, apiKey: conn.apiKey, fetch: d.fetch }, { method: 'POST', path: '/v1/notices', json: { caseId: e.network_case_id } }, NetworkNoticeResponse);
        } catch (err) {
          noteFailure(err);
          if (err instanceof NetFailure && err.kind === 'client') throw new PennyError('conflict', `the network refused a notice for case ${input.caseId}: ${err.message}`);
          if (err instanceof NetFailure) throw new PennyError(err.kind === 'auth' ? 'unauthenticated' : 'unavailable', err.message);
          throw err;
        }
        d.db.transaction(() => {
          d.db.prepare('INSERT INTO sync_notice (notice_id, network_case_id, case_id, url, qr_svg, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(n.noticeId, n.caseId, input.caseId, n.url, n.qrSvg, n.expiresAt, d.clock.now());
          d.audit(ctx.actor, { action: 'sync.notice', entity: 'case', entityId: input.caseId, details: { noticeId: n.noticeId } });
        })();
        // The notice opened a debt: refresh the ledger so Recovery shows it (best effort).
        await pullLedger(d, { url: conn.url, apiKey: conn.apiKey, fetch: d.fetch }, { tries: 1, baseMs: 0, capMs: 0, stopped: () => stopped }).catch(() => undefined);
        return { noticeId: n.noticeId, networkCaseId: n.caseId, url: n.url, expiresAt: n.expiresAt, qrSvg: n.qrSvg };
      },
    },
  };
}
