import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { ONBOARD, tempDir, testCore } from '../helpers/core.js';
import { makeRecording } from './media.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const CHILD = join(import.meta.dirname, 'child-core.ts');

/** Runs the child core until `until` says stop (then SIGKILL) or it prints DONE; returns the lines it printed. */
function runChild(dir: string, until?: (lines: string[]) => boolean): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    let killed = false;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      if (!killed && until?.(lines)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    const t = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      if (!killed && code !== 0) reject(new Error(`child exited ${code ?? signal}: ${stderr.slice(-2000)}`));
      else resolve({ lines, killed });
    });
  });
}

describe('clip queue survives kill -9', () => {
  const tmp = tempDir('penny-crash-');
  afterAll(() => tmp.cleanup());

  it('completes every queued job exactly once across a crash and restart', async () => {
    const dataDir = join(tmp.dir, 'data');
    makeRecording(join(tmp.dir, 'dvr'), { startMs: T0, seconds: 150, segmentSeconds: 60 });
    const tc = await testCore({ dir: dataDir });
    await tc.sys('onboarding.complete', ONBOARD);
    await tc.sys('settings.set', { key: 'video.clips.concurrency', value: 2 });
    const cam = await tc.sys<{ id: number }>('cameras.add', { name: 'Counter' });
    await tc.sys('recordings.index', { dir: join(tmp.dir, 'dvr'), cameraId: cam.id, pattern: 'penny' });
    // Close first so the queue of this core cannot start the jobs: they are queued straight into the table.
    await tc.close();
    const db = new Database(join(dataDir, 'penny.db'));
    const N = 12;
    const insert = db.prepare(
      `INSERT INTO clip_job (dedupe_key, camera_id, event_type, at_ms, window_start_ms, window_end_ms, mode, path, status, run_after, created_at, updated_at)
       VALUES (?, ?, 'crash', ?, ?, ?, 'exact', ?, 'queued', 0, 0, 0)`,
    );
    for (let i = 0; i < N; i++) {
      const at = T0 + 20_000 + i * 9000;
      insert.run(`crash-${i}`, cam.id, at, at - 15_000, at + 15_000, `clips/2026-01/crash_${i}.mp4`);
    }
    db.close();

    // Kill only while ffmpeg is cutting a job (its progress is the newest line), so the crash lands mid-cut.
    const midCut = (lines: string[]) => {
      const ready = lines.filter((l) => l.includes('clip.ready'));
      const last = lines.at(-1);
      if (ready.length < 3 || !last?.includes('clip.progress')) return false;
      const jobId = (JSON.parse(last) as { payload: { jobId: number } }).payload.jobId;
      return !ready.some((l) => (JSON.parse(l) as { payload: { jobId: number } }).payload.jobId === jobId);
    };
    const first = await runChild(dataDir, midCut);
    expect(first.killed).toBe(true);
    const mid = new Database(join(dataDir, 'penny.db'), { readonly: true });
    const state = mid.prepare('SELECT status, count(*) AS n FROM clip_job GROUP BY status').all() as { status: string; n: number }[];
    mid.close();
    const count = (s: string) => state.find((x) => x.status === s)?.n ?? 0;
    expect(count('done')).toBeGreaterThanOrEqual(3);
    expect(count('done')).toBeLessThan(N);
    // Killed mid-cut: a job was left "running" by the dead process.
    expect(count('running')).toBeGreaterThanOrEqual(1);

    const second = await runChild(dataDir);
    expect(second.lines.at(-1)).toBe('DONE');
    const readyAfter = second.lines.filter((l) => l.includes('clip.ready')).length;
    expect(second.lines.filter((l) => l.includes('clip.failed'))).toEqual([]);
    expect(readyAfter).toBe(N - count('done'));

    const check = new Database(join(dataDir, 'penny.db'), { readonly: true });
    const jobs = check.prepare('SELECT id, status, clip_id, attempts FROM clip_job ORDER BY id').all() as { id: number; status: string; clip_id: number }[];
    const clips = check.prepare('SELECT id, job_id, path, sha256 FROM clip ORDER BY id').all() as { id: number; job_id: number; path: string; sha256: string }[];
    check.close();
    expect(jobs.every((j) => j.status === 'done')).toBe(true);
    expect(clips).toHaveLength(N);
    expect(new Set(clips.map((c) => c.job_id)).size).toBe(N);
    expect(new Set(jobs.map((j) => j.clip_id)).size).toBe(N);
    const onDisk = readdirSync(join(dataDir, 'clips', '2026-01')).filter((f) => /^crash_\d+\.mp4$/.test(f));
    expect(onDisk.sort()).toEqual(clips.map((c) => c.path.split('/').pop()!).sort());
    expect(readdirSync(join(dataDir, 'clips', '.tmp'))).toEqual([]);
    for (const c of clips) {
      const file = join(dataDir, c.path);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(c.sha256);
      expect(statSync(file).size).toBeGreaterThan(10_000);
    }
  }, 180_000);
});
