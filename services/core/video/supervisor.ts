import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppDeps } from '../app.js';
import { ffprobe } from './ffmpeg.js';
import { cameraDir, Recorder, scratchDir } from './recorder.js';
import { insertSegment, stampName } from './segments.js';

/**
 * Keeps one recorder per enabled RTSP camera running. A recorder that ends unexpectedly opens a
 * gap (from the end of its last segment) and is restarted with exponential backoff; the gap is
 * closed by the first segment after it. Stopping is graceful so the segment being written closes.
 */

export interface RecorderStatus {
  state: 'off' | 'starting' | 'recording' | 'backoff' | 'stopped';
  restarts: number;
  lastError: string | null;
}

interface Slot {
  url: string;
  recorder?: Recorder;
  status: RecorderStatus;
  backoffMs: number;
  timer?: NodeJS.Timeout;
}

export interface SupervisorConfig {
  enabled(): boolean;
  /** The URL ffmpeg opens, credentials included (the cameras domain keeps them sealed). */
  streamUrl(cameraId: number, stored: string): string;
  transport(): 'tcp' | 'udp';
  segmentSeconds(): number;
}

const MIN_BACKOFF = 1000;
/**
 * Every CLI invocation builds a core; a one-shot command (settings get, clips verify) must not
 * start recorders for the second it lives. Recording begins once the core has been up this long.
 */
export const RECORDER_START_DELAY_MS = 1500;
const LOCK_RETRY_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
const MAX_BACKOFF = 30_000;

export class Supervisor {
  private slots = new Map<number, Slot>();
  private running = false;
  private locked = false;
  private lockTimer?: NodeJS.Timeout;

  constructor(
    private readonly d: AppDeps,
    private readonly cfg: SupervisorConfig,
  ) {}

  status(cameraId: number): RecorderStatus {
    return this.slots.get(cameraId)?.status ?? { state: 'off', restarts: 0, lastError: null };
  }

