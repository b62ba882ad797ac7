import { spawn } from 'node:child_process';
import { devNull } from 'node:os';
import { PennyError } from '../../contract/errors.js';

/** A camera URL for messages and logs: host and path only, never the user or password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Runs a tool with a hard wall-clock limit; camera URLs can hang forever on a dead host. */
export function run(bin: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 8000) err += b.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new PennyError('unavailable', `Cannot run ${bin}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err, ms: performance.now() - started, timedOut });
    });
  });
}

/** The first ffmpeg error line (the cause; later lines are consequences), without credentials. */
export function ffError(stderr: string, url: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(url).join(redactUrl(url)).replace(/rtsp:\/\/[^@\s/]*@/g, 'rtsp://'));
  return lines.find((l) => !/^\s*(Input|Stream|Output|Error initializing)/.test(l)) ?? lines[0] ?? 'no frames';
}

export interface StreamTest {
  codec: string;
  width: number;
  height: number;
  fps: number | null;
  firstFrameMs: number;
}

const RTSP_TIMEOUT_US = '5000000';

function fpsOf(rate: string | undefined): number | null {
  if (!rate) return null;
  const [n, d] = rate.split('/').map(Number);
  if (!n || !d) return null;
  return Math.round((n / d) * 100) / 100;
}

/**
 * Test connection: ffprobe reads codec, resolution and frame rate while, on a second connection,
 * ffmpeg decodes the first frame; the time to that frame is the latency a viewer would wait.
 * (ffprobe cannot stop after one frame on a live RTSP stream: its read intervals need a seek.)
 */
export async function probeStream(ffprobe: string, ffmpeg: string, url: string, timeoutMs = 15000): Promise<StreamTest> {
  const started = performance.now();
  const firstFrame = grabFrame(ffmpeg, url, timeoutMs).then(
    () => Math.round(performance.now() - started),
    (e: unknown) => e as Error,
  );
  const r = await run(
    ffprobe,
    [
      '-v', 'error',
      ...(url.startsWith('rtsp') ? ['-timeout', RTSP_TIMEOUT_US] : []),
      '-select_streams', 'v:0',
      '-show_entries', 'stream=codec_name,width,height,avg_frame_rate,r_frame_rate',
      '-of', 'json',
      url,
    ],
    timeoutMs,
  );
  const where = redactUrl(url);
  const latency = await firstFrame;
  if (r.timedOut) throw new PennyError('unavailable', `${where}: no video within ${Math.round(timeoutMs / 1000)} s`);
  let parsed: { streams?: { codec_name?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string }[] } = {};
  try {
    parsed = JSON.parse(r.stdout.toString() || '{}') as typeof parsed;
  } catch {
    parsed = {};
  }
  const s = parsed.streams?.[0];
  if (r.code !== 0 || !s) {
    const why = ffError(r.stderr, url);
    const auth = /401|Unauthorized/i.test(r.stderr);
    throw new PennyError(auth ? 'invalid_input' : 'unavailable', auth ? `401 from ${hostname(url)}: wrong user or password` : `${where}: ${s ? why : `no video stream (${why})`}`, {
      field: auth ? 'password' : 'rtspUrl',
    });
  }
  if (latency instanceof Error) throw latency;
  return {
    codec: s.codec_name ?? 'unknown',
    width: s.width ?? 0,
    height: s.height ?? 0,
    fps: fpsOf(s.avg_frame_rate) ?? fpsOf(s.r_frame_rate),
    firstFrameMs: latency,
  };
}

const hostname = (url: string) => {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
};

/** One JPEG frame from the stream, in memory. */
export async function grabFrame(ffmpeg: string, url: string, timeoutMs = 15000): Promise<Buffer> {
  const r = await run(
    ffmpeg,
    [
      '-v', 'error', '-nostdin',
      ...(url.startsWith('rtsp') ? ['-timeout', RTSP_TIMEOUT_US] : []),
      // ffmpeg's default 5 s probe doubles the wait for one frame; 2 s still spans a common 2 s GOP.
      '-analyzeduration', '2000000', '-probesize', '2000000',
      '-i', url,
      '-frames:v', '1', '-an', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '3', 'pipe:1',
    ],
    timeoutMs,
  );
  if (r.timedOut) throw new PennyError('unavailable', `${redactUrl(url)}: no frame within ${Math.round(timeoutMs / 1000)} s`);
  if (r.code !== 0 || r.stdout.length < 4 || r.stdout[0] !== 0xff || r.stdout[1] !== 0xd8) {
    throw new PennyError('unavailable', `${redactUrl(url)}: could not grab a frame (${ffError(r.stderr, url)})`);
  }
  return r.stdout;
}

export interface StreamSample {
  frames: number;
  bytes: number;
  seconds: number;
  error?: string;
}

/** Reads the stream for a couple of seconds without decoding: frames seen and bytes, for health. */
export async function sampleStream(ffmpeg: string, url: string, seconds: number, timeoutMs: number): Promise<StreamSample> {
  const r = await run(
    ffmpeg,
    [
      '-v', 'error', '-nostdin', '-nostats',
      ...(url.startsWith('rtsp') ? ['-timeout', RTSP_TIMEOUT_US] : []),
      '-i', url,
      '-t', String(seconds), '-map', '0:v:0', '-c', 'copy',
      // Muxed to MPEG-TS and thrown away: the null muxer would not count bytes for the bitrate.
      '-f', 'mpegts', '-y', devNull,
      '-progress', 'pipe:1',
    ],
    timeoutMs,
  );
  const text = r.stdout.toString();
  const last = (key: string) => {
    const all = [...text.matchAll(new RegExp(`^${key}=(\\S+)$`, 'gm'))];
    return all.length ? Number(all.at(-1)![1]) : 0;
  };
  const frames = last('frame') || 0;
  const bytes = last('total_size') || 0;
  const us = last('out_time_us') || last('out_time_ms');
  return {
    frames,
    bytes,
    seconds: us > 0 ? us / 1e6 : seconds,
    ...(frames === 0 ? { error: r.timedOut ? 'no frames before the time limit' : ffError(r.stderr, url) } : {}),
  };
}
