import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { watch, type FSWatcher } from 'chokidar';
import { PennyError } from '../../contract/errors.js';
import type { Camera, Clip } from '../../contract/commands/video.js';
import type { AppDeps, DomainApp } from '../app.js';
import { readSetting } from '../settings/app.js';
import { buildEvidenceBundle } from './bundle.js';
import { createClipQueue, toJob, type JobRow } from './clip-queue.js';
import { sha256File } from './cutter.js';
import { indexFile, indexFolder, nameParser, VIDEO_EXTS } from './dvr-index.js';
import { exceptionTableExists, lookupException } from './exception-source.js';
import { ffprobe } from './ffmpeg.js';
import { applyRetention, pinRange } from './retention.js';
import { mergeRanges, resolveMedia } from './segments.js';
import { Supervisor } from './supervisor.js';
import { streamUrlFor } from '../cameras/app.js';
import { stmt } from '../db/statements.js';

interface CameraRow {
  id: number;
  name: string;
  rtsp_url: string | null;
  enabled: number;
  clock_offset_ms: number;
  created_at: number;
}
interface ClipRow {
  id: number;
  job_id: number | null;
  camera_id: number | null;
  exception_id: number | null;
  register_id: number | null;
  event_type: string;
  at_ms: number | null;
  start_ms: number;
  end_ms: number;
  duration_ms: number;
  path: string;
  thumb_path: string | null;
  preview_path: string | null;
  sha256: string;
  bytes: number;
  mode: Clip['mode'];
  missing: string;
  created_at: number;
}

const DEFAULT_PRE = 60_000;
const DEFAULT_POST = 120_000;

const toCamera = (r: CameraRow): Camera => ({
  id: r.id,
  name: r.name,
  rtspUrl: r.rtsp_url,
  enabled: r.enabled === 1,
  clockOffsetMs: r.clock_offset_ms,
  createdAt: r.created_at,
});

const toClip = (r: ClipRow): Clip => ({
  id: r.id,
  jobId: r.job_id,
  cameraId: r.camera_id,
  exceptionId: r.exception_id,
  registerId: r.register_id,
  eventType: r.event_type,
  at: r.at_ms,
  start: r.start_ms,
  end: r.end_ms,
  durationMs: r.duration_ms,
  mediaPath: r.path,
  thumbPath: r.thumb_path,
  previewPath: r.preview_path,
  sha256: r.sha256,
  bytes: r.bytes,
  mode: r.mode,
  missing: JSON.parse(r.missing) as Clip['missing'],
  createdAt: r.created_at,
});

interface Target {
  cameraId: number;
  registerId: number | null;
  exceptionId: number | null;
  eventType: string;
  at: number;
  pre: number;
  post: number;
}

