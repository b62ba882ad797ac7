import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ClipJob } from '../../contract/commands/video.js';
import type { AppDeps } from '../app.js';
import { systemCtx } from '../context.js';
import { cutClip, makeSidecars, sidecarPaths } from './cutter.js';
import { describeRange, type Range } from './segments.js';

/**
 * The clip job queue. Jobs live in SQLite, so a crash or restart loses none: on start, jobs left
 * "running" go back to "queued" and any half-written output of theirs is removed. Each job's output
 * path is fixed when it is queued and a clip row is written in the same transaction that marks the
 * job done, so a job yields exactly one clip.
 */

export interface JobRow {
  id: number;
  dedupe_key: string;
  camera_id: number;
  exception_id: number | null;
  register_id: number | null;
  event_type: string;
  at_ms: number;
  window_start_ms: number;
  window_end_ms: number;
  mode: 'copy' | 'exact';
  path: string;
  status: ClipJob['status'];
  progress: number;
  attempts: number;
  error: string | null;
  missing: string;
  clip_id: number | null;
  run_after: number;
}

export const MAX_ATTEMPTS = 3;

export const toJob = (r: JobRow): ClipJob => ({
  id: r.id,
  cameraId: r.camera_id,
  exceptionId: r.exception_id,
  eventType: r.event_type,
  at: r.at_ms,
  windowStart: r.window_start_ms,
  windowEnd: r.window_end_ms,
  mode: r.mode,
  status: r.status,
  progress: r.progress,
  attempts: r.attempts,
  error: r.error,
  clipId: r.clip_id,
  missing: JSON.parse(r.missing) as ClipJob['missing'],
});

export const relPath = (dataDir: string, abs: string) => relative(dataDir, abs).split(sep).join('/');

export interface ClipQueue {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Looks for runnable jobs now (after queueing). */
  kick(): void;
  /** Resolves when every given job has left queued/running. */
  settled(jobIds: number[]): Promise<void>;
}

