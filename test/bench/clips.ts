/**
 * Clip benchmark: 3-minute clips cut from a 2-hour segmented recording, against one bare
 * `ffmpeg -f concat … -c copy` of the same span in the same run (goal: ≤ 1.2×), plus 100 clips
 * queued at once (total time, throughput). The 2 hours are 2 minutes of real 160x120@5fps video
 * whose segment files are copied under shifted start times.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stampName } from '../../services/core/video/segments.js';
import { ONBOARD, tempDir, testCore } from '../helpers/core.js';
import { makeRecording } from '../video/media.js';

type Cut = { jobs: { status: string }[]; clips: { durationMs: number }[] };
const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);
const tmp = tempDir('penny-bench-clips-');
const dvr = join(tmp.dir, 'dvr');
const seed = makeRecording(join(tmp.dir, 'seed'), { startMs: 0, seconds: 120, segmentSeconds: 60, size: '160x120', fps: 5 });
mkdirSync(dvr, { recursive: true });
for (let m = 0; m < 120; m++) copyFileSync(seed[m % 2]!.file, join(dvr, `${stampName(T0 + m * 60_000)}.mkv`));

const tc = await testCore({ dir: join(tmp.dir, 'data') });
await tc.sys('onboarding.complete', ONBOARD);
await tc.sys('settings.set', { key: 'video.clips.concurrency', value: 2 });
const cam = await tc.sys<{ id: number }>('cameras.add', { name: 'Bench' });
await tc.sys('recordings.index', { dir: dvr, cameraId: cam.id, pattern: 'penny' });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Bare ffmpeg: the same concat list our cutter builds (3 files, inpoint/outpoint), stream copy, nothing else. */
function bare(startMin: number, offsetS: number): number {
  const list = join(tmp.dir, `bare-${startMin}.ffconcat`);
  const files = [0, 1, 2, 3].map((i) => join(dvr, `${stampName(T0 + (startMin + i) * 60_000)}.mkv`));
  writeFileSync(list, `ffconcat version 1.0\nfile '${files[0]}'\ninpoint ${offsetS}\nfile '${files[1]}'\nfile '${files[2]}'\nfile '${files[3]}'\noutpoint ${offsetS}\n`);
  const t = performance.now();
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', join(tmp.dir, `bare-${startMin}.mp4`)]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return performance.now() - t;
}

const readyAt = new Map<number, number>();
tc.core.events.subscribe((name, p) => {
  if (name === 'clip.ready') readyAt.set((p as { jobId: number }).jobId, performance.now());
});

/** Time to a hashed, stored clip (clip.ready), and to its thumbnail and preview as well. */
async function penny(startMin: number, offsetS: number, tag: string): Promise<{ ready: number; full: number }> {
  const at = T0 + startMin * 60_000 + offsetS * 1000 + 60_000;
  const t = performance.now();
  const r = await tc.sys<Cut & { jobs: { id: number }[] }>('clips.cut', { cameraId: cam.id, at, eventType: tag, preRollMs: 60_000, postRollMs: 120_000, wait: true });
  const full = performance.now() - t;
  if (r.jobs[0]!.status !== 'done' || Math.abs(r.clips[0]!.durationMs - 180_000) > 2500) throw new Error(`bad clip: ${JSON.stringify(r.jobs[0])}`);
  return { ready: readyAt.get(r.jobs[0]!.id)! - t, full };
}

// Warm-up, then interleave so both see the same machine load.
bare(1, 10.5);
await penny(1, 10.5, 'warm');
const bareMs: number[] = [];
const pennyMs: number[] = [];
const fullMs: number[] = [];
for (let i = 0; i < 7; i++) {
  const start = 5 + i * 15;
  bareMs.push(bare(start, 20.3));
  const r = await penny(start + 1, 20.3, `single${i}`);
  pennyMs.push(r.ready);
  fullMs.push(r.full);
}
const b = median(bareMs);
const p = median(pennyMs);
const f = median(fullMs);
console.log(`3-min clip from a 2-hour recording (median of ${bareMs.length}):`);
console.log(`  bare ffmpeg concat -c copy: ${b.toFixed(0)} ms`);
console.log(`  Penny clips.cut → clip.ready (queue, concat list from the index, copy cut, duration, SHA-256, read-only, DB row): ${p.toFixed(0)} ms  → ${(p / b).toFixed(2)}× (goal ≤ 1.2×)`);
console.log(`  … plus thumbnail and 4 s preview (clips.cut with wait returns): ${f.toFixed(0)} ms  → ${(f / b).toFixed(2)}×`);

// 100 clips queued at once, while a "UI" keeps asking the core for the job list.
const t100 = performance.now();
const queued = await Promise.all(
  Array.from({ length: 100 }, (_, i) =>
    tc.sys<Cut>('clips.cut', { cameraId: cam.id, at: T0 + 180_000 + i * 66_000, eventType: `batch${i}`, preRollMs: 60_000, postRollMs: 120_000 }),
  ),
);
const enqueueMs = performance.now() - t100;
const lat: number[] = [];
for (;;) {
  const t = performance.now();
  const jobs = await tc.sys<{ status: string }[]>('clips.jobs', { limit: 200 });
  lat.push(performance.now() - t);
  if (jobs.filter((j) => j.status === 'queued' || j.status === 'running').length === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
const total = performance.now() - t100;
const done = (await tc.sys<{ status: string }[]>('clips.jobs', { status: 'done', limit: 1000 })).length;
console.log(`100 clips queued at once (concurrency 2): queued in ${enqueueMs.toFixed(0)} ms, all finished in ${(total / 1000).toFixed(1)} s`);
console.log(`  throughput ${((100 / total) * 1000 * 60).toFixed(0)} clips/min; ${done - 8} of ${queued.length} done`);
console.log(`  clips.jobs while the batch ran: median ${median(lat).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms over ${lat.length} calls`);
await tc.close();
tmp.cleanup();
