import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The one place that starts ffmpeg/ffprobe. Arguments are always arrays (no shell), progress comes
 * from `-progress pipe:1`, and stderr is kept (bounded) for error messages.
 */

export interface FfmpegResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** The last lines of ffmpeg's stderr, which carry the actual reason for a failure. */
export function stderrTail(stderr: string, lines = 4): string {
  return stderr.trim().split('\n').slice(-lines).join(' | ');
}

const MAX_STDERR = 64 * 1024;

export interface RunOptions {
  /** Called with out_time in ms each time ffmpeg reports progress (needs `-progress pipe:1` in args). */
  onProgress?(outTimeMs: number): void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** Parses `-progress` key=value blocks; returns the out_time in ms for each completed block. */
export function progressParser(onOutTime: (ms: number) => void): (chunk: string) => void {
  let buf = '';
  let last = 0;
  return (chunk) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      // out_time_us is microseconds; out_time_ms is also microseconds (a long-standing ffmpeg quirk).
      if (key === 'out_time_us' || key === 'out_time_ms') {
        const n = Number(value);
        if (Number.isFinite(n) && n >= 0) last = Math.floor(n / 1000);
      } else if (key === 'progress') onOutTime(last);
    }
  };
}

export function runFfmpeg(bin: string, args: string[], opts: RunOptions = {}): Promise<FfmpegResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? { ...process.env, TZ: 'UTC' } });
    } catch (err) {
      reject(err);
      return;
    }
    let stderr = '';
    const onProgress = opts.onProgress ? progressParser(opts.onProgress) : undefined;
    child.stdout!.setEncoding('utf8').on('data', (c: string) => onProgress?.(c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      if (stderr.length > MAX_STDERR) stderr = stderr.slice(-MAX_STDERR);
    });
    const abort = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (err) => {
      opts.signal?.removeEventListener('abort', abort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', abort);
      resolve({ code, signal, stderr });
    });
  });
}

/** Runs ffmpeg and throws FfmpegError (with the stderr tail) unless it exits 0. */
export async function ffmpeg(bin: string, args: string[], opts: RunOptions = {}): Promise<void> {
  const r = await runFfmpeg(bin, ['-hide_banner', '-nostdin', '-y', ...args], opts);
  if (r.code !== 0) throw new FfmpegError(`ffmpeg failed (${r.signal ?? `exit ${r.code}`}): ${stderrTail(r.stderr)}`, r.stderr);
}

export interface ProbeInfo {
  durationMs: number | null;
  startMs: number | null;
  /** Creation time from container tags, when the recorder wrote one. */
  creationTime: number | null;
  video: { codec: string; width: number; height: number } | null;
}

export async function ffprobe(bin: string, file: string): Promise<ProbeInfo> {
  let json: string;
  try {
    json = await captureStdout(bin, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  } catch (err) {
    const e = err as FfmpegError;
    throw new FfmpegError(`ffprobe could not read ${file}: ${stderrTail(e.stderr ?? String(err), 2)}`, e.stderr ?? '');
  }
  const parsed = JSON.parse(json) as {
    format?: { duration?: string; start_time?: string; tags?: Record<string, string> };
    streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; duration?: string }[];
  };
  const num = (s?: string) => (s !== undefined && Number.isFinite(Number(s)) ? Math.round(Number(s) * 1000) : null);
  const v = parsed.streams?.find((s) => s.codec_type === 'video');
  const ct = parsed.format?.tags?.creation_time;
  return {
    durationMs: num(parsed.format?.duration) ?? num(v?.duration),
    startMs: num(parsed.format?.start_time),
    creationTime: ct && !Number.isNaN(Date.parse(ct)) ? Date.parse(ct) : null,
    video: v ? { codec: v.codec_name ?? '?', width: v.width ?? 0, height: v.height ?? 0 } : null,
  };
}

/** Runs a tool and returns its stdout; throws with the stderr tail on a non-zero exit. */
export function captureStdout(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c.slice(0, MAX_STDERR)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new FfmpegError(`${bin} exited ${code}: ${stderrTail(err, 2)}`, err))));
  });
}