export function createClipQueue(
  d: AppDeps,
  opts: { concurrency(): number; zone(): string; cameraName(id: number): string },
): ClipQueue {
  const { db, clock } = d;
  const tmpDir = join(d.dataDir, 'clips', '.tmp');
  const running = new Map<number, { abort: AbortController; done: Promise<void> }>();
  const waiters = new Set<() => void>();
  /** Jobs whose clip is ready and whose thumbnail/preview are still being made. */
  const sidecarsPending = new Set<number>();
  let stopping = false;
  let sweep: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const getJob = (id: number) => db.prepare('SELECT * FROM clip_job WHERE id = ?').get(id) as JobRow;
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  const missingOut = (cameraId: number, ranges: Range[]) =>
    ranges.map((r) => ({ cameraId, start: r.start, end: r.end, text: `camera ${cameraId} (${opts.cameraName(cameraId)}): no recording ${describeRange(r, opts.zone())}` }));

  async function run(job: JobRow, abort: AbortController) {
    const outPath = join(d.dataDir, job.path);
    let lastEmit = 0;
    try {
      // A previous attempt may have renamed its output into place and died before committing.
      const stale = sidecarPaths(outPath);
      await Promise.all([outPath, stale.thumb, stale.preview].map((f) => rm(f, { force: true })));
      const result = await cutClip(
        { db, dataDir: d.dataDir, ffmpegPath: d.ffmpegPath, ffprobePath: d.ffprobePath },
        {
          cameraId: job.camera_id,
          windowStart: job.window_start_ms,
          windowEnd: job.window_end_ms,
          at: job.at_ms,
          mode: job.mode,
          outPath,
          tmpDir,
          signal: abort.signal,
          onProgress: (p) => {
            const now = Date.now();
            if (p < 1 && now - lastEmit < 250) return;
            lastEmit = now;
            db.prepare('UPDATE clip_job SET progress = ? WHERE id = ?').run(p, job.id);
            d.events.emit('clip.progress', { jobId: job.id, cameraId: job.camera_id, progress: p });
          },
        },
      );
      if (result.kind === 'missing') {
        const missing = missingOut(job.camera_id, result.missing);
        const error = `No recording covers the window: ${missing.map((m) => m.text).join('; ')}`;
        db.prepare("UPDATE clip_job SET status = 'missing', error = ?, missing = ?, progress = 0, updated_at = ? WHERE id = ?").run(
          error,
          JSON.stringify(missing),
          clock.now(),
          job.id,
        );
        d.logger.warn('clip window not recorded', { jobId: job.id, cameraId: job.camera_id });
        d.events.emit('clip.failed', { jobId: job.id, status: 'missing', error });
        return;
      }
      const missing = missingOut(job.camera_id, result.missing);
      const clipId = db.transaction(() => {
        const id = Number(
          db
            .prepare(
              `INSERT INTO clip (job_id, camera_id, exception_id, register_id, event_type, at_ms, start_ms, end_ms, duration_ms, path, thumb_path, preview_path, sha256, bytes, mode, missing, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              job.id,
              job.camera_id,
              job.exception_id,
              job.register_id,
              job.event_type,
              job.at_ms,
              Math.round(result.start),
              Math.round(result.end),
              Math.round(result.durationMs),
              job.path,
              null,
              null,
              result.sha256,
              result.bytes,
              job.mode,
              JSON.stringify(missing),
              clock.now(),
            ).lastInsertRowid,
        );
        db.prepare("UPDATE clip_job SET status = 'done', clip_id = ?, progress = 1, error = NULL, missing = ?, updated_at = ? WHERE id = ?").run(
          id,
          JSON.stringify(missing),
          clock.now(),
          job.id,
        );
        d.audit(systemCtx('video').actor, {
          action: 'clip.create',
          entity: 'clip',
          entityId: id,
          details: { jobId: job.id, cameraId: job.camera_id, exceptionId: job.exception_id, sha256: result.sha256, missing: missing.length },
        });
        return id;
      })();
      d.logger.info('clip ready', { jobId: job.id, clipId, cameraId: job.camera_id });
      d.events.emit('clip.ready', { jobId: job.id, clipId, exceptionId: job.exception_id, mediaPath: job.path, sha256: result.sha256, missing: missing.length });
      // The clip is evidence as soon as it is hashed; its thumbnail and preview follow (and are redone after a crash).
      sidecarsPending.add(job.id);
      try {
        await sidecars(clipId, abort.signal);
      } finally {
        sidecarsPending.delete(job.id);
      }
    } catch (err) {
      if (stopping) {
        // Shutting down: the job is not at fault and goes back to the queue untouched.
        db.prepare("UPDATE clip_job SET status = 'queued', attempts = max(0, attempts - 1), progress = 0 WHERE id = ?").run(job.id);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      const fresh = getJob(job.id);
      const final = fresh.attempts >= MAX_ATTEMPTS;
      db.prepare('UPDATE clip_job SET status = ?, error = ?, progress = 0, run_after = ?, updated_at = ? WHERE id = ?').run(
        final ? 'failed' : 'queued',
        message.slice(0, 2000),
        clock.now() + 2000 * fresh.attempts,
        clock.now(),
        job.id,
      );
      d.logger.error('clip job failed', { jobId: job.id, attempt: fresh.attempts, final });
      if (final) d.events.emit('clip.failed', { jobId: job.id, status: 'failed', error: message.slice(0, 500) });
    }
  }

  async function sidecars(clipId: number, signal?: AbortSignal) {
    const c = db.prepare('SELECT path, at_ms, start_ms, duration_ms FROM clip WHERE id = ?').get(clipId) as
      | { path: string; at_ms: number | null; start_ms: number; duration_ms: number }
      | undefined;
    if (!c) return;
    try {
      const side = await makeSidecars(d, join(d.dataDir, c.path), (c.at_ms ?? c.start_ms) - c.start_ms, c.duration_ms, tmpDir, signal);
      db.prepare('UPDATE clip SET thumb_path = ?, preview_path = ? WHERE id = ?').run(relPath(d.dataDir, side.thumb), relPath(d.dataDir, side.preview), clipId);
    } catch (err) {
      if (!stopping) d.logger.error('clip thumbnail/preview failed', { clipId, error: err instanceof Error ? err.message.slice(0, 300) : String(err) });
    }
  }

  function pump() {
    if (stopping) return;
    const free = opts.concurrency() - running.size;
    if (free <= 0) return;
    const ids = db
      .prepare("SELECT id FROM clip_job WHERE status = 'queued' AND run_after <= ? ORDER BY run_after, id LIMIT ?")
      .all(clock.now(), free) as { id: number }[];
    for (const { id } of ids) {
      const claimed = db
        .prepare("UPDATE clip_job SET status = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'queued'")
        .run(clock.now(), id);
      if (!claimed.changes) continue;
      const abort = new AbortController();
      const job = getJob(id);
      const done = run(job, abort).finally(() => {
        running.delete(id);
        notify();
        pump();
      });
      running.set(id, { abort, done });
    }
  }

  return {
    async start() {
      stopping = false;
      await mkdir(tmpDir, { recursive: true });
      // Leftovers of a process that died mid-cut.
      for (const f of await readdir(tmpDir)) await rm(join(tmpDir, f), { force: true, recursive: true });
      db.prepare("UPDATE clip_job SET status = 'queued', progress = 0 WHERE status = 'running'").run();
      timer = setInterval(pump, 1000);
      timer.unref();
      pump();
      const bare = db.prepare("SELECT id FROM clip WHERE thumb_path IS NULL AND mode <> 'import'").all() as { id: number }[];
      if (bare.length) {
        sweep = (async () => {
          for (const { id } of bare) if (!stopping) await sidecars(id);
        })();
      }
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      for (const r of running.values()) r.abort.abort();
      await Promise.allSettled([...running.values()].map((r) => r.done));
      await sweep;
      notify();
    },
    kick: () => pump(),
    settled(jobIds) {
      const pending = () =>
        jobIds.some((id) => {
          const r = db.prepare('SELECT status FROM clip_job WHERE id = ?').get(id) as { status: string } | undefined;
          return (r && (r.status === 'queued' || r.status === 'running')) || sidecarsPending.has(id);
        });
      return new Promise((resolve) => {
        const check = () => {
          if (!pending() || stopping) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}
