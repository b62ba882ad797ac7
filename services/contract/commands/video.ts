import { z } from 'zod';
import { defineCommand, defineEvent } from '../registry.js';
import { Empty, EpochMs, Id, NonEmpty, Ok } from '../common.js';

/**
 * Video evidence: cameras (minimal RTSP form; discovery lives with the cameras domain), the
 * register↔camera map, the recording buffer, clips and evidence bundles.
 */

const RtspUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((u) => /^rtsps?:\/\/[^\s/]+/i.test(u), 'RTSP URL must look like rtsp://host[:port]/path');

export const Camera = z.object({
  id: Id,
  name: z.string(),
  rtspUrl: z.string().nullable(),
  enabled: z.boolean(),
  /** How far the recording's clock runs ahead of POS time (negative: behind). */
  clockOffsetMs: z.number().int(),
  createdAt: EpochMs,
});
export type Camera = z.infer<typeof Camera>;

export const camerasAdd = defineCommand({
  name: 'cameras.add',
  access: 'admin',
  doc: 'Add a camera by RTSP URL (or without one, for footage indexed from a DVR export). Optionally link it to a register.',
  input: z.object({
    name: NonEmpty('camera name', 80),
    rtspUrl: RtspUrl.optional(),
    enabled: z.boolean().default(true),
    clockOffsetMs: z.number().int().min(-86_400_000).max(86_400_000).default(0),
    registerId: Id.optional(),
  }),
  output: Camera,
});

export const camerasList = defineCommand({
  name: 'cameras.list',
  access: 'viewer',
  doc: 'All cameras.',
  input: Empty,
  output: z.array(Camera),
});

export const camerasCalibrate = defineCommand({
  name: 'cameras.calibrate',
  access: 'admin',
  doc: 'Set a camera clock offset from a known event: its POS time and the moment it is seen in the video (either an instant, or a clip plus seconds into it).',
  input: z.union([
    z.object({ cameraId: Id, posAt: EpochMs, videoAt: EpochMs }).strict(),
    z.object({ clipId: Id, posAt: EpochMs, clipOffsetMs: z.number().int().nonnegative() }).strict(),
  ]),
  output: Camera,
});

export const RegisterCamera = z.object({
  registerId: Id,
  cameraId: Id,
  preRollMs: z.number().int(),
  postRollMs: z.number().int(),
});

export const registerCamerasSet = defineCommand({
  name: 'registerCameras.set',
  access: 'admin',
  doc: 'Replace the cameras watching a register, each with its pre-roll and post-roll (default 60 s before, 120 s after).',
  input: z.object({
    registerId: Id,
    cameras: z
      .array(
        z.object({
          cameraId: Id,
          preRollMs: z.number().int().min(0).max(3_600_000).default(60_000),
          postRollMs: z.number().int().min(0).max(3_600_000).default(120_000),
        }),
      )
      .max(16),
  }),
  output: z.array(RegisterCamera),
});

export const registerCamerasList = defineCommand({
  name: 'registerCameras.list',
  access: 'viewer',
  doc: 'The register↔camera map.',
  input: Empty,
  output: z.array(RegisterCamera),
});

export const TimeRange = z.object({ start: EpochMs, end: EpochMs });

export const Gap = TimeRange.extend({ reason: z.string() });

export const RecorderState = z.object({
  state: z.enum(['off', 'starting', 'recording', 'backoff', 'stopped']),
  restarts: z.number().int(),
  lastError: z.string().nullable(),
});

export const CameraRecordings = z.object({
  cameraId: Id,
  segments: z.number().int(),
  bytes: z.number().int(),
  first: EpochMs.nullable(),
  last: EpochMs.nullable(),
  covered: z.array(TimeRange),
  gaps: z.array(Gap),
  recorder: RecorderState,
});

export const recordingsStatus = defineCommand({
  name: 'recordings.status',
  access: 'viewer',
  doc: 'Per camera: segment count, bytes, covered ranges, gaps and recorder state.',
  input: z.object({ cameraId: Id.optional() }).strict(),
  output: z.array(CameraRecordings),
});

export const DVR_PRESETS = ['hikvision', 'dahua', 'penny', 'probe'] as const;

