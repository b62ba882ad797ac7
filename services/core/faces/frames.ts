import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PennyError } from '../../contract/errors.js';

const run = promisify(execFile);

async function durationMs(ffprobe: string, path: string): Promise<number> {
  try {
    const { stdout } = await run(ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', path]);
    const s = Number(stdout.trim());
    if (!Number.isFinite(s) || s <= 0) throw new Error(`no duration (${stdout.trim() || 'empty'})`);
    return Math.round(s * 1000);
  } catch (err) {
    throw new PennyError('invalid_input', `${path} is not a readable video: ${(err as Error).message.split('\n')[0]}`, { field: 'video.path' });
  }
}

/**
 * Samples `count` frames evenly across [startMs, endMs) of a clip as JPEG bytes. One ffmpeg run with
 * an fps filter; the frames live only in a temp folder that is removed before returning.
 */
export async function sampleFrames(
  ffmpeg: string,
  ffprobe: string,
  path: string,
  count: number,
  startMs = 0,
  endMs?: number,
): Promise<Uint8Array[]> {
  const end = endMs ?? (await durationMs(ffprobe, path));
  const span = end - startMs;
  if (span <= 0) throw new PennyError('invalid_input', `video range is empty (start ${startMs} ms, end ${end} ms)`, { field: 'video' });
  const dir = mkdtempSync(join(tmpdir(), 'penny-frames-'));
  try {
    const fps = count / (span / 1000);
    await run(ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      '-ss', (startMs / 1000).toFixed(3), '-t', (span / 1000).toFixed(3), '-i', path,
      '-vf', `fps=${fps.toFixed(6)}`, '-frames:v', String(count), '-q:v', '3', join(dir, 'f%03d.jpg'),
    ]).catch((err: Error & { stderr?: string }) => {
      throw new PennyError('invalid_input', `could not read frames from ${path}: ${(err.stderr || err.message).trim().split('\n')[0]}`, { field: 'video.path' });
    });
    const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort();
    if (files.length === 0) throw new PennyError('invalid_input', `${path} gave no frames in the range asked for`, { field: 'video' });
    return files.map((f) => new Uint8Array(readFileSync(join(dir, f))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
