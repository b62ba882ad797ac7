import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Db } from '../db/open.js';
import { ffmpeg, ffprobe } from './ffmpeg.js';
import { missingRanges, resolveMedia, segmentsIn, type Range, type SegmentRow } from './segments.js';

/**
 * Cuts one clip [windowStart, windowEnd) of one camera from the recording index. Stream copy
 * through a concat list with inpoint/outpoint (starts at the keyframe at or before the window);
 * "exact" re-encodes that cut from the true first frame. Never `-ss` before the input with `-t`
 * after plus `-avoid_negative_ts`: that combination produced clips many times too long.
 */

export interface CutTools {
  db: Db;
  dataDir: string;
  ffmpegPath: string;
  ffprobePath: string;
}

export interface CutRequest {
  cameraId: number;
  windowStart: number;
  windowEnd: number;
  /** The flagged moment (recording time): the thumbnail shows it and the preview centres on it. */
  at: number;
  mode: 'copy' | 'exact';
  /** Absolute final path of the .mp4; thumbnail and preview go beside it. */
  outPath: string;
  /** Scratch folder on the same filesystem as outPath. */
  tmpDir: string;
  signal?: AbortSignal;
  onProgress?(p: number): void;
}

export type CutResult =
  | {
      kind: 'clip';
      start: number;
      end: number;
      durationMs: number;
      bytes: number;
      sha256: string;
      missing: Range[];
    }
  | { kind: 'missing'; missing: Range[] };

