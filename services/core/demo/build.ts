import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { PennyError } from '../../contract/errors.js';
import type { CommandName, InputOf, OutputOf } from '../../contract/index.js';
import type { Core } from '../index.js';
import { systemCtx } from '../context.js';
import { generateDay, modisoftCsv } from './pos-day.js';

export const DEMO_MARKER = 'demo.json';
export const DEMO_CREDENTIALS = { username: 'demo', password: 'penny-demo-1234' } as const;
export const DEMO_STORE = 'Demo Mart #1 (demo)';
const TZ = 'America/Chicago';
/** Short rolls keep the generated footage small; enough for a clip that shows the moment. */
const PRE_ROLL = 10_000;
const POST_ROLL = 20_000;

export interface DemoMarker {
  credentials: { username: string; password: string };
  storeName: string;
  builtAt: number;
}

export function readMarker(dir: string): DemoMarker | null {
  try {
    return JSON.parse(readFileSync(join(dir, DEMO_MARKER), 'utf8')) as DemoMarker;
  } catch {
    return null;
  }
}

export interface BuildOptions {
  dir: string;
  now: number;
  ffmpegPath: string;
  openCore(dir: string): Promise<Core>;
  progress(step: string, done: number, total: number): void;
}

const STEPS = ['store', 'pos', 'cameras', 'recordings', 'clips', 'done'] as const;

/** Runs a command on the demo core as the system; the demo is built through the same contract as everything else. */
async function sys<N extends CommandName>(core: Core, name: N, input: InputOf<N>): Promise<OutputOf<N>> {
  const { COMMANDS } = await import('../../contract/index.js');
  const def = COMMANDS[name]!;
  const parsed = def.input.parse(input);
  const h = (core.handlers as Record<string, (i: unknown, c: unknown) => unknown>)[name];
  if (!h) throw new Error(`demo: no handler for ${name}`);
  return (await h(parsed, systemCtx('demo'))) as OutputOf<N>;
}

function ffmpeg(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    p.on('error', fail);
    p.on('close', (code) => (code === 0 ? ok() : fail(new Error(`ffmpeg exited ${code}: ${err.trim().split('\n').pop()}`))));
  });
}

/** Merge [start, end] windows that overlap or touch, so a burst becomes one recording. */
function merge(windows: { start: number; end: number }[]) {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end + 5_000) last.end = Math.max(last.end, w.end);
    else out.push({ ...w });
  }
  return out;
}

/**
 * Builds the demo store in `dir` (wiped first): an onboarded store with a demo admin, yesterday's
 * POS data for two registers imported as Modisoft files, two cameras whose "DVR export" is generated
 * with ffmpeg testsrc2 and a burned-in clock (no faces), and a clip cut for every exception. The
 * marker file is written last, so a half-built demo is never offered.
 */
