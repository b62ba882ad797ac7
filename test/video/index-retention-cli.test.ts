import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../services/transport/cli/run.js';
import { insertSegment } from '../../services/core/video/segments.js';
import { fakeClock, ONBOARD, tempDir, testCore, type TestCore } from '../helpers/core.js';
import { makeRecording } from './media.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const local = (ms: number, f: string) => DateTime.fromMillis(ms, { zone: 'America/Chicago' }).toFormat(f);

describe('DVR folder indexing, retention and the CLI', () => {
  let tc: TestCore;
  const media = tempDir('penny-dvr-');
  let cam: number;
  const clock = fakeClock(T0 + 86_400_000);

  beforeAll(async () => {
    tc = await testCore({ clock });
    await tc.sys('onboarding.complete', ONBOARD);
    cam = (await tc.sys<{ id: number }>('cameras.add', { name: 'Lot' })).id;
  });
  afterAll(async () => {
    await tc.close();
    media.cleanup();
  });

  it('reads Hikvision names in the store zone and skips what it cannot read, naming why', async () => {
    const dir = join(media.dir, 'hik');
    makeRecording(dir, { startMs: T0, seconds: 20, segmentSeconds: 10, ext: 'mp4', name: (s) => `ch01_${local(s, 'yyyyLLddHHmmss')}.mp4` });
    writeFileSync(join(dir, 'ch01_20260115999999.mp4'), 'x');
    writeFileSync(join(dir, 'ch01_20260115060100.mp4'), 'not a video');
    writeFileSync(join(dir, 'notes.mp4'), 'x');
    const r = await tc.sys<{ indexed: number; skipped: { file: string; reason: string }[] }>('recordings.index', { dir, cameraId: cam, pattern: 'hikvision' });
    expect(r.indexed).toBe(2);
    const reasons = Object.fromEntries(r.skipped.map((s) => [s.file.split('/').pop(), s.reason]));
    expect(reasons['notes.mp4']).toBe('name does not match the pattern');
    expect(reasons['ch01_20260115999999.mp4']).toBe('name does not match the pattern');
    expect(reasons['ch01_20260115060100.mp4']).toMatch(/^not a readable video/);
    const again = await tc.sys<{ indexed: number; already: number }>('recordings.index', { dir, cameraId: cam, pattern: 'hikvision' });
    expect(again).toMatchObject({ indexed: 0, already: 2 });
    const st = (await tc.sys<{ covered: { start: number; end: number }[] }[]>('recordings.status', { cameraId: cam }))[0]!;
    expect(st.covered).toEqual([{ start: T0, end: T0 + 20_000 }]);
  });

  it('reads Dahua names inside date folders, and custom patterns', async () => {
    const start = T0 + 3_600_000;
    const dahua = join(media.dir, 'dahua');
    makeRecording(dahua, {
      startMs: start,
      seconds: 10,
      segmentSeconds: 10,
      ext: 'mp4',
      name: (s, e) => `${local(s, 'yyyy-LL-dd')}/001/dav/${local(s, 'HH')}/${local(s, 'HH.mm.ss')}-${local(e, 'HH.mm.ss')}[M][0@0][0].mp4`,
    });
    const r = await tc.sys<{ indexed: number }>('recordings.index', { dir: dahua, cameraId: cam, pattern: 'dahua' });
    expect(r.indexed).toBe(1);
    const custom = join(media.dir, 'custom');
    makeRecording(custom, { startMs: start + 60_000, seconds: 10, segmentSeconds: 10, ext: 'ts', name: (s) => `lot_${local(s, 'yyyyLLdd_HHmmss')}.ts` });
    expect((await tc.sys<{ indexed: number }>('recordings.index', { dir: custom, cameraId: cam, pattern: 'lot_YYYYMMDD_hhmmss' })).indexed).toBe(1);
    const rows = tc.core.db.prepare('SELECT start_ms FROM recording_segment WHERE camera_id = ? AND start_ms >= ? ORDER BY start_ms').all(cam, start) as { start_ms: number }[];
    expect(rows.map((x) => x.start_ms)).toEqual([start, start + 60_000]);
    const bad = await tc.call('recordings.index', { dir: custom, cameraId: cam, pattern: 'whatever' }, { system: 'test' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', details: { field: 'pattern' } } });
    const noDir = await tc.call('recordings.index', { dir: join(media.dir, 'nope'), cameraId: cam }, { system: 'test' });
    expect(noDir).toMatchObject({ ok: false, error: { code: 'invalid_input', details: { field: 'dir' } } });
  });

  it('watches a folder and indexes files that appear', async () => {
    const dir = join(media.dir, 'watched');
    mkdirSync(dir, { recursive: true });
    await tc.sys('recordings.index', { dir, cameraId: cam, pattern: 'penny', watch: true });
    const seen = new Promise<void>((resolve) => {
      const off = tc.core.events.subscribe((n) => {
        if (n === 'recording.segmentIndexed') {
          off();
          resolve();
        }
      });
    });
    makeRecording(dir, { startMs: T0 + 7_200_000, seconds: 5, segmentSeconds: 5 });
    await seen;
    expect(tc.core.db.prepare('SELECT count(*) AS n FROM recording_segment WHERE start_ms = ?').get(T0 + 7_200_000)).toEqual({ n: 1 });
  });

  it('retention deletes old recordings oldest first but keeps pinned ranges and DVR files', async () => {
    const dir = join(tc.dir, 'recordings', `cam-${cam}`, 'old');
    const made = makeRecording(dir, { startMs: T0 - 600_000, seconds: 30, segmentSeconds: 10 });
    for (const m of made) {
      insertSegment(tc.core.db, { cameraId: cam, path: m.file.slice(tc.dir.length + 1), start: m.start, end: m.end, bytes: 1000, source: 'recorder', now: T0 });
    }
    await tc.sys('settings.set', { key: 'video.retention.maxAgeHours', value: 1 });
    const pin = await tc.sys<{ id: number }>('recordings.pin', { cameraId: cam, start: made[1]!.start + 1000, end: made[1]!.start + 2000, reason: 'case 7' });
    const r = await tc.sys<{ deleted: number; keptPinned: number }>('recordings.prune', {});
    expect(r).toMatchObject({ deleted: 2, keptPinned: 1 });
    expect(made.map((m) => existsSync(m.file))).toEqual([false, true, false]);
    expect((tc.core.db.prepare("SELECT count(*) AS n FROM recording_segment WHERE source = 'import'").get() as { n: number }).n).toBeGreaterThanOrEqual(5);
    await tc.sys('recordings.unpin', { id: pin.id });
    expect(await tc.sys('recordings.prune', {})).toMatchObject({ deleted: 1, keptPinned: 0 });
    expect(existsSync(made[1]!.file)).toBe(false);
  });
});

describe('penny CLI for recordings and clips', () => {
  const t = tempDir('penny-video-cli-');
  afterAll(() => t.cleanup());
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['--data-dir', join(t.dir, 'data'), ...argv], {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      readStdin: async () => 'correct horse battery\n',
      env: { PATH: process.env.PATH },
      version: 'test',
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('indexes, reports status, cuts by camera and instant, and verifies', async () => {
    makeRecording(join(t.dir, 'dvr'), { startMs: T0, seconds: 90, segmentSeconds: 60 });
    expect((await run('onboard', '--store', 'S', '--timezone', 'America/Chicago', '--username', 'admin', '--password-stdin')).code).toBe(0);
    const tc = await testCore({ dir: join(t.dir, 'data') });
    const cam = await tc.sys<{ id: number }>('cameras.add', { name: 'Till' });
    await tc.close();
    const idx = await run('recordings', 'index', join(t.dir, 'dvr'), '--camera', String(cam.id), '--pattern', 'penny', '--json');
    expect(idx.code).toBe(0);
    expect(JSON.parse(idx.out)).toMatchObject({ indexed: 2, skipped: [] });
    const st = JSON.parse((await run('recordings', 'status', '--json')).out) as { covered: unknown[] }[];
    expect(st[0]!.covered).toEqual([{ start: T0, end: T0 + 90_000 }]);
    const cut = await run('clips', 'cut', '--camera', String(cam.id), '--at', new Date(T0 + 50_000).toISOString(), '--pre', '20', '--post', '20', '--event', 'refund', '--json');
    expect(cut.code).toBe(0);
    const c = JSON.parse(cut.out) as { clips: { path: string; sha256: string; durationS: number }[] };
    expect(existsSync(c.clips[0]!.path)).toBe(true);
    expect(c.clips[0]!.durationS).toBeGreaterThanOrEqual(40);
    const miss = await run('clips', 'cut', '--camera', String(cam.id), '--at', new Date(T0 + 80_000).toISOString(), '--pre', '0', '--post', '60', '--json');
    expect(miss.code).toBe(0);
    expect(JSON.parse(miss.out).clips[0].missing[0]).toMatchObject({ start: T0 + 90_000, end: T0 + 140_000 });
    const v = await run('clips', 'verify', '--json');
    expect(JSON.parse(v.out)).toMatchObject({ checked: 2, ok: 2, mismatches: [] });
    const bad = await run('clips', 'cut', '--camera', String(cam.id), '--at', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--at must be an ISO date-time');
  });
});
