import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Channel } from '../../contract/commands/alerts.js';
import type { AppDeps } from '../app.js';
import { alertOptions } from './config.js';
import { sendDelivery, DeliveryError } from './channels/index.js';
import { backoffDelay, isTopSeverity, quietUntil, rateLimitedUntil } from './policy.js';
import { getAlertRow, refreshAlertStatus, type AlertRow, type ContactRow, type DeliveryRow } from './records.js';

const CHANNELS: readonly Channel[] = ['desktop', 'webhook', 'email', 'sms'];

export interface WorkerStats {
  attempted: number;
  sent: number;
  failed: number;
  deferred: number;
}

export interface WorkerOptions {
  /** How often the worker looks for due work when nothing kicks it (real time). */
  pollMs?: number;
  /** A claimed delivery that is not finished by then may be taken over (a hung or vanished sender). */
  leaseMs?: number;
  rand?: () => number;
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Drains the alert_delivery outbox. One lane per channel sends one message at a time, so a slow
 * SMTP server never holds up the chat webhook, and a delivery is marked sent (or scheduled for a
 * retry) before the lane takes the next one. Claims are leases written in SQLite, so several
 * processes on one data folder (the app and a CLI) never send the same row at once, and a row
 * claimed by a process that died is taken over on the next start.
 */
export class DeliveryWorker {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private lanes = new Map<Channel, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private kickQueued = false;
  readonly stats: WorkerStats = { attempted: 0, sent: 0, failed: 0, deferred: 0 };
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly rand: () => number;

  constructor(
    private readonly d: AppDeps,
    private readonly beforeTick: () => void,
    o: WorkerOptions = {},
  ) {
    this.pollMs = o.pollMs ?? 1000;
    this.leaseMs = o.leaseMs ?? 2 * 60_000;
    this.rand = o.rand ?? Math.random;
  }

  start(): void {
    this.reclaimFromDeadProcesses();
    this.schedule(0);
  }

  /** Deliveries left "sending" by a process on this machine that no longer runs go back to pending. */
  reclaimFromDeadProcesses(): number {
    const { db } = this.d;
    const owners = db.prepare("SELECT DISTINCT lease_owner AS o FROM alert_delivery WHERE state = 'sending'").all() as { o: string | null }[];
    let n = 0;
    for (const { o } of owners) {
      const [host, pid] = (o ?? '').split(':');
      if (o && host === hostname() && pid && !pidAlive(Number(pid))) {
        n += db.prepare("UPDATE alert_delivery SET state = 'pending', lease_owner = NULL, lease_until = NULL WHERE state = 'sending' AND lease_owner = ?").run(o).changes;
      }
    }
    if (n) this.d.logger.warn('alerts: took over deliveries of a process that stopped mid-send', { count: n });
    return n;
  }

  /** Look for work now (a new alert, a retry, a settings change). */
  kick(): void {
    if (this.stopping || this.kickQueued) return;
    this.kickQueued = true;
    setImmediate(() => {
      this.kickQueued = false;
      void this.tick();
    });
  }

  private schedule(ms: number) {
    if (this.stopping) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick().finally(() => this.schedule(this.pollMs)), ms);
    this.timer.unref?.();
  }

  private tick(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    try {
      this.beforeTick();
    } catch (err) {
      this.d.logger.error('alerts: scheduled work failed', { error: (err as Error).message });
    }
    return Promise.all(CHANNELS.map((ch) => this.lane(ch))).then(() => undefined);
  }

  /** Runs every due delivery and waits for the lanes to go idle; returns what this call saw happen. */
  async drain(): Promise<WorkerStats> {
    const before = { ...this.stats };
    // Twice: a lane that was busy when called may have claimed its last row just before new work.
    await this.tick();
    await this.tick();
    return {
      attempted: this.stats.attempted - before.attempted,
      sent: this.stats.sent - before.sent,
      failed: this.stats.failed - before.failed,
      deferred: this.stats.deferred - before.deferred,
    };
  }

  private lane(ch: Channel): Promise<void> {
    const running = this.lanes.get(ch);
    if (running) return running;
    const p = (async () => {
      // Yield first, so the lane is registered before its body can finish and unregister it.
      await Promise.resolve();
      try {
        for (;;) {
          if (this.stopping) return;
          const claimed = this.claim(ch);
          if (!claimed) return;
          await this.deliver(claimed.del, claimed.alert);
        }
      } catch (err) {
        if (!this.stopping) this.d.logger.error('alerts: delivery lane failed', { channel: ch, error: (err as Error).message });
      } finally {
        this.lanes.delete(ch);
      }
    })();
    this.lanes.set(ch, p);
    return p;
  }

