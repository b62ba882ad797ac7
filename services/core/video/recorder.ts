import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stderrTail } from './ffmpeg.js';
import { stampName } from './segments.js';

/**
 * One ffmpeg process recording one camera into segment files by stream copy. Timestamps are the
 * station's wall clock at arrival (`-use_wallclock_as_timestamps`), so the input's start time that
 * ffmpeg prints is an epoch instant, and the segment list it writes on stdout as each segment
 * closes gives every segment's exact start and end. Files are written under a scratch name and
 * renamed to their UTC start time once closed.
 */

export interface ClosedSegment {
  /** Relative to the data dir. */
  path: string;
  start: number;
  end: number;
  bytes: number;
}

export interface RecorderOptions {
  ffmpegPath: string;
  dataDir: string;
  cameraId: number;
  url: string;
  transport: 'tcp' | 'udp';
  segmentSeconds: number;
  onSegment(seg: ClosedSegment): void;
  /** The process ended (not through stop()). */
  onExit(reason: string): void;
}

export const cameraDir = (cameraId: number) => `recordings/cam-${cameraId}`;
export const scratchDir = (cameraId: number) => `${cameraDir(cameraId)}/.rec`;

export class Recorder {
  private child?: ChildProcess;
  private stopped = false;
  private t0: number | null = null;
  private stderr = '';
  private stdoutBuf = '';
  private readonly runId = Date.now().toString(36);
  private watchdog?: NodeJS.Timeout;
  private lastActivity = Date.now();

  constructor(private readonly o: RecorderOptions) {}

  start(): void {
    const scratch = join(this.o.dataDir, scratchDir(this.o.cameraId));
    mkdirSync(scratch, { recursive: true });
    const args = [
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info',
      '-rtsp_transport', this.o.transport,
      // Socket I/O timeout (µs): a silent source ends the process, and the supervisor restarts it.
      '-timeout', String(5_000_000),
      '-use_wallclock_as_timestamps', '1',
      '-i', this.o.url,
      '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy',
      '-f', 'segment', '-segment_time', String(this.o.segmentSeconds), '-segment_format', 'matroska',
      '-reset_timestamps', '1', '-segment_list', 'pipe:1', '-segment_list_type', 'csv',
      join(scratch, `${this.runId}_%06d.mkv`),
    ];
    const child = spawn(this.o.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.setEncoding('utf8').on('data', (c: string) => this.onStderr(c));
    child.stdout!.setEncoding('utf8').on('data', (c: string) => this.onStdout(c));
    child.on('error', (err) => this.finish(`could not start ffmpeg: ${err.message}`));
    child.on('close', (code, signal) => this.finish(`ffmpeg ended (${signal ?? `exit ${code}`}): ${stderrTail(this.stderr, 2) || 'no output'}`));
    // A source that stalls without closing the socket would leave a recorder that records nothing.
    const limit = (this.o.segmentSeconds * 3 + 30) * 1000;
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastActivity > limit) child.kill('SIGKILL');
    }, 5000);
    this.watchdog.unref();
  }

  /** Stops gracefully so ffmpeg closes (and lists) the segment it is writing. */
  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    child.kill('SIGINT');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await closed;
    clearTimeout(t);
  }

  private finish(reason: string) {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    if (this.stdoutBuf.trim()) this.onStdout('\n');
    if (!this.stopped) {
      this.stopped = true;
      this.o.onExit(reason);
    }
  }

  private onStderr(c: string) {
    this.lastActivity = Date.now();
    this.stderr = (this.stderr + c).slice(-16_384);
    if (this.t0 === null) {
      const m = /Duration: [^,]*, start: (\d+\.\d+)/.exec(this.stderr);
      if (m) this.t0 = Math.round(Number(m[1]) * 1000);
    }
  }

  private onStdout(c: string) {
    this.lastActivity = Date.now();
    this.stdoutBuf += c;
    let nl: number;
    while ((nl = this.stdoutBuf.indexOf('\n')) >= 0) {
      const line = this.stdoutBuf.slice(0, nl).trim();
      this.stdoutBuf = this.stdoutBuf.slice(nl + 1);
      const m = /^(.*),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(line);
      if (!m || this.t0 === null) continue;
      const file = m[1]!;
      const start = this.t0 + Math.round(Number(m[2]) * 1000);
      const end = this.t0 + Math.round(Number(m[3]) * 1000);
      if (end <= start) continue;
      const from = join(this.o.dataDir, scratchDir(this.o.cameraId), file.split(/[\\/]/).pop()!);
      const day = new Date(start).toISOString().slice(0, 10);
      const rel = `${cameraDir(this.o.cameraId)}/${day}/${stampName(start)}.mkv`;
      try {
        mkdirSync(join(this.o.dataDir, cameraDir(this.o.cameraId), day), { recursive: true });
        renameSync(from, join(this.o.dataDir, rel));
        this.o.onSegment({ path: rel, start, end, bytes: statSync(join(this.o.dataDir, rel)).size });
      } catch {
        // The file vanished (disk cleaned by hand); the next segment goes on.
      }
    }
  }
}
