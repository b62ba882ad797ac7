import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { PennyError } from '../../contract/errors.js';
import type { Db } from '../db/open.js';
import { ffprobe } from './ffmpeg.js';
import { insertSegment, parseStamp } from './segments.js';

/**
 * Indexes the files of a DVR/NVR export folder. The start time comes from the file name (a preset
 * or a custom pattern, read in the DVR's time zone) or, with "probe", from the container's
 * creation time; the length always comes from ffprobe, which also proves the file is readable.
 */

export const VIDEO_EXTS = new Set(['.mp4', '.mkv', '.ts', '.m2ts', '.mov']);

export interface NameTimes {
  start: number;
  /** When the name carries the end too (Dahua, some Hikvision exports). */
  end?: number;
}

/** Returns a parser for a preset or a custom token pattern, or throws naming what is wrong. */
export function nameParser(pattern: string, zone: string): ((path: string) => NameTimes | null) | 'probe' {
  const local = (y: number, mo: number, d: number, h: number, mi: number, s: number) => {
    const dt = DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi, second: s }, { zone });
    return dt.isValid ? dt.toMillis() : null;
  };
  const stamp14 = (s: string) => local(+s.slice(0, 4), +s.slice(4, 6), +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14));
  switch (pattern) {
    case 'probe':
      return 'probe';
    case 'penny':
      return (p) => {
        const start = parseStamp(basename(p));
        return start === null ? null : { start };
      };
    case 'hikvision':
      // ch01_20260115120000[_20260115121500].mp4
      return (p) => {
        const m = /ch\d+_(\d{14})(?:_(\d{14}))?/i.exec(basename(p));
        if (!m) return null;
        const start = stamp14(m[1]!);
        if (start === null) return null;
        const end = m[2] ? stamp14(m[2]) : null;
        return end !== null && end > start ? { start, end } : { start };
      };
    case 'dahua':
      // 2026-01-15/001/dav/12/12.00.00-12.15.00[M][0@0][0].mp4 — the date is the nearest dated folder.
      return (p) => {
        const m = /(\d{2})\.(\d{2})\.(\d{2})-(\d{2})\.(\d{2})\.(\d{2})/.exec(basename(p));
        if (!m) return null;
        let dir = dirname(p);
        let date: RegExpExecArray | null = null;
        for (let i = 0; i < 8 && !date; i++) {
          date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(basename(dir));
          const up = dirname(dir);
          if (up === dir) break;
          dir = up;
        }
        if (!date) return null;
        const [y, mo, d] = [+date[1]!, +date[2]!, +date[3]!];
        const start = local(y, mo, d, +m[1]!, +m[2]!, +m[3]!);
        let end = local(y, mo, d, +m[4]!, +m[5]!, +m[6]!);
        if (start === null || end === null) return null;
        if (end <= start) end += 86_400_000; // ran past midnight
        return { start, end };
      };
  }
  const tokens = ['YYYY', 'MM', 'DD', 'hh', 'mm', 'ss'] as const;
  if (!tokens.slice(0, 5).every((t) => pattern.includes(t))) {
    throw new PennyError(
      'invalid_input',
      `pattern "${pattern}" is neither a preset (hikvision, dahua, penny, probe) nor a pattern with YYYY MM DD hh mm [ss], e.g. "cam1_YYYYMMDD_hhmmss"`,
      { field: 'pattern' },
    );
  }
  let src = '';
  const order: string[] = [];
  for (let i = 0; i < pattern.length; ) {
    const tok = tokens.find((t) => pattern.startsWith(t, i));
    if (tok) {
      src += tok === 'YYYY' ? '(\\d{4})' : '(\\d{2})';
      order.push(tok);
      i += tok.length;
    } else if (pattern[i] === '*') {
      src += '.*?';
      i++;
    } else {
      src += pattern[i]!.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  const re = new RegExp(src);
  return (p) => {
    const m = re.exec(basename(p));
    if (!m) return null;
    const v = (t: string) => {
      const i = order.indexOf(t);
      return i < 0 ? 0 : +m[i + 1]!;
    };
    const start = local(v('YYYY'), v('MM'), v('DD'), v('hh'), v('mm'), v('ss'));
    return start === null ? null : { start };
  };
}

async function walk(dir: string, out: string[]) {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && VIDEO_EXTS.has(extname(e.name).toLowerCase())) out.push(p);
  }
}

export interface IndexResult {
  indexed: number;
  already: number;
  skipped: { file: string; reason: string }[];
}

export async function indexFile(
  t: { db: Db; ffprobePath: string; now: number },
  cameraId: number,
  file: string,
  parse: ReturnType<typeof nameParser>,
): Promise<'indexed' | 'already' | { reason: string }> {
  if (t.db.prepare('SELECT 1 FROM recording_segment WHERE path = ?').get(file)) return 'already';
  let times: NameTimes | null = null;
  if (parse !== 'probe') {
    times = parse(file);
    if (!times) return { reason: 'name does not match the pattern' };
  }
  let info;
  try {
    info = await ffprobe(t.ffprobePath, file);
  } catch (err) {
    return { reason: `not a readable video: ${(err as Error).message.split(': ').slice(1).join(': ') || 'ffprobe failed'}` };
  }
  if (!info.video) return { reason: 'has no video stream' };
  if (!info.durationMs || info.durationMs <= 0) return { reason: 'has no duration (an unfinished recording?)' };
  if (parse === 'probe') {
    if (info.creationTime === null) return { reason: 'no creation_time tag in the file; use a name pattern' };
    times = { start: info.creationTime };
  }
  const start = times!.start;
  const end = start + info.durationMs;
  const bytes = (await stat(file)).size;
  insertSegment(t.db, { cameraId, path: file, start, end, bytes, fileStartMs: Math.max(0, info.startMs ?? 0), source: 'import', now: t.now });
  return 'indexed';
}

export async function indexFolder(
  t: { db: Db; ffprobePath: string; now: number },
  cameraId: number,
  dir: string,
  parse: ReturnType<typeof nameParser>,
): Promise<IndexResult> {
  const root = resolve(dir);
  try {
    if (!(await stat(root)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new PennyError('invalid_input', `Folder "${dir}" does not exist or is not a folder.`, { field: 'dir' });
  }
  const files: string[] = [];
  await walk(root, files);
  files.sort();
  const res: IndexResult = { indexed: 0, already: 0, skipped: [] };
  for (const f of files) {
    const r = await indexFile(t, cameraId, f, parse);
    if (r === 'indexed') res.indexed++;
    else if (r === 'already') res.already++;
    else res.skipped.push({ file: f, reason: r.reason });
  }
  return res;
}