  /**
   * Takes the next due delivery of a channel under a lease. Quiet hours and the per-contact rate
   * limit move a delivery's next attempt instead of dropping it; the highest severity skips both.
   */
  private claim(ch: Channel): { del: DeliveryRow; alert: AlertRow } | null {
    const { db, clock } = this.d;
    return db.transaction(() => {
      for (;;) {
        const now = clock.now();
        const del = db
          .prepare(
            `SELECT * FROM alert_delivery WHERE channel = ? AND ((state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until <= ?))
             ORDER BY next_attempt_at, id LIMIT 1`,
          )
          .get(ch, now, now) as DeliveryRow | undefined;
        if (!del) return null;
        const alert = getAlertRow(db, del.alert_id)!;
        const holdUntil = this.holdUntil(del, alert, now);
        if (holdUntil !== null) {
          db.prepare("UPDATE alert_delivery SET state = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?").run(holdUntil, del.id);
          this.stats.deferred++;
          continue;
        }
        db.prepare("UPDATE alert_delivery SET state = 'sending', lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?").run(
          this.owner,
          now + this.leaseMs,
          del.id,
        );
        return { del: { ...del, attempts: del.attempts + 1 }, alert };
      }
    })();
  }

  private holdUntil(del: DeliveryRow, alert: AlertRow, now: number): number | null {
    if (del.contact_id === null || isTopSeverity(alert.severity)) return null;
    const { db } = this.d;
    const c = db.prepare('SELECT * FROM contact WHERE id = ?').get(del.contact_id) as ContactRow | undefined;
    if (c) {
      const zone = (db.prepare('SELECT timezone FROM store WHERE id = 1').get() as { timezone: string } | undefined)?.timezone ?? 'UTC';
      const quiet = quietUntil(now, zone, c.quiet_start, c.quiet_end);
      if (quiet !== null) return quiet;
    }
    const sent = (
      db
        .prepare("SELECT sent_at FROM alert_delivery WHERE contact_id = ? AND channel = ? AND state = 'sent' AND sent_at > ? ORDER BY sent_at")
        .all(del.contact_id, del.channel, now - 60 * 60_000) as { sent_at: number }[]
    ).map((r) => r.sent_at);
    return rateLimitedUntil(now, sent, alertOptions(this.d).rateLimitPerHour);
  }

  private async deliver(del: DeliveryRow, alert: AlertRow): Promise<void> {
    const { db, clock, logger, events } = this.d;
    this.stats.attempted++;
    let providerId = '';
    let failure: DeliveryError | null = null;
    try {
      providerId = await sendDelivery(this.d, alert, del);
    } catch (err) {
      failure = err instanceof DeliveryError ? err : new DeliveryError((err as Error).message);
    }
    if (this.stopping && !db.open) return;
    const now = clock.now();
    const status = db.transaction(() => {
      db.prepare('INSERT INTO alert_attempt (delivery_id, at, ok, error) VALUES (?, ?, ?, ?)').run(del.id, now, failure ? 0 : 1, failure?.message ?? null);
      if (!failure) {
        db.prepare("UPDATE alert_delivery SET state = 'sent', sent_at = ?, provider_id = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?").run(
          now,
          providerId || null,
          del.id,
          this.owner,
        );
      } else {
        const dead = failure.permanent || del.attempts >= alertOptions(this.d).maxAttempts;
        db.prepare(
          'UPDATE alert_delivery SET state = ?, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
        ).run(dead ? 'dead' : 'pending', dead ? now : now + backoffDelay(del.attempts, this.rand), failure.message, del.id, this.owner);
      }
      return refreshAlertStatus(db, alert.id);
    })();
    if (failure) {
      this.stats.failed++;
      logger.warn('alerts: delivery failed', { alertId: alert.id, deliveryId: del.id, channel: del.channel, attempt: del.attempts, permanent: failure.permanent, error: failure.message });
    } else this.stats.sent++;
    events.emit('alert.updated', { id: alert.id, status });
  }

  /** Stops taking work and waits (up to `graceMs`) for messages already on the wire. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const lanes = [...this.lanes.values()];
    if (lanes.length === 0) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(lanes), new Promise<void>((r) => (t = setTimeout(r, graceMs)))]);
    clearTimeout(t);
  }
}
