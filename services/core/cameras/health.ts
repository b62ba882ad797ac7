import type { AppDeps } from '../app.js';
import { readSetting } from '../settings/app.js';
import { sampleStream } from './media.js';
import { allCameras, credentialsOf, getCamera, openOutage, withCredentials, type CameraRow } from './repo.js';

export const HEALTH_DEFAULTS = { intervalSeconds: 60, offlineAlertMinutes: 5, sampleSeconds: 2 };

export interface AlertSink {
  /** Raises the camera-offline alert; returns false when no alert system is there to take it. */
  (cameraId: number, since: number, minutes: number, outageId: number): Promise<void> | void;
}

function setting(d: AppDeps, key: string, fallback: number): number {
  const v = readSetting<number>(d.db, d.secrets, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/**
 * Checks each enabled camera by reading a couple of seconds of its stream (frames, bytes → bitrate).
 * An outage row opens on the first failed check; when it has lasted cameras.offlineAlertMinutes the
 * `camera.offline` event fires once and the alert sink is called.
 */
export function createHealthMonitor(d: AppDeps, raise: AlertSink) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let busy = false;
  let running: Promise<unknown> = Promise.resolve();

  async function checkOne(row: CameraRow): Promise<void> {
    if (!row.rtsp_url) return;
    const url = withCredentials(row.rtsp_url, credentialsOf(d.secrets, row));
    const sampleSeconds = HEALTH_DEFAULTS.sampleSeconds;
    const s = await sampleStream(d.ffmpegPath, url, sampleSeconds, sampleSeconds * 1000 + 5000);
    const now = d.clock.now();
    const online = s.frames > 0;
    const before = getCamera(d.db, row.id).health_state;
    d.db.transaction(() => {
      if (online) {
        const kbps = s.seconds > 0 ? Math.round((s.bytes * 8) / s.seconds / 1000) : null;
        d.db
          .prepare("UPDATE camera SET health_state = 'online', health_checked_at = ?, last_frame_at = ?, bitrate_kbps = ?, health_error = NULL, offline_since = NULL WHERE id = ?")
          .run(now, now, kbps, row.id);
        d.db.prepare('UPDATE camera_outage SET ended_at = ? WHERE camera_id = ? AND ended_at IS NULL').run(now, row.id);
      } else {
        d.db
          .prepare("UPDATE camera SET health_state = 'offline', health_checked_at = ?, bitrate_kbps = NULL, health_error = ?, offline_since = COALESCE(offline_since, ?) WHERE id = ?")
          .run(now, s.error ?? 'no frames', now, row.id);
        if (!openOutage(d.db, row.id)) {
          d.db.prepare('INSERT INTO camera_outage (camera_id, started_at, error) VALUES (?, ?, ?)').run(row.id, now, s.error ?? null);
        }
      }
    })();
    const state = online ? 'online' : 'offline';
    if (before !== state) {
      d.logger.info('camera health changed', { cameraId: row.id, state });
      d.events.emit('camera.healthChanged', { cameraId: row.id, state, at: now });
    }
    if (!online) await maybeAlert(row.id, now);
  }

  async function maybeAlert(cameraId: number, now: number): Promise<void> {
    const outage = openOutage(d.db, cameraId);
    if (!outage || outage.alerted_at) return;
    const minutes = setting(d, 'cameras.offlineAlertMinutes', HEALTH_DEFAULTS.offlineAlertMinutes);
    if (now - outage.started_at < minutes * 60_000) return;
    d.db.prepare('UPDATE camera_outage SET alerted_at = ? WHERE id = ?').run(now, outage.id);
    const payload = { cameraId, since: outage.started_at, minutes: Math.round(((now - outage.started_at) / 60_000) * 10) / 10, outageId: outage.id };
    d.logger.warn('camera offline too long', { cameraId, outageId: outage.id });
    d.events.emit('camera.offline', payload);
    try {
      await raise(cameraId, payload.since, payload.minutes, outage.id);
    } catch (e) {
      d.logger.error('camera offline alert failed', { cameraId, error: (e as Error).message });
    }
  }

  /** Checks the given cameras (default all enabled), two at a time to spare a small CPU. */
  async function checkNow(ids?: number[]): Promise<void> {
    const rows = allCameras(d.db).filter((r) => (ids ? ids.includes(r.id) : r.enabled === 1));
    const queue = [...rows];
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        try {
          await checkOne(r);
        } catch (e) {
          d.logger.error('camera health check failed', { cameraId: r.id, error: (e as Error).message });
        }
      }
    };
    await Promise.all([worker(), worker()]);
  }

  function schedule(): void {
    if (stopped) return;
    const seconds = setting(d, 'cameras.healthIntervalSeconds', HEALTH_DEFAULTS.intervalSeconds);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (busy) return; // a reschedule fired during a check; its end schedules the next
      busy = true;
      running = checkNow().finally(() => {
        busy = false;
        schedule();
      });
    }, seconds * 1000);
    timer.unref?.();
  }

  return {
    /** The interval setting changed: the pending wait is cut to the new length. */
    reschedule() {
      if (stopped) return;
      if (timer) clearTimeout(timer);
      schedule();
    },
    checkNow: (ids?: number[]) => {
      const p = checkNow(ids);
      running = Promise.all([running, p]);
      return p;
    },
    start() {
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => {});
    },
  };
}