  start(): void {
    this.running = true;
    this.lockTimer = setTimeout(() => void this.tryLock(), RECORDER_START_DELAY_MS);
    this.lockTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.lockTimer) clearTimeout(this.lockTimer);
    await Promise.all([...this.slots.keys()].map((id) => this.drop(id)));
    if (this.locked) rmSync(this.lockFile(), { force: true });
    this.locked = false;
  }

  private lockFile() {
    return join(this.d.dataDir, 'recordings', '.recorder.lock');
  }

  /** One process records a data dir: a second `penny serve` (or the app plus a CLI) would write the same files. */
  private async tryLock(): Promise<void> {
    if (!this.running) return;
    const file = this.lockFile();
    mkdirSync(join(this.d.dataDir, 'recordings'), { recursive: true });
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      this.locked = true;
    } catch {
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (!Number.isInteger(holder) || holder <= 0 || (holder !== process.pid && !alive(holder))) {
        rmSync(file, { force: true });
        return this.tryLock();
      }
      this.lockTimer = setTimeout(() => void this.tryLock(), LOCK_RETRY_MS);
      this.lockTimer.unref();
      return;
    }
    try {
      await this.recoverScratch();
    } catch (err) {
      this.d.logger.error('recovering unfinished segments failed', { error: String(err) });
    }
    await this.sync();
  }

  /** Starts/stops recorders to match the camera table and settings. */
  async sync(): Promise<void> {
    if (!this.running || !this.locked) return;
    const wanted = new Map<number, string>();
    if (this.cfg.enabled()) {
      const rows = this.d.db.prepare("SELECT id, rtsp_url FROM camera WHERE enabled = 1 AND rtsp_url IS NOT NULL AND rtsp_url <> ''").all() as {
        id: number;
        rtsp_url: string;
      }[];
      for (const r of rows) wanted.set(r.id, r.rtsp_url);
    }
    for (const [id, slot] of this.slots) {
      if (wanted.get(id) !== slot.url) await this.drop(id);
    }
    for (const [id, url] of wanted) {
      if (!this.slots.has(id)) {
        const slot: Slot = { url, status: { state: 'starting', restarts: 0, lastError: null }, backoffMs: MIN_BACKOFF };
        this.slots.set(id, slot);
        this.launch(id, slot);
      }
    }
  }

  private async drop(id: number) {
    const slot = this.slots.get(id);
    if (!slot) return;
    this.slots.delete(id);
    if (slot.timer) clearTimeout(slot.timer);
    slot.status.state = 'stopped';
    await slot.recorder?.stop();
  }

  private launch(cameraId: number, slot: Slot) {
    const { d } = this;
    slot.status.state = 'starting';
    const rec = new Recorder({
      ffmpegPath: d.ffmpegPath,
      dataDir: d.dataDir,
      cameraId,
      url: this.cfg.streamUrl(cameraId, slot.url),
      transport: this.cfg.transport(),
      segmentSeconds: this.cfg.segmentSeconds(),
      onSegment: (seg) => {
        slot.status.state = 'recording';
        slot.backoffMs = MIN_BACKOFF;
        const now = d.clock.now();
        const id = d.db.transaction(() => {
          const segId = insertSegment(d.db, { cameraId, path: seg.path, start: seg.start, end: seg.end, bytes: seg.bytes, source: 'recorder', now });
          const open = d.db.prepare('SELECT id, start_ms FROM recording_gap WHERE camera_id = ? AND end_ms IS NULL').all(cameraId) as {
            id: number;
            start_ms: number;
          }[];
          for (const g of open) {
            const end = Math.max(g.start_ms, seg.start);
            d.db.prepare('UPDATE recording_gap SET end_ms = ? WHERE id = ?').run(end, g.id);
            d.events.emit('recording.resumed', { cameraId, gapStart: g.start_ms, gapEnd: end });
          }
          return segId;
        })();
        if (id) d.events.emit('recording.segmentIndexed', { cameraId, segmentId: id, start: seg.start, end: seg.end });
      },
      onExit: (reason) => {
        if (this.slots.get(cameraId) !== slot) return;
        // ffmpeg echoes the URL in its errors; keep credentials out of status, logs and the gap table.
        slot.status.lastError = reason.replace(/(rtsps?:\/\/)[^@/\s]*@/gi, '$1***@').slice(0, 500);
        slot.status.restarts++;
        slot.status.state = 'backoff';
        const hasOpen = d.db.prepare('SELECT 1 FROM recording_gap WHERE camera_id = ? AND end_ms IS NULL').get(cameraId);
        if (!hasOpen) {
          const last = d.db.prepare('SELECT max(end_ms) AS e FROM recording_segment WHERE camera_id = ?').get(cameraId) as { e: number | null };
          const now = d.clock.now();
          const start = last.e !== null && last.e > now - 10 * 60_000 ? last.e : now;
          d.db
            .prepare('INSERT INTO recording_gap (camera_id, start_ms, end_ms, reason, created_at) VALUES (?, ?, NULL, ?, ?)')
            .run(cameraId, start, slot.status.lastError, now);
          d.logger.warn('recorder stopped; gap opened', { cameraId });
          d.events.emit('recording.gapOpened', { cameraId, start, reason: slot.status.lastError });
        }
        const wait = slot.backoffMs;
        slot.backoffMs = Math.min(MAX_BACKOFF, slot.backoffMs * 2);
        slot.timer = setTimeout(() => {
          if (this.running && this.slots.get(cameraId) === slot) this.launch(cameraId, slot);
        }, wait);
        slot.timer.unref();
      },
    });
    slot.recorder = rec;
    rec.start();
  }

  /**
   * Segments left in a scratch folder by a process that was killed: their start is unknown to
   * ffmpeg's list, so take the file's last write as its end and ffprobe's duration for its length.
   */
  private async recoverScratch() {
    const { d } = this;
    const cams = d.db.prepare('SELECT id FROM camera').all() as { id: number }[];
    for (const { id } of cams) {
      const dir = join(d.dataDir, scratchDir(id));
      let files: string[];
      try {
        files = readdirSync(dir);
      } catch {
        continue;
      }
      for (const f of files) {
        const abs = join(dir, f);
        try {
          const st = statSync(abs);
          const info = await ffprobe(d.ffprobePath, abs);
          if (!info.durationMs || info.durationMs <= 0) throw new Error('empty');
          const end = Math.round(st.mtimeMs);
          const start = end - info.durationMs;
          const day = new Date(start).toISOString().slice(0, 10);
          const rel = `${cameraDir(id)}/${day}/${stampName(start)}.mkv`;
          mkdirSync(join(d.dataDir, cameraDir(id), day), { recursive: true });
          renameSync(abs, join(d.dataDir, rel));
          insertSegment(d.db, { cameraId: id, path: rel, start, end, bytes: st.size, source: 'recorder', now: d.clock.now() });
        } catch {
          rmSync(abs, { force: true });
        }
      }
    }
  }
}