export const recordingsIndex = defineCommand({
  name: 'recordings.index',
  access: 'admin',
  doc: 'Index the MP4/MKV/TS files of a DVR/NVR export folder for a camera, reading start times from names (a preset or a custom pattern) or from ffprobe. Optionally keep watching the folder.',
  input: z.object({
    dir: NonEmpty('folder', 4096),
    cameraId: Id,
    /** A preset name, or a pattern with tokens YYYY MM DD hh mm ss (e.g. "cam_YYYYMMDD_hhmmss"). */
    pattern: z.string().trim().min(1).max(200).default('probe'),
    /** IANA zone the DVR wrote its names in; default: the store time zone. */
    timezone: z.string().max(64).optional(),
    watch: z.boolean().default(false),
  }),
  output: z.object({
    indexed: z.number().int(),
    already: z.number().int(),
    skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
    watching: z.boolean(),
  }),
});

export const recordingsPrune = defineCommand({
  name: 'recordings.prune',
  access: 'admin',
  doc: 'Apply retention now (by age and by size, oldest first), keeping pinned ranges and windows of queued clips.',
  input: Empty,
  output: z.object({ deleted: z.number().int(), freedBytes: z.number().int(), keptPinned: z.number().int() }),
});

export const recordingsPin = defineCommand({
  name: 'recordings.pin',
  access: 'manager',
  doc: 'Protect a time range of a camera (or of all cameras) from retention, e.g. for an open case.',
  input: z.object({
    cameraId: Id.optional(),
    start: EpochMs,
    end: EpochMs,
    reason: NonEmpty('reason', 200),
    ref: z.string().max(100).optional(),
  }).refine((v) => v.end > v.start, { message: 'end must be after start', path: ['end'] }),
  output: z.object({ id: Id }),
});

export const recordingsUnpin = defineCommand({
  name: 'recordings.unpin',
  access: 'manager',
  doc: 'Remove a retention pin.',
  input: z.object({ id: Id }),
  output: Ok,
});

export const CLIP_MODES = ['copy', 'exact'] as const;

export const Missing = z.object({
  cameraId: Id,
  start: EpochMs,
  end: EpochMs,
  /** e.g. "camera 2: 14:03–14:05 (America/Chicago)". */
  text: z.string(),
});

export const Clip = z.object({
  id: Id,
  jobId: Id.nullable(),
  cameraId: Id.nullable(),
  exceptionId: Id.nullable(),
  registerId: Id.nullable(),
  eventType: z.string(),
  at: EpochMs.nullable(),
  start: EpochMs,
  end: EpochMs,
  durationMs: z.number().int(),
  /** Relative to the data dir, forward slashes: e.g. "clips/1_20260115_060000_R1_refund.mp4". */
  mediaPath: z.string(),
  thumbPath: z.string().nullable(),
  previewPath: z.string().nullable(),
  sha256: z.string(),
  bytes: z.number().int(),
  mode: z.enum([...CLIP_MODES, 'import']),
  missing: z.array(Missing),
  createdAt: EpochMs,
});
export type Clip = z.infer<typeof Clip>;

export const ClipJob = z.object({
  id: Id,
  cameraId: Id,
  exceptionId: Id.nullable(),
  eventType: z.string(),
  at: EpochMs,
  windowStart: EpochMs,
  windowEnd: EpochMs,
  mode: z.enum(CLIP_MODES),
  status: z.enum(['queued', 'running', 'done', 'missing', 'failed']),
  progress: z.number(),
  attempts: z.number().int(),
  error: z.string().nullable(),
  clipId: Id.nullable(),
  missing: z.array(Missing),
});
export type ClipJob = z.infer<typeof ClipJob>;

export const clipsCut = defineCommand({
  name: 'clips.cut',
  access: 'manager',
  doc: 'Queue clips for an exception (one per camera of its register) or for an explicit instant; optionally wait for them. Never cuts the same window twice.',
  input: z.union([
    z.object({ exceptionId: Id, mode: z.enum(CLIP_MODES).default('copy'), wait: z.boolean().default(false) }).strict(),
    z
      .object({
        registerId: Id.optional(),
        cameraId: Id.optional(),
        at: EpochMs,
        eventType: z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9 _-]+$/, 'event type may use letters, digits, space, _ and -'),
        preRollMs: z.number().int().min(0).max(3_600_000).optional(),
        postRollMs: z.number().int().min(0).max(3_600_000).optional(),
        mode: z.enum(CLIP_MODES).default('copy'),
        wait: z.boolean().default(false),
      })
      .strict()
      .refine((v) => (v.registerId === undefined) !== (v.cameraId === undefined), { message: 'give exactly one of registerId or cameraId', path: ['registerId'] }),
  ]),
  output: z.object({ jobs: z.array(ClipJob), clips: z.array(Clip) }),
});