export function createVideoApp(d: AppDeps, opts: { recorder?: boolean } = {}): DomainApp {
  const { db, clock } = d;
  const setting = <T>(key: string, fallback: T): T => {
    try {
      return readSetting<T>(db, d.secrets, key) ?? fallback;
    } catch {
      return fallback;
    }
  };
  const zone = () => (db.prepare('SELECT timezone FROM store WHERE id = 1').get() as { timezone: string } | undefined)?.timezone ?? 'UTC';
  const camera = (id: number): CameraRow => {
    const r = db.prepare('SELECT * FROM camera WHERE id = ?').get(id) as CameraRow | undefined;
    if (!r) throw new PennyError('not_found', `There is no camera with id ${id}.`, { field: 'cameraId' });
    return r;
  };
  const segSeconds = () => setting<number>('video.segmentSeconds', 60);

  const supervisor = new Supervisor(d, {
    enabled: () => opts.recorder !== false && setting<boolean>('video.recorder.enabled', true),
    streamUrl: (id, stored) => {
      try {
        return streamUrlFor(d, id) ?? stored;
      } catch {
        return stored;
      }
    },
    transport: () => setting<'tcp' | 'udp'>('video.rtspTransport', 'tcp'),
    segmentSeconds: segSeconds,
  });
  const queue = createClipQueue(d, {
    concurrency: () => setting<number>('video.clips.concurrency', 2),
    zone,
    cameraName: (id) => (db.prepare('SELECT name FROM camera WHERE id = ?').get(id) as { name: string } | undefined)?.name ?? '?',
  });
  const watchers = new Map<string, FSWatcher>();
  let retentionTimer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  const retentionPolicy = () => ({
    maxAgeMs: setting<number>('video.retention.maxAgeHours', 168) * 3_600_000,
    maxBytes: Math.floor(setting<number>('video.retention.maxGb', 200) * 1e9),
  });

  /** Cameras (with rolls) that watch a register. */
  const camerasOf = (registerId: number) =>
    stmt(db, 'SELECT camera_id, pre_roll_ms, post_roll_ms FROM register_camera WHERE register_id = ? ORDER BY camera_id').all(registerId) as {
      camera_id: number;
      pre_roll_ms: number;
      post_roll_ms: number;
    }[];

  function registerTargets(registerId: number, base: Omit<Target, 'cameraId' | 'pre' | 'post' | 'registerId'>, pre?: number, post?: number): Target[] {
    const reg = db.prepare('SELECT code FROM register WHERE id = ?').get(registerId) as { code: string } | undefined;
    if (!reg) throw new PennyError('not_found', `There is no register with id ${registerId}.`, { field: 'registerId' });
    const cams = camerasOf(registerId);
    if (cams.length === 0) {
      throw new PennyError('conflict', `Register ${reg.code} has no camera mapped to it; map one (registerCameras.set) or cut by camera.`, { registerId });
    }
    return cams.map((c) => ({ ...base, registerId, cameraId: c.camera_id, pre: pre ?? c.pre_roll_ms, post: post ?? c.post_roll_ms }));
  }

  function clipName(t: Target, multi: boolean): string {
    const storeId =
      setting<string | undefined>('video.clips.storeId', undefined) ??
      String((db.prepare('SELECT id FROM store WHERE id = 1').get() as { id: number } | undefined)?.id ?? 0);
    const local = DateTime.fromMillis(t.at, { zone: zone() });
    const reg = t.registerId ? (db.prepare('SELECT code FROM register WHERE id = ?').get(t.registerId) as { code: string } | undefined)?.code : undefined;
    const safe = (s: string) => s.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
    const regPart = reg ? safe(reg) : `cam${t.cameraId}`;
    const stem = `${safe(storeId)}_${local.toFormat('yyyyLLdd')}_${local.toFormat('HHmmss')}_${regPart}_${safe(t.eventType)}${multi ? `_cam${t.cameraId}` : ''}`;
    const dir = `clips/${local.toFormat('yyyy-LL')}`;
    for (let i = 1; ; i++) {
      const p = `${dir}/${stem}${i > 1 ? `_${i}` : ''}.mp4`;
      const taken =
        db.prepare('SELECT 1 FROM clip_job WHERE path = ?').get(p) || db.prepare('SELECT 1 FROM clip WHERE path = ?').get(p) || existsSync(join(d.dataDir, p));
      if (!taken) return p;
    }
  }

  /** Queues one job per target; an identical request returns the existing job (re-queued if it had found no footage or failed). */
  function enqueue(targets: Target[], mode: 'copy' | 'exact'): JobRow[] {
    return db.transaction(() => {
      const now = clock.now();
      const jobs: JobRow[] = [];
      const multi = new Set(targets.map((t) => t.registerId)).size < targets.length;
      for (const t of targets) {
        const cam = camera(t.cameraId);
        const at = t.at + cam.clock_offset_ms;
        const ws = at - t.pre;
        const we = at + t.post;
        if (we <= ws) throw new PennyError('invalid_input', 'The clip window is empty: give a pre-roll or post-roll above zero.', { field: 'postRollMs' });
        const key = t.exceptionId !== null ? `x${t.exceptionId}:c${t.cameraId}:${mode}` : `w:c${t.cameraId}:${ws}:${we}:${mode}:${t.eventType}`;
        const existing = db.prepare('SELECT * FROM clip_job WHERE dedupe_key = ?').get(key) as JobRow | undefined;
        if (existing) {
          if (existing.status === 'missing' || existing.status === 'failed') {
            db.prepare("UPDATE clip_job SET status = 'queued', attempts = 0, error = NULL, missing = '[]', run_after = ?, updated_at = ? WHERE id = ?").run(now, now, existing.id);
          }
          jobs.push(db.prepare('SELECT * FROM clip_job WHERE id = ?').get(existing.id) as JobRow);
          continue;
        }
        // Footage of the post-roll is still being written when the event is fresh: wait for its segment to close.
        const settle = segSeconds() * 1000 + 5000;
        const runAfter = we + settle > now && we < now + 3_600_000 ? we + settle : now;
        const path = clipName(t, multi);
        const id = Number(
          db
            .prepare(
              `INSERT INTO clip_job (dedupe_key, camera_id, exception_id, register_id, event_type, at_ms, window_start_ms, window_end_ms, mode, path, status, run_after, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
            )
            .run(key, t.cameraId, t.exceptionId, t.registerId, t.eventType, at, ws, we, mode, path, runAfter, now, now).lastInsertRowid,
        );
        jobs.push(db.prepare('SELECT * FROM clip_job WHERE id = ?').get(id) as JobRow);
      }
      return jobs;
    })();
  }

  function exceptionTargets(exceptionId: number): Target[] {
    if (!exceptionTableExists(db)) {
      throw new PennyError('not_found', `There is no exception ${exceptionId}: no POS data has been imported on this station.`, { field: 'exceptionId' });
    }
    let ex;
    try {
      ex = lookupException(db, exceptionId);
    } catch (err) {
      throw new PennyError('conflict', (err as Error).message, { field: 'exceptionId' });
    }
    if (!ex) throw new PennyError('not_found', `There is no exception with id ${exceptionId}.`, { field: 'exceptionId' });
    if (ex.registerId === null) {
      throw new PennyError('conflict', `Exception ${exceptionId} has no register, so no camera is known for it; cut it by camera instead.`, { field: 'exceptionId' });
    }
    return registerTargets(ex.registerId, { exceptionId, eventType: ex.eventType, at: ex.at });
  }

  async function startWatch(dir: string, cameraId: number, parse: ReturnType<typeof nameParser>) {
    const key = `${cameraId}:${resolve(dir)}`;
    if (watchers.has(key)) return;
    const w = watch(resolve(dir), { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 1000, pollInterval: 200 }, depth: 8 });
    w.on('add', (file) => {
      if (!VIDEO_EXTS.has(extname(file).toLowerCase())) return;
      void indexFile({ db, ffprobePath: d.ffprobePath, now: clock.now() }, cameraId, file, parse)
        .then((r) => {
          if (r === 'indexed') d.events.emit('recording.segmentIndexed', { cameraId, segmentId: 0, start: 0, end: 0 });
          else if (r !== 'already') d.logger.warn('watched file not indexed', { cameraId, reason: r.reason });
        })
        .catch((err: unknown) => d.logger.error('watched file index failed', { cameraId, error: String(err) }));
    });
    watchers.set(key, w);
    await new Promise<void>((r) => w.once('ready', () => r()));
  }

  return {
    async start() {
      await queue.start();
      supervisor.start();
      retentionTimer = setInterval(() => {
        try {
          applyRetention(db, d.dataDir, retentionPolicy(), clock.now());
        } catch (err) {
          d.logger.error('retention failed', { error: String(err) });
        }
      }, 60_000);
      retentionTimer.unref();
      unsubscribe = d.events.subscribe((name, payload) => {
        if (name === 'setting.changed' && (payload as { key: string }).key.startsWith('video.')) void supervisor.sync();
        if (name === 'setting.changed' && (payload as { key: string }).key === 'video.clips.concurrency') queue.kick();
        if (name === 'exception.flagged') {
          // A flagged transaction gets its clip without anyone asking; a register with no camera simply has none.
          const { id, registerId } = payload as { id: number; registerId?: number | null };
          try {
            // The rules domain names the register in the event; other sources are looked up.
            const reg = registerId !== undefined ? registerId : lookupException(db, id)?.registerId;
            if (reg && camerasOf(reg).length) {
              enqueue(exceptionTargets(id), 'copy');
              setImmediate(() => queue.kick());
            }
          } catch (err) {
            d.logger.warn('no clip for flagged exception', { exceptionId: id, error: err instanceof Error ? err.message : String(err) });
          }
        }
      });
    },
    async stop() {
      unsubscribe?.();
      if (retentionTimer) clearInterval(retentionTimer);
      await Promise.all([...watchers.values()].map((w) => w.close()));
      watchers.clear();
      await supervisor.stop();
      await queue.stop();
    },
    handlers: {
      'cameras.add': async (input, ctx) => {
        const cam = db.transaction(() => {
          if (input.registerId !== undefined && !db.prepare('SELECT 1 FROM register WHERE id = ?').get(input.registerId)) {
            throw new PennyError('not_found', `There is no register with id ${input.registerId}.`, { field: 'registerId' });
          }
          const id = Number(
            db
              .prepare('INSERT INTO camera (name, rtsp_url, enabled, clock_offset_ms, created_at) VALUES (?, ?, ?, ?, ?)')
              .run(input.name, input.rtspUrl ?? null, Number(input.enabled), input.clockOffsetMs, clock.now()).lastInsertRowid,
          );
          if (input.registerId !== undefined) {
            db.prepare('INSERT INTO register_camera (register_id, camera_id, pre_roll_ms, post_roll_ms) VALUES (?, ?, ?, ?)').run(input.registerId, id, DEFAULT_PRE, DEFAULT_POST);
          }
          // The URL may carry a password: the audit keeps only whether there is one.
          d.audit(ctx.actor, { action: 'camera.create', entity: 'camera', entityId: id, details: { rtsp: !!input.rtspUrl, enabled: input.enabled, registerId: input.registerId ?? null } });
          return toCamera(db.prepare('SELECT * FROM camera WHERE id = ?').get(id) as CameraRow);
        })();
        await supervisor.sync();
        return cam;
      },

      'cameras.list': () => (db.prepare('SELECT * FROM camera ORDER BY id').all() as CameraRow[]).map(toCamera),

      'cameras.calibrate': (input, ctx) =>
        db.transaction(() => {
          let cameraId: number;
          let videoAt: number;
          if ('clipId' in input) {
            const c = db.prepare('SELECT camera_id, start_ms FROM clip WHERE id = ?').get(input.clipId) as { camera_id: number | null; start_ms: number } | undefined;
            if (!c) throw new PennyError('not_found', `There is no clip with id ${input.clipId}.`, { field: 'clipId' });
            if (c.camera_id === null) throw new PennyError('conflict', `Clip ${input.clipId} is not from a known camera.`, { field: 'clipId' });
            cameraId = c.camera_id;
            videoAt = c.start_ms + input.clipOffsetMs;
          } else {
            cameraId = input.cameraId;
            videoAt = input.videoAt;
          }
          const before = camera(cameraId);
          const offset = videoAt - input.posAt;
          if (Math.abs(offset) > 86_400_000) throw new PennyError('invalid_input', 'The marked moment is more than a day from the POS time; check the event picked.', { field: 'posAt' });
          db.prepare('UPDATE camera SET clock_offset_ms = ? WHERE id = ?').run(offset, cameraId);
          d.audit(ctx.actor, { action: 'camera.calibrate', entity: 'camera', entityId: cameraId, details: { from: before.clock_offset_ms, to: offset } });
          return toCamera(camera(cameraId));
        })(),

      'registerCameras.set': (input, ctx) =>
        db.transaction(() => {
          if (!db.prepare('SELECT 1 FROM register WHERE id = ?').get(input.registerId)) {
            throw new PennyError('not_found', `There is no register with id ${input.registerId}.`, { field: 'registerId' });
          }
          const ids = new Set<number>();
          for (const [i, c] of input.cameras.entries()) {
            camera(c.cameraId);
            if (ids.has(c.cameraId)) throw new PennyError('invalid_input', `camera ${c.cameraId} is listed twice`, { field: `cameras.${i}.cameraId` });
            ids.add(c.cameraId);
          }
          db.prepare('DELETE FROM register_camera WHERE register_id = ?').run(input.registerId);
          for (const c of input.cameras) {
            db.prepare('INSERT INTO register_camera (register_id, camera_id, pre_roll_ms, post_roll_ms) VALUES (?, ?, ?, ?)').run(input.registerId, c.cameraId, c.preRollMs, c.postRollMs);
          }
          d.audit(ctx.actor, { action: 'registerCameras.set', entity: 'register', entityId: input.registerId, details: { cameras: input.cameras } });
          return camerasOf(input.registerId).map((c) => ({ registerId: input.registerId, cameraId: c.camera_id, preRollMs: c.pre_roll_ms, postRollMs: c.post_roll_ms }));
        })(),

      'registerCameras.list': () =>
        (db.prepare('SELECT * FROM register_camera ORDER BY register_id, camera_id').all() as { register_id: number; camera_id: number; pre_roll_ms: number; post_roll_ms: number }[]).map((r) => ({
          registerId: r.register_id,
          cameraId: r.camera_id,
          preRollMs: r.pre_roll_ms,
          postRollMs: r.post_roll_ms,
        })),

      'recordings.status': ({ cameraId }) => {
        const cams = cameraId !== undefined ? [camera(cameraId)] : (db.prepare('SELECT * FROM camera ORDER BY id').all() as CameraRow[]);
        const now = clock.now();
        return cams.map((c) => {
          const agg = db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b, min(start_ms) AS f, max(end_ms) AS l FROM recording_segment WHERE camera_id = ?').get(c.id) as {
            n: number;
            b: number;
            f: number | null;
            l: number | null;
          };
          const ranges = db.prepare('SELECT start_ms AS start, end_ms AS end FROM recording_segment WHERE camera_id = ? ORDER BY start_ms').all(c.id) as { start: number; end: number }[];
          const covered = mergeRanges(ranges);
          const recorded = db.prepare('SELECT start_ms, end_ms, reason FROM recording_gap WHERE camera_id = ? ORDER BY start_ms').all(c.id) as {
            start_ms: number;
            end_ms: number | null;
            reason: string;
          }[];
          const gaps: { start: number; end: number; reason: string }[] = [];
          for (let i = 1; i < covered.length; i++) {
            const g = { start: covered[i - 1]!.end, end: covered[i]!.start };
            const why = recorded.find((r) => r.start_ms < g.end && (r.end_ms ?? now) > g.start);
            gaps.push({ ...g, reason: why ? `recorder down: ${why.reason}` : 'no recording' });
          }
          for (const r of recorded) {
            if (r.end_ms === null) gaps.push({ start: r.start_ms, end: Math.max(r.start_ms, now), reason: `recorder down (ongoing): ${r.reason}` });
          }
          return {
            cameraId: c.id,
            segments: agg.n,
            bytes: agg.b,
            first: agg.f,
            last: agg.l,
            covered: covered.slice(-500),
            gaps: gaps.slice(-500),
            recorder: supervisor.status(c.id),
          };
        });
      },

      'recordings.index': async (input, ctx) => {
        camera(input.cameraId);
        const tz = input.timezone ?? zone();
        if (!DateTime.now().setZone(tz).isValid) throw new PennyError('invalid_input', `time zone "${tz}" is not an IANA name such as America/Chicago`, { field: 'timezone' });
        const parse = nameParser(input.pattern, tz);
        const res = await indexFolder({ db, ffprobePath: d.ffprobePath, now: clock.now() }, input.cameraId, input.dir, parse);
        if (input.watch) await startWatch(input.dir, input.cameraId, parse);
        d.audit(ctx.actor, {
          action: 'recordings.index',
          entity: 'camera',
          entityId: input.cameraId,
          details: { dir: resolve(input.dir), pattern: input.pattern, indexed: res.indexed, skipped: res.skipped.length, watch: input.watch },
        });
        return { ...res, watching: input.watch };
      },

      'recordings.prune': (_input, ctx) => {
        const r = applyRetention(db, d.dataDir, retentionPolicy(), clock.now());
        d.audit(ctx.actor, { action: 'recordings.prune', entity: 'recording', details: r });
        return r;
      },

      'recordings.pin': (input, ctx) =>
        db.transaction(() => {
          if (input.cameraId !== undefined) camera(input.cameraId);
          const id = pinRange(db, { ...input, now: clock.now() });
          d.audit(ctx.actor, { action: 'recordings.pin', entity: 'recording_pin', entityId: id, details: input });
          return { id };
        })(),

      'recordings.unpin': ({ id }, ctx) =>
        db.transaction(() => {
          const r = db.prepare('DELETE FROM recording_pin WHERE id = ?').run(id);
          if (!r.changes) throw new PennyError('not_found', `There is no retention pin with id ${id}.`, { field: 'id' });
          d.audit(ctx.actor, { action: 'recordings.unpin', entity: 'recording_pin', entityId: id });
          return { ok: true as const };
        })(),

      'clips.cut': async (input, ctx) => {
        let targets: Target[];
        if ('exceptionId' in input) targets = exceptionTargets(input.exceptionId);
        else if (input.registerId !== undefined) {
          targets = registerTargets(input.registerId, { exceptionId: null, eventType: input.eventType, at: input.at }, input.preRollMs, input.postRollMs);
        } else {
          const cameraId = input.cameraId!;
          camera(cameraId);
          const map = db.prepare('SELECT register_id, pre_roll_ms, post_roll_ms FROM register_camera WHERE camera_id = ? ORDER BY register_id LIMIT 1').get(cameraId) as
            | { register_id: number; pre_roll_ms: number; post_roll_ms: number }
            | undefined;
          targets = [
            {
              cameraId,
              registerId: map?.register_id ?? null,
              exceptionId: null,
              eventType: input.eventType,
              at: input.at,
              pre: input.preRollMs ?? map?.pre_roll_ms ?? DEFAULT_PRE,
              post: input.postRollMs ?? map?.post_roll_ms ?? DEFAULT_POST,
            },
          ];
        }
        const jobs = enqueue(targets, input.mode);
        d.audit(ctx.actor, { action: 'clips.cut', entity: 'clip_job', entityId: jobs.map((j) => j.id).join(','), details: { exceptionId: 'exceptionId' in input ? input.exceptionId : null, mode: input.mode } });
        queue.kick();
        if (input.wait) await queue.settled(jobs.map((j) => j.id));
        const fresh = jobs.map((j) => db.prepare('SELECT * FROM clip_job WHERE id = ?').get(j.id) as JobRow);
        const clips = fresh
          .filter((j) => j.clip_id !== null)
          .map((j) => toClip(db.prepare('SELECT * FROM clip WHERE id = ?').get(j.clip_id) as ClipRow));
        return { jobs: fresh.map(toJob), clips };
      },

      'clips.jobs': ({ status, limit }) =>
        (
          (status
            ? db.prepare('SELECT * FROM clip_job WHERE status = ? ORDER BY id DESC LIMIT ?').all(status, limit)
            : db.prepare('SELECT * FROM clip_job ORDER BY id DESC LIMIT ?').all(limit)) as JobRow[]
        ).map(toJob),

      'clips.list': ({ exceptionId, limit }) =>
        (
          (exceptionId !== undefined
            ? db.prepare('SELECT * FROM clip WHERE exception_id = ? ORDER BY id DESC LIMIT ?').all(exceptionId, limit)
            : db.prepare('SELECT * FROM clip ORDER BY id DESC LIMIT ?').all(limit)) as ClipRow[]
        ).map(toClip),

      'clips.get': ({ id }, ctx) => {
        const r = db.prepare('SELECT * FROM clip WHERE id = ?').get(id) as ClipRow | undefined;
        if (!r) throw new PennyError('not_found', `There is no clip with id ${id}.`, { field: 'id' });
        d.audit(ctx.actor, { action: 'clip.view', entity: 'clip', entityId: id });
        return toClip(r);
      },

      'clips.verify': async ({ ids }) => {
        const rows = (ids ? ids.map((id) => db.prepare('SELECT * FROM clip WHERE id = ?').get(id)).filter(Boolean) : db.prepare('SELECT * FROM clip ORDER BY id').all()) as ClipRow[];
        if (ids && rows.length !== ids.length) {
          const missingId = ids.find((id) => !rows.some((r) => r.id === id));
          throw new PennyError('not_found', `There is no clip with id ${missingId}.`, { field: 'ids' });
        }
        const mismatches: { id: number; mediaPath: string; expected: string; actual: string | null; problem: 'missing' | 'changed' }[] = [];
        for (const r of rows) {
          const abs = resolveMedia(d.dataDir, r.path);
          if (!existsSync(abs)) {
            mismatches.push({ id: r.id, mediaPath: r.path, expected: r.sha256, actual: null, problem: 'missing' });
            continue;
          }
          const actual = await sha256File(abs);
          if (actual !== r.sha256) mismatches.push({ id: r.id, mediaPath: r.path, expected: r.sha256, actual, problem: 'changed' });
        }
        if (mismatches.length) d.logger.warn('clip verification found mismatches', { clipIds: mismatches.map((m) => m.id) });
        return { checked: rows.length, ok: rows.length - mismatches.length, mismatches };
      },

      'clips.import': async (input, ctx) => {
        const src = resolve(input.path);
        const st = await stat(src).catch(() => null);
        if (!st?.isFile()) throw new PennyError('invalid_input', `File "${input.path}" does not exist.`, { field: 'path' });
        if (!VIDEO_EXTS.has(extname(src).toLowerCase())) {
          throw new PennyError('invalid_input', `"${input.path}" is not a video file Penny keeps (mp4, mkv, ts, m2ts, mov).`, { field: 'path' });
        }
        if (input.cameraId !== undefined) camera(input.cameraId);
        let info;
        try {
          info = await ffprobe(d.ffprobePath, src);
        } catch {
          throw new PennyError('invalid_input', `"${input.path}" is not a readable video.`, { field: 'path' });
        }
        if (!info.video || !info.durationMs) throw new PennyError('invalid_input', `"${input.path}" has no video to play.`, { field: 'path' });
        const now = clock.now();
        const local = DateTime.fromMillis(now, { zone: zone() });
        const safe = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 80);
        let rel = `clips/${local.toFormat('yyyy-LL')}/attached_${local.toFormat('yyyyLLdd_HHmmss')}_${safe(input.eventType)}${extname(src).toLowerCase()}`;
        for (let i = 2; existsSync(join(d.dataDir, rel)) || db.prepare('SELECT 1 FROM clip WHERE path = ?').get(rel); i++) {
          rel = rel.replace(/(_\d+)?(\.[a-z0-9]+)$/, `_${i}$2`);
        }
        const dest = join(d.dataDir, rel);
        await mkdir(join(dest, '..'), { recursive: true });
        const tmp = `${dest}.part`;
        await copyFile(src, tmp);
        try {
          const sha256 = await sha256File(tmp);
          await rename(tmp, dest);
          await chmod(dest, 0o444);
          const start = info.creationTime ?? now;
          const id = db.transaction(() => {
            const cid = Number(
              db
                .prepare(
                  `INSERT INTO clip (job_id, camera_id, exception_id, register_id, event_type, at_ms, start_ms, end_ms, duration_ms, path, thumb_path, preview_path, sha256, bytes, mode, missing, created_at)
                   VALUES (NULL, ?, ?, NULL, ?, NULL, ?, ?, ?, ?, NULL, NULL, ?, ?, 'import', '[]', ?)`,
                )
                .run(input.cameraId ?? null, input.exceptionId ?? null, input.eventType, start, start + info.durationMs!, info.durationMs!, rel, sha256, st.size, now).lastInsertRowid,
            );
            d.audit(ctx.actor, { action: 'clip.import', entity: 'clip', entityId: cid, details: { sha256, exceptionId: input.exceptionId ?? null, bytes: st.size } });
            return cid;
          })();
          return toClip(db.prepare('SELECT * FROM clip WHERE id = ?').get(id) as ClipRow);
        } finally {
          await rm(tmp, { force: true });
        }
      },

      'clips.exportBundle': (input, ctx) => buildEvidenceBundle(d, input, ctx.actor, zone()),
    },
  };
}