export async function buildDemo(o: BuildOptions) {
  const started = Date.now();
  let step = 0;
  const next = () => o.progress(STEPS[step]!, step++, STEPS.length - 1);
  rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true });
  next();
  const core = await o.openCore(o.dir);
  try {
    await sys(core, 'onboarding.complete', {
      store: { name: DEMO_STORE, timezone: TZ, address: '100 Example Ave (demo)' },
      admin: { username: DEMO_CREDENTIALS.username, displayName: 'Demo Admin', password: DEMO_CREDENTIALS.password },
    });
    core.db.prepare("INSERT INTO setting (key, value, encrypted, updated_at) VALUES ('demo.store', 'true', 0, ?) ON CONFLICT(key) DO UPDATE SET value = 'true'").run(o.now);
    const regs = [
      await sys(core, 'registers.save', { code: 'R1', name: 'Front counter', active: true }),
      await sys(core, 'registers.save', { code: 'R2', name: 'Fuel desk', active: true }),
    ];

    next();
    const day = DateTime.fromMillis(o.now, { zone: TZ }).minus({ days: 1 }).startOf('day');
    const posDir = join(o.dir, 'demo-pos');
    mkdirSync(posDir, { recursive: true });
    let transactions = 0;
    for (const [i, reg] of regs.entries()) {
      const file = join(posDir, `sale-transactions-${day.toISODate()}-${reg.code}.csv`);
      writeFileSync(file, modisoftCsv('Demo Mart #1', day, generateDay(day, i + 1)));
      const rep = await sys(core, 'pos.import', { path: file, register: reg.code });
      transactions += rep.transactions;
    }

    next();
    const cams = [
      await sys(core, 'cameras.add', { name: 'Counter cam', enabled: true, clockOffsetMs: 0, registerId: regs[0]!.id }),
      await sys(core, 'cameras.add', { name: 'Fuel desk cam', enabled: true, clockOffsetMs: 0, registerId: regs[1]!.id }),
    ];
    for (const [i, reg] of regs.entries()) {
      await sys(core, 'registerCameras.set', { registerId: reg.id, cameras: [{ cameraId: cams[i]!.id, preRollMs: PRE_ROLL, postRollMs: POST_ROLL }] });
    }

    next();
    const exceptions = (await sys(core, 'exceptions.list', { limit: 1000, withTotal: false })).items;
    const regIndex = new Map(regs.map((r, i) => [r.code, i]));
    let segments = 0;
    const jobs: (() => Promise<void>)[] = [];
    for (const [i, cam] of cams.entries()) {
      const mine = exceptions.filter((e) => regIndex.get(e.register ?? '') === i);
      const windows = merge(mine.map((e) => ({ start: e.startedAt - PRE_ROLL - 5_000, end: e.startedAt + POST_ROLL + 5_000 })));
      const dvr = join(o.dir, 'demo-dvr', `cam${i + 1}`);
      mkdirSync(dvr, { recursive: true });
      for (const w of windows) {
        const stamp = (ms: number) => DateTime.fromMillis(ms, { zone: 'UTC' }).toFormat('yyyyMMddHHmmss');
        const out = join(dvr, `ch0${i + 1}_${stamp(w.start)}_${stamp(w.end)}.mp4`);
        const secs = (w.end - w.start) / 1000;
        const label = cam.name.replace(/[':\\]/g, '');
        jobs.push(() =>
          ffmpeg(
            o.ffmpegPath,
            [
              '-hide_banner', '-loglevel', 'error', '-y',
              '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=5`,
              '-t', String(secs),
              '-vf', `drawtext=text='${label}  %{pts\\:localtime\\:${Math.floor(w.start / 1000)}}':fontsize=14:fontcolor=white:box=1:boxcolor=black@0.6:x=6:y=6`,
              '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p', '-movflags', '+faststart',
              out,
            ],
            // The burned-in clock reads the store's local time, like a real DVR overlay.
            { PATH: '/usr/bin:/bin', TZ: TZ },
          ).then(() => void segments++),
        );
      }
    }
    // Two at a time: the machine has few cores and the other work (UI, tests) must stay responsive.
    const queue = [...jobs];
    await Promise.all([0, 1].map(async () => {
      for (let j = queue.shift(); j; j = queue.shift()) await j();
    }));
    for (const [i, cam] of cams.entries()) {
      await sys(core, 'recordings.index', { dir: join(o.dir, 'demo-dvr', `cam${i + 1}`), cameraId: cam.id, pattern: 'hikvision', timezone: 'UTC', watch: false });
    }

    next();
    let clips = 0;
    for (const e of exceptions) {
      const r = await sys(core, 'clips.cut', { exceptionId: e.id, mode: 'copy', wait: true });
      clips += r.clips.length;
    }

    const marker: DemoMarker = { credentials: { ...DEMO_CREDENTIALS }, storeName: DEMO_STORE, builtAt: o.now };
    writeFileSync(join(o.dir, DEMO_MARKER), JSON.stringify(marker, null, 2));
    next();
    return { dataDir: o.dir, credentials: { ...DEMO_CREDENTIALS }, transactions, exceptions: exceptions.length, cameras: cams.length, segments, clips, ms: Date.now() - started };
  } catch (err) {
    throw err instanceof PennyError ? err : new PennyError('internal', `Building the demo store failed: ${(err as Error).message}`);
  } finally {
    await core.close();
  }
}

export const demoAvailable = (dir: string) => existsSync(join(dir, DEMO_MARKER));