export const clipsJobs = defineCommand({
  name: 'clips.jobs',
  access: 'viewer',
  doc: 'Clip jobs, newest first, optionally by status.',
  input: z.object({ status: ClipJob.shape.status.optional(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  output: z.array(ClipJob),
});

export const clipsList = defineCommand({
  name: 'clips.list',
  access: 'viewer',
  doc: 'Clips, newest first, optionally of one exception.',
  input: z.object({ exceptionId: Id.optional(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  output: z.array(Clip),
});

export const clipsGet = defineCommand({
  name: 'clips.get',
  access: 'viewer',
  doc: 'One clip for playback: metadata and media paths relative to the data dir. The view is audited.',
  input: z.object({ id: Id }),
  output: Clip,
});

export const clipsVerify = defineCommand({
  name: 'clips.verify',
  access: 'viewer',
  doc: 'Re-hash clips (all, or the ids given) and report any whose file is missing or changed.',
  input: z.object({ ids: z.array(Id).max(10_000).optional() }).strict(),
  output: z.object({
    checked: z.number().int(),
    ok: z.number().int(),
    mismatches: z.array(z.object({ id: Id, mediaPath: z.string(), expected: z.string(), actual: z.string().nullable(), problem: z.enum(['missing', 'changed']) })),
  }),
});

export const clipsImport = defineCommand({
  name: 'clips.import',
  access: 'manager',
  doc: 'Attach a video file (drag-and-drop) as evidence: copied into the clip store, hashed, made read-only.',
  input: z.object({
    path: NonEmpty('file path', 4096),
    exceptionId: Id.optional(),
    cameraId: Id.optional(),
    eventType: z.string().trim().min(1).max(40).default('attached'),
  }),
  output: Clip,
});

export const clipsExportBundle = defineCommand({
  name: 'clips.exportBundle',
  access: 'manager',
  doc: 'Write an evidence bundle: a zip with the clips, the receipt, the notes, manifest.json (SHA-256 of every file) and a one-page summary PDF. Audited.',
  input: z.object({
    clipIds: z.array(Id).min(1, 'give at least one clip').max(100),
    title: NonEmpty('title', 200),
    receipt: z.array(z.object({ at: EpochMs.optional(), text: z.string().max(500) })).max(2000).default([]),
    notes: z.array(z.object({ at: EpochMs, author: z.string().max(120), text: z.string().max(5000) })).max(500).default([]),
    summary: z.record(z.string(), z.string().max(500)).default({}),
  }),
  output: z.object({
    /** Relative to the data dir. */
    path: z.string(),
    sha256: z.string(),
    bytes: z.number().int(),
    files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: z.number().int() })),
  }),
});

export const videoCommands = [
  camerasAdd,
  camerasList,
  camerasCalibrate,
  registerCamerasSet,
  registerCamerasList,
  recordingsStatus,
  recordingsIndex,
  recordingsPrune,
  recordingsPin,
  recordingsUnpin,
  clipsCut,
  clipsJobs,
  clipsList,
  clipsGet,
  clipsVerify,
  clipsImport,
  clipsExportBundle,
] as const;

export const clipProgress = defineEvent({
  name: 'clip.progress',
  doc: 'A clip job moved on (0–1).',
  payload: z.object({ jobId: z.number(), cameraId: z.number(), progress: z.number() }),
});

export const clipReady = defineEvent({
  name: 'clip.ready',
  doc: 'A clip was cut, hashed and stored.',
  payload: z.object({ jobId: z.number(), clipId: z.number(), exceptionId: z.number().nullable(), mediaPath: z.string(), sha256: z.string(), missing: z.number() }),
});

export const clipFailed = defineEvent({
  name: 'clip.failed',
  doc: 'A clip job ended without a clip: no recording covers its window, or cutting failed.',
  payload: z.object({ jobId: z.number(), status: z.enum(['missing', 'failed']), error: z.string() }),
});

export const recordingSegmentIndexed = defineEvent({
  name: 'recording.segmentIndexed',
  doc: 'A recording segment closed and was indexed.',
  payload: z.object({ cameraId: z.number(), segmentId: z.number(), start: z.number(), end: z.number() }),
});

export const recordingGapOpened = defineEvent({
  name: 'recording.gapOpened',
  doc: 'A recorder stopped unexpectedly; footage is missing from `start` until it resumes.',
  payload: z.object({ cameraId: z.number(), start: z.number(), reason: z.string() }),
});

export const recordingResumed = defineEvent({
  name: 'recording.resumed',
  doc: 'A recorder is writing again after a gap.',
  payload: z.object({ cameraId: z.number(), gapStart: z.number(), gapEnd: z.number() }),
});

export const videoEvents = [clipProgress, clipReady, clipFailed, recordingSegmentIndexed, recordingGapOpened, recordingResumed] as const;
