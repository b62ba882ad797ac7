import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip, ClipJob } from '../../services/contract/index.js';
import { fakeClock, ONBOARD, tempDir, testCore, type TestCore } from '../helpers/core.js';
import { ffprobeJson, frameSpan, makeRecording, type Made } from './media.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0); // 06:00 in America/Chicago
const KEYFRAME_MS = 2000;
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

type Cut = { jobs: ClipJob[]; clips: Clip[] };

describe('clips from segmented recordings', () => {
  let tc: TestCore;
  let media: { dir: string; cleanup(): void };
  let made: Made[];
  let cameraId: number;
  let registerId: number;

  beforeAll(async () => {
    media = tempDir('penny-video-media-');
    made = makeRecording(join(media.dir, 'dvr'), { startMs: T0, seconds: 150, segmentSeconds: 60 });
    tc = await testCore({ clock: fakeClock(T0 + 86_400_000) });
    await tc.sys('onboarding.complete', ONBOARD);
    registerId = (await tc.sys<{ id: number }>('registers.save', { code: 'R1', name: 'Front register' })).id;
    cameraId = (await tc.sys<{ id: number }>('cameras.add', { name: 'Counter', registerId })).id;
    const idx = await tc.sys<{ indexed: number; skipped: unknown[] }>('recordings.index', { dir: join(media.dir, 'dvr'), cameraId, pattern: 'penny' });
    expect(idx).toMatchObject({ indexed: 3, skipped: [] });
  });
  afterAll(async () => {
    await tc?.close();
    media?.cleanup();
  });

  it('made three segments meeting at minute boundaries', () => {
    expect(made.map((m) => [m.start - T0, m.end - T0])).toEqual([
      [0, 60_000],
      [60_000, 120_000],
      [120_000, 150_000],
    ]);
  });

  it('cuts a window across a segment boundary within one keyframe interval, named, hashed and read-only', async () => {
    const at = T0 + 70_500;
    const ws = at - 30_000;
    const we = at + 40_000;
    const r = await tc.sys<Cut>('clips.cut', { cameraId, at, eventType: 'refund', preRollMs: 30_000, postRollMs: 40_000, wait: true });
    expect(r.jobs).toHaveLength(1);
    expect(r.jobs[0]).toMatchObject({ status: 'done', windowStart: ws, windowEnd: we, progress: 1 });
    const clip = r.clips[0]!;
    expect(clip.mediaPath).toBe('clips/2026-01/1_20260115_060110_R1_refund.mp4');
    expect(clip.missing).toEqual([]);
    // Stream copy begins at the keyframe at or before the window start, never after it.
    expect(clip.start).toBeLessThanOrEqual(ws);
    expect(clip.start).toBeGreaterThan(ws - KEYFRAME_MS);
    expect(Math.abs(clip.end - we)).toBeLessThanOrEqual(150);

    const file = join(tc.dir, clip.mediaPath);
    const span = frameSpan(file);
    expect(span.first).toBe(0);
    expect(span.keyframes[0]).toBe(0);
    expect(span.duration).toBeGreaterThanOrEqual(we - ws - 100);
    expect(span.duration).toBeLessThanOrEqual(we - ws + KEYFRAME_MS);
    expect(span.duration).toBe(clip.durationMs);
    // faststart: the moov atom comes before mdat.
    const head = readFileSync(file).subarray(0, 4096).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(-1);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));

    expect(clip.sha256).toBe(sha(file));
    expect(statSync(file).mode & 0o222).toBe(0);
    expect(statSync(join(tc.dir, clip.thumbPath!)).size).toBeGreaterThan(500);
    const pv = ffprobeJson(join(tc.dir, clip.previewPath!));
    expect(Number(pv.format.duration)).toBeGreaterThan(3.5);
    expect(Number(pv.format.duration)).toBeLessThanOrEqual(4.2);
    expect(pv.streams[0].width).toBe(160);
  });

  it('never cuts the same window twice', async () => {
    const first = await tc.sys<Cut>('clips.cut', { cameraId, at: T0 + 70_500, eventType: 'refund', preRollMs: 30_000, postRollMs: 40_000, wait: true });
    const clips = await tc.sys<Clip[]>('clips.list', {});
    const again = await tc.sys<Cut>('clips.cut', { cameraId, at: T0 + 70_500, eventType: 'refund', preRollMs: 30_000, postRollMs: 40_000, wait: true });
    expect(again.jobs[0]!.id).toBe(first.jobs[0]!.id);
    expect(again.clips[0]!.id).toBe(first.clips[0]!.id);
    expect(await tc.sys<Clip[]>('clips.list', {})).toHaveLength(clips.length);
  });

  it('exact mode re-encodes to the frame', async () => {
    const at = T0 + 100_300;
    const r = await tc.sys<Cut>('clips.cut', { cameraId, at, eventType: 'void', preRollMs: 45_000, postRollMs: 10_000, mode: 'exact', wait: true });
    const clip = r.clips[0]!;
    expect(clip.mode).toBe('exact');
    expect(clip.start).toBe(at - 45_000);
    const span = frameSpan(join(tc.dir, clip.mediaPath));
    expect(Math.abs(span.duration - 55_000)).toBeLessThanOrEqual(100);
  });

  it('says exactly which minutes are missing when the window runs past the recording', async () => {
    const at = T0 + 120_000;
    const r = await tc.sys<Cut>('clips.cut', { registerId, at, eventType: 'no-sale', preRollMs: 20_000, postRollMs: 60_000, wait: true });
    const clip = r.clips[0]!;
    expect(clip.missing).toEqual([
      { cameraId, start: T0 + 150_000, end: T0 + 180_000, text: expect.stringContaining('06:02:30–06:03:00 (America/Chicago, 2026-01-15), 30 s') },
    ]);
    expect(clip.missing[0]!.text).toContain(`camera ${cameraId} (Counter)`);
    expect(Math.abs(clip.durationMs - 50_000)).toBeLessThanOrEqual(KEYFRAME_MS);
  });

  it('reports a window with no recording at all instead of cutting', async () => {
    const r = await tc.sys<Cut>('clips.cut', { cameraId, at: T0 + 3_600_000, eventType: 'refund', wait: true });
    expect(r.clips).toEqual([]);
    expect(r.jobs[0]!.status).toBe('missing');
    expect(r.jobs[0]!.missing[0]).toMatchObject({ cameraId, start: T0 + 3_540_000, end: T0 + 3_720_000 });
    expect(r.jobs[0]!.error).toContain('06:59:00–07:02:00 (America/Chicago, 2026-01-15), 3 min 0 s');
  });

  it('shifts the window by the camera clock offset set by calibration', async () => {
    const cam = await tc.sys<{ clockOffsetMs: number }>('cameras.calibrate', { cameraId, posAt: T0 + 10_000, videoAt: T0 + 13_000 });
    expect(cam.clockOffsetMs).toBe(3000);
    const r = await tc.sys<Cut>('clips.cut', { cameraId, at: T0 + 20_000, eventType: 'cal', preRollMs: 5000, postRollMs: 5000, wait: true });
    expect(r.jobs[0]).toMatchObject({ windowStart: T0 + 18_000, windowEnd: T0 + 28_000, at: T0 + 23_000 });
    await tc.sys('cameras.calibrate', { cameraId, posAt: 0, videoAt: 0 });
  });

  it('cuts the clip of a flagged exception automatically, and by exception id', async () => {
    const db = tc.core.db;
    const hasTable = !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'exception'").get();
    if (!hasTable) db.exec('CREATE TABLE exception (id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, type TEXT NOT NULL, register_id INTEGER)');
    const cols = (db.prepare('PRAGMA table_info(exception)').all() as { name: string; notnull: number; dflt_value: unknown; type: string }[]);
    const known: Record<string, unknown> = { id: 901, transaction_id: 1, severity: 'high', started_at: T0 + 40_000, type: 'refund', register_id: registerId, amount_cents: 1299, created_at: T0, updated_at: T0 };
    const use = cols.filter((c) => c.name in known);
    db.pragma('foreign_keys = OFF');
    db.prepare(`INSERT INTO exception (${use.map((c) => c.name).join(',')}) VALUES (${use.map(() => '?').join(',')})`).run(...use.map((c) => known[c.name]));
    db.pragma('foreign_keys = ON');
    const ready = new Promise<{ clipId: number; exceptionId: number }>((resolve) => {
      const off = tc.core.events.subscribe((name, p) => {
        if (name === 'clip.ready' && (p as { exceptionId: number }).exceptionId === 901) {
          off();
          resolve(p as { clipId: number; exceptionId: number });
        }
      });
    });
    tc.core.events.emit('exception.flagged', { id: 901 });
    const ev = await ready;
    const clip = await tc.sys<Clip>('clips.get', { id: ev.clipId });
    expect(clip).toMatchObject({ exceptionId: 901, registerId, eventType: 'refund', at: T0 + 40_000 });
    expect(clip.start).toBe(T0); // 60 s pre-roll reaches back before the first frame
    expect(clip.missing[0]).toMatchObject({ start: T0 - 20_000, end: T0 });
    const byId = await tc.sys<Cut>('clips.cut', { exceptionId: 901, wait: true });
    expect(byId.clips.map((c) => c.id)).toEqual([ev.clipId]);
    const unknown = await tc.call('clips.cut', { exceptionId: 999_999 }, { system: 'test' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('rejects malformed cut requests with the field named', async () => {
    const both = await tc.call('clips.cut', { cameraId, registerId, at: T0, eventType: 'x' }, { system: 'test' });
    expect(both).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const badType = await tc.call('clips.cut', { cameraId, at: T0, eventType: '../etc' }, { system: 'test' });
    expect(badType).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const noCam = await tc.call('clips.cut', { cameraId: 777, at: T0, eventType: 'x' }, { system: 'test' });
    expect(noCam).toMatchObject({ ok: false, error: { code: 'not_found', message: 'There is no camera with id 777.' } });
  });

  it('exports an evidence bundle that verifies against its manifest, and audits it', async () => {
    const clips = await tc.sys<Clip[]>('clips.list', {});
    const ids = clips.slice(0, 2).map((c) => c.id);
    const r = await tc.sys<{ path: string; sha256: string; files: { name: string; sha256: string }[] }>('clips.exportBundle', {
      clipIds: ids,
      title: 'Refund at register R1',
      receipt: [{ at: T0 + 40_000, text: 'REFUND  Marlboro Red  -$12.99' }],
      notes: [{ at: T0 + 86_000_000, author: 'admin', text: 'Customer not present on video.' }],
      summary: { Amount: '$12.99', Employee: 'E-104' },
    });
    const zip = join(tc.dir, r.path);
    expect(sha(zip)).toBe(r.sha256);
    const out = mkdtempSync(join(tc.dir, 'unzip-'));
    execFileSync('unzip', ['-q', zip, '-d', out]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: { name: string; sha256: string; bytes: number }[] };
    expect(manifest.files.map((f) => f.name).sort()).toEqual([...clips.slice(0, 2).map((c) => `clips/${c.mediaPath.split('/').pop()}`), 'notes.txt', 'receipt.json', 'receipt.txt', 'summary.pdf'].sort());
    for (const f of manifest.files) {
      expect(sha(join(out, f.name)), f.name).toBe(f.sha256);
      expect(statSync(join(out, f.name)).size).toBe(f.bytes);
    }
    expect(readFileSync(join(out, 'summary.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(join(out, 'receipt.txt'), 'utf8')).toContain('06:00:40  REFUND  Marlboro Red');
    const audit = tc.core.db.prepare("SELECT * FROM audit_event WHERE action = 'evidence.export'").all() as { details: string }[];
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ sha256: r.sha256, clipIds: ids });
    rmSync(out, { recursive: true, force: true });
  });

  it('verify re-hashes every clip and names the changed and the missing', async () => {
    const clips = await tc.sys<Clip[]>('clips.list', {});
    const clean = await tc.sys<{ checked: number; ok: number; mismatches: unknown[] }>('clips.verify', {});
    expect(clean).toEqual({ checked: clips.length, ok: clips.length, mismatches: [] });
    const [a, b] = clips;
    const fa = join(tc.dir, a!.mediaPath);
    chmodSync(fa, 0o644);
    appendFileSync(fa, Buffer.from([0]));
    const fb = join(tc.dir, b!.mediaPath);
    rmSync(fb, { force: true });
    const r = await tc.sys<{ checked: number; ok: number; mismatches: { id: number; problem: string; actual: string | null }[] }>('clips.verify', {});
    expect(r.ok).toBe(clips.length - 2);
    expect(r.mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: a!.id, problem: 'changed', actual: sha(fa) }),
        expect.objectContaining({ id: b!.id, problem: 'missing', actual: null }),
      ]),
    );
    const refused = await tc.call('clips.exportBundle', { clipIds: [a!.id], title: 't' }, { system: 'test' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(existsSync(fb)).toBe(false);
  });
});
