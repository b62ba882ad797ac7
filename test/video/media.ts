import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stampName } from '../../services/core/video/segments.js';

/** Test recordings made by the real ffmpeg: testsrc2 with the wall clock burned in, keyframes every 2 s. */

export const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
let drawtext: boolean | undefined;
export function hasDrawtext(): boolean {
  if (drawtext === undefined) {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-filters'], { encoding: 'utf8' });
    drawtext = / drawtext /.test(r.stdout);
  }
  return drawtext;
}

export interface Made {
  file: string;
  start: number;
  end: number;
}

export function ffmpegSync(args: string[]): string {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return r.stdout;
}

export function ffprobeJson(file: string, extra: string[] = ['-show_format', '-show_streams']): any {
  const r = spawnSync('ffprobe', ['-v', 'error', '-print_format', 'json', ...extra, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Writes `seconds` of video starting at epoch `startMs` as segment files named by `name(start)`
 * (default: Penny's own UTC stamp) and returns each file with its true start and end.
 */
export function makeRecording(
  dir: string,
  o: { startMs: number; seconds: number; segmentSeconds?: number; size?: string; fps?: number; name?: (startMs: number, endMs: number) => string; ext?: string },
): Made[] {
  const fps = o.fps ?? 10;
  const segs = o.segmentSeconds ?? 60;
  const ext = o.ext ?? 'mkv';
  const scratch = join(dir, `.gen-${process.pid}-${Date.now()}`);
  mkdirSync(scratch, { recursive: true });
  const epoch = Math.floor(o.startMs / 1000);
  const vf = hasDrawtext()
    ? [`drawtext=fontfile=${FONT}:fontsize=20:fontcolor=white:box=1:boxcolor=black:x=8:y=8:text='%{pts\\:gmtime\\:${epoch}\\:%H\\\\\\:%M\\\\\\:%S}'`]
    : [];
  ffmpegSync([
    '-f', 'lavfi', '-i', `testsrc2=size=${o.size ?? '320x240'}:rate=${fps}`,
    ...(vf.length ? ['-vf', vf[0]!] : []),
    '-t', String(o.seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-g', String(fps * 2), '-keyint_min', String(fps * 2), '-sc_threshold', '0',
    '-f', 'segment', '-segment_time', String(segs), '-reset_timestamps', '1',
    '-segment_format', ext === 'mp4' ? 'mp4' : ext === 'ts' ? 'mpegts' : 'matroska',
    '-segment_list', join(scratch, 'list.csv'), '-segment_list_type', 'csv',
    join(scratch, `seg_%04d.${ext}`),
  ]);
  const out: Made[] = [];
  for (const line of readFileSync(join(scratch, 'list.csv'), 'utf8').trim().split('\n')) {
    const [f, a, b] = line.split(',');
    const start = o.startMs + Math.round(Number(a) * 1000);
    const end = o.startMs + Math.round(Number(b) * 1000);
    const name = o.name ? o.name(start, end) : `${stampName(start)}.${ext}`;
    const target = join(dir, name);
    mkdirSync(join(target, '..'), { recursive: true });
    renameSync(join(scratch, f!), target);
    out.push({ file: target, start, end });
  }
  rmSync(scratch, { recursive: true, force: true });
  return out;
}

/** Presentation times of the first and last video frames, in ms from the start of the file. */
export function frameSpan(file: string): { first: number; last: number; duration: number; keyframes: number[] } {
  const j = ffprobeJson(file, ['-select_streams', 'v:0', '-show_entries', 'frame=pts_time,key_frame', '-show_format']);
  const frames = (j.frames as { pts_time: string; key_frame: number }[]).map((f) => ({ t: Math.round(Number(f.pts_time) * 1000), k: f.key_frame }));
  return { first: frames[0]!.t, last: frames.at(-1)!.t, duration: Math.round(Number(j.format.duration) * 1000), keyframes: frames.filter((f) => f.k).map((f) => f.t) };
}
