import type { Clip, ClipJob } from '../../../contract/index.js';
import { CliError, intOpt, requireOpt, str, type CliCommand, type CliContext } from '../types.js';
import { printOr } from '../output.js';

/** Recordings and clips from a terminal. `penny cameras add --rtsp` lives with the cameras domain. */

function isoOpt(v: Record<string, unknown>, name: string): number {
  const s = str(v[name] as string | undefined);
  if (!s) throw new CliError(`missing --${name}`, 2);
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new CliError(`--${name} must be an ISO date-time such as 2026-01-15T12:00:00Z, got "${s}"`, 2);
  return ms;
}

const iso = (ms: number) => new Date(ms).toISOString();

interface Status {
  cameraId: number;
  segments: number;
  bytes: number;
  first: number | null;
  last: number | null;
  covered: { start: number; end: number }[];
  gaps: { start: number; end: number; reason: string }[];
  recorder: { state: string; restarts: number; lastError: string | null };
}

export const videoCliCommands: CliCommand[] = [
  {
    path: ['recordings', 'index'],
    summary: 'Index a DVR/NVR export folder (or Penny clips) for a camera',
    usage: 'penny recordings index DIR --camera ID [--pattern hikvision|dahua|penny|probe|"cam_YYYYMMDD_hhmmss"] [--timezone TZ] [--watch] [--json]',
    options: { camera: { type: 'string' }, pattern: { type: 'string' }, timezone: { type: 'string' }, watch: { type: 'boolean' } },
    positionals: true,
    async run(ctx, v, pos) {
      if (pos.length !== 1) throw new CliError('usage: penny recordings index DIR --camera ID', 2);
      const cameraId = intOpt(v, 'camera');
      if (cameraId === undefined) throw new CliError('missing --camera', 2);
      const r = await ctx.call<{ indexed: number; already: number; skipped: { file: string; reason: string }[]; watching: boolean }>('recordings.index', {
        dir: pos[0],
        cameraId,
        pattern: str(v.pattern),
        timezone: str(v.timezone),
        watch: !!v.watch,
      });
      printOr(
        ctx,
        r,
        [`Indexed ${r.indexed} file(s), ${r.already} already known, ${r.skipped.length} skipped.`, ...r.skipped.map((s) => `  skipped ${s.file}: ${s.reason}`)].join('\n'),
      );
      if (v.watch) {
        ctx.err(`Watching ${pos[0]} for new files; Ctrl-C to stop.`);
        await new Promise<void>((done) => {
          process.once('SIGINT', () => done());
          process.once('SIGTERM', () => done());
        });
      }
      return r.skipped.length && !r.indexed && !r.already ? 1 : 0;
    },
  },
  {
    path: ['recordings', 'status'],
    summary: 'Segments, covered ranges, gaps and recorder state per camera',
    usage: 'penny recordings status [--camera ID] [--json]',
    options: { camera: { type: 'string' } },
    async run(ctx, v) {
      const rows = await ctx.call<Status[]>('recordings.status', { cameraId: intOpt(v, 'camera') });
      const human = rows
        .map((r) =>
          [
            `camera ${r.cameraId}: ${r.segments} segment(s), ${(r.bytes / 1e6).toFixed(1)} MB, recorder ${r.recorder.state}${r.recorder.restarts ? ` (${r.recorder.restarts} restarts)` : ''}`,
            ...r.covered.slice(-5).map((c) => `  covered ${iso(c.start)} – ${iso(c.end)}`),
            ...r.gaps.slice(-5).map((g) => `  gap     ${iso(g.start)} – ${iso(g.end)}  ${g.reason}`),
          ].join('\n'),
        )
        .join('\n');
      printOr(ctx, rows, human || 'No cameras yet.');
    },
  },
  {
    path: ['recordings', 'prune'],
    summary: 'Apply recording retention now',
    usage: 'penny recordings prune [--json]',
    async run(ctx) {
      const r = await ctx.call<{ deleted: number; freedBytes: number; keptPinned: number }>('recordings.prune');
      printOr(ctx, r, `Deleted ${r.deleted} segment(s), freed ${(r.freedBytes / 1e6).toFixed(1)} MB; kept ${r.keptPinned} pinned.`);
    },
  },
  {
    path: ['recordings', 'run'],
    summary: 'Record the enabled cameras headless (no UI) until stopped',
    usage: 'penny recordings run',
    async run(ctx) {
      await ctx.core();
      ctx.err('Recording enabled cameras; Ctrl-C to stop.');
      await new Promise<void>((done) => {
        process.once('SIGINT', () => done());
        process.once('SIGTERM', () => done());
      });
      return 0;
    },
  },
  {
    path: ['video', 'map'],
    summary: 'Set the cameras watching a register, with pre-roll and post-roll',
    usage: 'penny video map --register ID --camera ID [--camera ID…] [--pre SECONDS] [--post SECONDS] [--json]',
    options: { register: { type: 'string' }, camera: { type: 'string', multiple: true }, pre: { type: 'string' }, post: { type: 'string' } },
    async run(ctx, v) {
      const registerId = intOpt(v, 'register');
      if (registerId === undefined) throw new CliError('missing --register', 2);
      const cams = (Array.isArray(v.camera) ? v.camera : []).map((c) => {
        if (typeof c !== 'string' || !/^\d+$/.test(c)) throw new CliError(`--camera must be a camera id, got "${String(c)}"`, 2);
        return Number(c);
      });
      const pre = intOpt(v, 'pre');
      const post = intOpt(v, 'post');
      const r = await ctx.call<unknown[]>('registerCameras.set', {
        registerId,
        cameras: cams.map((cameraId) => ({ cameraId, preRollMs: pre !== undefined ? pre * 1000 : undefined, postRollMs: post !== undefined ? post * 1000 : undefined })),
      });
      printOr(ctx, r, `Register ${registerId} is watched by ${cams.length ? cams.map((c) => `camera ${c}`).join(', ') : 'no camera'}.`);
    },
  },
  {
    path: ['clips', 'cut'],
    summary: 'Cut the clip(s) of an exception, or of a camera/register at an instant, and wait for them',
    usage: 'penny clips cut (--exception ID | --camera ID --at ISO | --register ID --at ISO) [--event TYPE] [--pre S] [--post S] [--exact] [--no-wait] [--json]',
    options: {
      exception: { type: 'string' },
      camera: { type: 'string' },
      register: { type: 'string' },
      at: { type: 'string' },
      event: { type: 'string' },
      pre: { type: 'string' },
      post: { type: 'string' },
      exact: { type: 'boolean' },
      'no-wait': { type: 'boolean' },
    },
    async run(ctx, v) {
      const exceptionId = intOpt(v, 'exception');
      const cameraId = intOpt(v, 'camera');
      const registerId = intOpt(v, 'register');
      const mode = v.exact ? 'exact' : 'copy';
      const wait = !v['no-wait'];
      let input: Record<string, unknown>;
      if (exceptionId !== undefined) {
        if (cameraId !== undefined || registerId !== undefined || v.at) throw new CliError('give --exception alone, or --camera/--register with --at', 2);
        input = { exceptionId, mode, wait };
      } else {
        if ((cameraId === undefined) === (registerId === undefined)) throw new CliError('give --exception ID, or one of --camera/--register with --at', 2);
        const pre = intOpt(v, 'pre');
        const post = intOpt(v, 'post');
        input = {
          cameraId,
          registerId,
          at: isoOpt(v, 'at'),
          eventType: str(v.event) ?? 'manual',
          preRollMs: pre !== undefined ? pre * 1000 : undefined,
          postRollMs: post !== undefined ? post * 1000 : undefined,
          mode,
          wait,
        };
      }
      const r = await ctx.call<{ jobs: ClipJob[]; clips: Clip[] }>('clips.cut', input);
      const out = {
        clips: r.clips.map((c) => ({
          id: c.id,
          cameraId: c.cameraId,
          path: requirePath(ctx, c.mediaPath),
          start: iso(c.start),
          end: iso(c.end),
          durationS: c.durationMs / 1000,
          sha256: c.sha256,
          missing: c.missing,
        })),
        jobs: r.jobs.map((j) => ({ id: j.id, cameraId: j.cameraId, status: j.status, error: j.error, missing: j.missing })),
      };
      const human = [
        ...out.clips.map((c) => `${c.path}\n  ${c.start} – ${c.end} (${c.durationS.toFixed(1)} s) sha256 ${c.sha256}${c.missing.length ? `\n  NOT RECORDED: ${c.missing.map((m) => m.text).join('; ')}` : ''}`),
        ...out.jobs.filter((j) => j.status !== 'done').map((j) => `job ${j.id} (camera ${j.cameraId}): ${j.status}${j.error ? ` — ${j.error}` : ''}`),
      ].join('\n');
      printOr(ctx, out, human);
      return wait && r.jobs.some((j) => j.status === 'missing' || j.status === 'failed') ? 1 : 0;
    },
  },
  {
    path: ['clips', 'verify'],
    summary: 'Re-hash every clip (or the ids given) and report mismatches',
    usage: 'penny clips verify [--id N]… [--json]',
    options: { id: { type: 'string', multiple: true } },
    async run(ctx, v) {
      const ids = Array.isArray(v.id)
        ? v.id.map((x) => {
            if (typeof x !== 'string' || !/^\d+$/.test(x)) throw new CliError(`--id must be a clip id, got "${String(x)}"`, 2);
            return Number(x);
          })
        : undefined;
      const r = await ctx.call<{ checked: number; ok: number; mismatches: { id: number; mediaPath: string; problem: string }[] }>('clips.verify', { ids });
      printOr(ctx, r, [`${r.ok} of ${r.checked} clip(s) match their hash.`, ...r.mismatches.map((m) => `  clip ${m.id} ${m.mediaPath}: ${m.problem}`)].join('\n'));
      return r.mismatches.length ? 1 : 0;
    },
  },
  {
    path: ['clips', 'export'],
    summary: 'Write an evidence bundle (zip with clips, manifest.json and a summary PDF)',
    usage: 'penny clips export --clip ID [--clip ID…] --title T [--json]',
    options: { clip: { type: 'string', multiple: true }, title: { type: 'string' } },
    async run(ctx, v) {
      const clipIds = (Array.isArray(v.clip) ? v.clip : []).map((x) => {
        if (typeof x !== 'string' || !/^\d+$/.test(x)) throw new CliError(`--clip must be a clip id, got "${String(x)}"`, 2);
        return Number(x);
      });
      const r = await ctx.call<{ path: string; sha256: string; files: unknown[] }>('clips.exportBundle', { clipIds, title: requireOpt(v, 'title') });
      printOr(ctx, { ...r, path: requirePath(ctx, r.path) }, `Wrote ${requirePath(ctx, r.path)} (${r.files.length} files, sha256 ${r.sha256}).`);
    },
  },
];

/** Media paths are relative to the data dir in the contract; a terminal user wants a path they can open. */
function requirePath(ctx: CliContext, rel: string): string {
  return `${ctx.dataDir.replace(/[\\/]+$/, '')}/${rel}`;
}