export function sidecarPaths(outPath: string): { thumb: string; preview: string } {
  const base = outPath.replace(/\.mp4$/i, '');
  return { thumb: `${base}.jpg`, preview: `${base}.preview.mp4` };
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Quotes a path for an ffconcat `file` line. */
const concatQuote = (p: string) => `'${p.replace(/'/g, "'\\''")}'`;

export interface ConcatPlan {
  list: string;
  coveredStart: number;
  coveredEnd: number;
  segments: SegmentRow[];
}

/** Builds the ffconcat list for a window; overlapping segments (e.g. a DVR export and our own recording) are trimmed so no instant appears twice. */
export function planConcat(dataDir: string, segs: SegmentRow[], from: number, to: number): ConcatPlan | null {
  const lines = ['ffconcat version 1.0'];
  let cursor = from;
  let coveredStart: number | null = null;
  const used: SegmentRow[] = [];
  for (const s of segs) {
    if (s.end_ms <= cursor) continue;
    const begin = Math.max(cursor, s.start_ms);
    const finish = Math.min(to, s.end_ms);
    if (finish <= begin) continue;
    coveredStart ??= begin;
    lines.push(`file ${concatQuote(resolveMedia(dataDir, s.path))}`);
    if (begin > s.start_ms) lines.push(`inpoint ${((s.file_start_ms + begin - s.start_ms) / 1000).toFixed(3)}`);
    if (finish < s.end_ms) lines.push(`outpoint ${((s.file_start_ms + finish - s.start_ms) / 1000).toFixed(3)}`);
    used.push(s);
    cursor = finish;
    if (cursor >= to) break;
  }
  if (coveredStart === null) return null;
  return { list: lines.join('\n') + '\n', coveredStart, coveredEnd: cursor, segments: used };
}

export async function cutClip(t: CutTools, req: CutRequest): Promise<CutResult> {
  const segs = segmentsIn(t.db, req.cameraId, req.windowStart, req.windowEnd);
  const missing = missingRanges(
    segs.map((s) => ({ start: s.start_ms, end: s.end_ms })),
    req.windowStart,
    req.windowEnd,
  );
  const plan = planConcat(t.dataDir, segs, req.windowStart, req.windowEnd);
  if (!plan) return { kind: 'missing', missing: [{ start: req.windowStart, end: req.windowEnd }] };

  await mkdir(req.tmpDir, { recursive: true });
  await mkdir(dirname(req.outPath), { recursive: true });
  const stem = join(req.tmpDir, `job-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  const listFile = `${stem}.ffconcat`;
  const copyOut = `${stem}.copy.mp4`;
  const exactOut = `${stem}.exact.mp4`;
  const report = (p: number) => req.onProgress?.(Math.min(1, Math.max(0, p)));
  const span = plan.coveredEnd - plan.coveredStart;
  try {
    await writeFile(listFile, plan.list);
    await ffmpeg(
      t.ffmpegPath,
      ['-f', 'concat', '-safe', '0', '-i', listFile, '-map', '0:v:0', '-map', '0:a:0?', '-c:v', 'copy', '-c:a', 'aac', '-b:a', '64k',
        '-movflags', '+faststart', '-progress', 'pipe:1', '-nostats', copyOut],
      { signal: req.signal, onProgress: (ms) => report((ms / span) * (req.mode === 'exact' ? 0.3 : 0.7)) },
    );
    // A stream-copy cut starts at the keyframe at or before the window; its true start follows from its length.
    const copyDur = (await mp4DurationMs(copyOut)) ?? (await ffprobe(t.ffprobePath, copyOut)).durationMs ?? span;
    let lead = Math.max(0, copyDur - span);
    let final = copyOut;
    let durationMs = copyDur;
    if (req.mode === 'exact') {
      await ffmpeg(
        t.ffmpegPath,
        ['-i', copyOut, '-ss', (lead / 1000).toFixed(3), '-t', (span / 1000).toFixed(3), '-map', '0:v:0', '-map', '0:a:0?',
          '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k',
          '-movflags', '+faststart', '-progress', 'pipe:1', '-nostats', exactOut],
        { signal: req.signal, onProgress: (ms) => report(0.3 + (ms / span) * 0.6) },
      );
      final = exactOut;
      lead = 0;
      durationMs = (await mp4DurationMs(exactOut)) ?? (await ffprobe(t.ffprobePath, exactOut)).durationMs ?? span;
    }
    const start = plan.coveredStart - lead;
    const sha256 = await sha256File(final);
    const bytes = (await stat(final)).size;
    await rename(final, req.outPath);
    // Evidence is never modified in place: read-only from the moment it exists under its name.
    await chmod(req.outPath, 0o444);
    report(1);
    return { kind: 'clip', start, end: start + durationMs, durationMs, bytes, sha256, missing };
  } finally {
    await Promise.all([listFile, copyOut, exactOut].map((f) => rm(f, { force: true })));
  }
}

/**
 * The movie duration from the mvhd box of an MP4 written with faststart (moov first): the same
 * figure ffprobe reports, without starting a process on the hot path.
 */
export async function mp4DurationMs(file: string): Promise<number | null> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const at = buf.subarray(0, bytesRead).indexOf('mvhd', 0, 'latin1');
    if (at < 4) return null;
    const version = buf[at + 4];
    const body = at + 8; // after version + flags
    let timescale: number;
    let duration: number;
    if (version === 1) {
      timescale = buf.readUInt32BE(body + 16);
      duration = Number(buf.readBigUInt64BE(body + 20));
    } else {
      timescale = buf.readUInt32BE(body + 8);
      duration = buf.readUInt32BE(body + 12);
    }
    return timescale > 0 ? Math.round((duration / timescale) * 1000) : null;
  } finally {
    await fh.close();
  }
}

/** Thumbnail at the flagged moment and a 4 s low-res preview around it, beside the clip, read-only. */
export async function makeSidecars(
  t: { ffmpegPath: string },
  clipPath: string,
  atOffsetMs: number,
  durationMs: number,
  tmpDir: string,
  signal?: AbortSignal,
): Promise<{ thumb: string; preview: string }> {
  const side = sidecarPaths(clipPath);
  await mkdir(tmpDir, { recursive: true });
  const stem = join(tmpDir, `side-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  const thumbOut = `${stem}.jpg`;
  const previewOut = `${stem}.preview.mp4`;
  try {
    const at = Math.min(Math.max(0, atOffsetMs), Math.max(0, durationMs - 200));
    // Both re-encode, so -ss before -i is frame-exact here.
    await ffmpeg(t.ffmpegPath, ['-ss', (at / 1000).toFixed(3), '-i', clipPath, '-frames:v', '1', '-vf', 'scale=320:-2', '-q:v', '4', thumbOut], { signal });
    const pvStart = Math.max(0, Math.min(at - 2000, durationMs - 4000));
    await ffmpeg(
      t.ffmpegPath,
      ['-ss', (pvStart / 1000).toFixed(3), '-i', clipPath, '-t', '4', '-map', '0:v:0', '-an', '-vf', 'scale=160:-2', '-c:v', 'libx264', '-preset', 'ultrafast',
        '-crf', '30', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', previewOut],
      { signal },
    );
    await rm(side.thumb, { force: true });
    await rm(side.preview, { force: true });
    await rename(thumbOut, side.thumb);
    await rename(previewOut, side.preview);
    await Promise.all([side.thumb, side.preview].map((f) => chmod(f, 0o444)));
    return side;
  } finally {
    await Promise.all([thumbOut, previewOut].map((f) => rm(f, { force: true })));
  }
}
