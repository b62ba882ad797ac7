import { z } from 'zod';
import { defineCommand, defineEvent } from '../registry.js';
import { Empty, EpochMs, Id, NonEmpty, Ok } from '../common.js';

/**
 * Cameras: finding them (ONVIF WS-Discovery, unicast probes), adding them (ONVIF or a bare RTSP
 * URL), testing, snapshots, live view and health. The minimal camera row and `cameras.add` /
 * `cameras.list` belong to the video domain; these commands extend that row. Credentials are
 * write-only: no output here ever carries a password or a URL with one in it.
 */

const HostPort = z.string().trim().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must look like HOST or HOST:PORT');
const RtspUrl = z
  .string()
  .trim()
  .regex(/^rtsps?:\/\/[^\s]+$/i, 'must be an rtsp:// URL such as rtsp://192.168.1.64:554/Streaming/Channels/101');

export const OnvifProfile = z.object({
  token: z.string(),
  name: z.string(),
  encoding: z.string().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  fps: z.number().nullable(),
  streamUri: z.string().nullable(),
  snapshotUri: z.string().nullable(),
});

export const DiscoveredDevice = z.object({
  endpoint: z.string(),
  xaddr: z.string(),
  host: z.string(),
  /** Scope name / hardware as the device advertises them, known even before logging in. */
  scopeName: z.string().nullable(),
  scopeHardware: z.string().nullable(),
  manufacturer: z.string().nullable(),
  model: z.string().nullable(),
  firmware: z.string().nullable(),
  serial: z.string().nullable(),
  clockOffsetMs: z.number().nullable(),
  profiles: z.array(OnvifProfile),
  /** Why identity/profiles are missing, e.g. "401 from 192.168.1.64: wrong user or password". */
  error: z.string().nullable(),
  /** Already added as this camera. */
  cameraId: Id.nullable(),
});
export type DiscoveredDevice = z.infer<typeof DiscoveredDevice>;

export const HealthState = z.enum(['unknown', 'online', 'offline']);

export const CameraHealth = z.object({
  cameraId: Id,
  state: HealthState,
  checkedAt: EpochMs.nullable(),
  lastFrameAt: EpochMs.nullable(),
  bitrateKbps: z.number().nullable(),
  offlineSince: EpochMs.nullable(),
  /** The offline alert for the current outage has been raised. */
  alerted: z.boolean(),
  error: z.string().nullable(),
});

export const CameraView = z.object({
  id: Id,
  name: z.string(),
  enabled: z.boolean(),
  source: z.enum(['rtsp', 'onvif']),
  /** Without credentials. */
  rtspUrl: z.string(),
  hasCredentials: z.boolean(),
  onvif: z
    .object({
      host: z.string(),
      xaddr: z.string(),
      manufacturer: z.string(),
      model: z.string(),
      firmware: z.string(),
      serial: z.string(),
      profileToken: z.string().nullable(),
      clockOffsetMs: z.number(),
      profiles: z.array(OnvifProfile),
    })
    .nullable(),
  snapshotUri: z.string().nullable(),
  mqttSerial: z.string().nullable(),
  health: CameraHealth,
  createdAt: EpochMs,
});
export type CameraView = z.infer<typeof CameraView>;

export const StreamTest = z.object({
  ok: z.literal(true),
  codec: z.string(),
  width: z.number(),
  height: z.number(),
  fps: z.number().nullable(),
  firstFrameMs: z.number(),
});

export const Snapshot = z.object({
  id: Id,
  cameraId: Id,
  takenAt: EpochMs,
  reason: z.enum(['manual', 'person', 'live']),
  source: z.enum(['onvif', 'ffmpeg']),
  /** Absolute path of the JPEG in the data dir. */
  path: z.string(),
  bytes: z.number(),
  sha256: z.string(),
});

export const camerasDiscover = defineCommand({
  name: 'cameras.discover',
  access: 'admin',
  doc: 'Find ONVIF cameras: a WS-Discovery multicast probe on the LAN and/or unicast probes of given hosts or a CIDR range, then identity, profiles and URIs of each. Emits cameras.discoveryProgressed.',
  input: z
    .object({
      probe: z.array(HostPort).max(64).default([]),
      range: z.string().trim().optional(),
      /** UDP port for probes to --range hosts (WS-Discovery: 3702). */
      port: z.number().int().min(1).max(65535).default(3702),
      /** Multicast too; default: only when no host or range is given. */
      multicast: z.boolean().optional(),
      timeoutMs: z.number().int().min(200).max(30000).default(3000),
      user: z.string().max(100).optional(),
      password: z.string().max(200).optional(),
    })
    .strict(),
  output: z.object({ discoveryId: z.string(), devices: z.array(DiscoveredDevice) }),
});

export const camerasAddOnvif = defineCommand({
  name: 'cameras.addOnvif',
  access: 'admin',
  doc: 'Add an ONVIF camera by host[:port]: reads identity, profiles, stream and snapshot URIs with the given credentials (encrypted at rest).',
  input: z
    .object({
      name: NonEmpty('camera name', 80),
      host: HostPort,
      user: z.string().max(100).optional(),
      password: z.string().max(200).optional(),
      /** Which media profile to record; default the first (main stream). */
      profileToken: z.string().max(100).optional(),
    })
    .strict(),
  output: CameraView,
});

export const camerasAddRtsp = defineCommand({
  name: 'cameras.addRtsp',
  access: 'admin',
  doc: 'Add a camera or DVR channel by RTSP URL (no ONVIF). A user:password in the URL is moved out of it and encrypted at rest. The stream is tested first unless test=false.',
  input: z
    .object({
      name: NonEmpty('camera name', 80),
      rtspUrl: RtspUrl,
      user: z.string().max(100).optional(),
      password: z.string().max(200).optional(),
      test: z.boolean().default(true),
    })
    .strict(),
  output: CameraView,
});

export const camerasStatus = defineCommand({
  name: 'cameras.status',
  access: 'viewer',
  doc: 'Every camera with its ONVIF details and health (never credentials).',
  input: z.object({ id: Id.optional() }).strict(),
  output: z.array(CameraView),
});

export const camerasConfigure = defineCommand({
  name: 'cameras.configure',
  access: 'admin',
  doc: 'Change camera settings owned by the cameras domain: MV Sense serial, ONVIF profile, credentials, enabled.',
  input: z
    .object({
      id: Id,
      mqttSerial: z.string().trim().max(60).nullable().optional(),
      profileToken: z.string().max(100).optional(),
      user: z.string().max(100).optional(),
      password: z.string().max(200).optional(),
      enabled: z.boolean().optional(),
    })
    .strict(),
  output: CameraView,
});

export const camerasTest = defineCommand({
  name: 'cameras.test',
  access: 'manager',
  doc: 'Test connection with ffprobe: codec, resolution, fps and the latency of the first frame. Give a saved camera id or an RTSP URL.',
  input: z
    .object({ id: Id.optional(), rtspUrl: RtspUrl.optional() })
    .strict()
    .refine((v) => (v.id === undefined) !== (v.rtspUrl === undefined), 'give either id or rtspUrl'),
  output: StreamTest,
});

export const camerasSnapshot = defineCommand({
  name: 'cameras.snapshot',
  access: 'manager',
  doc: 'Take a JPEG snapshot: from the ONVIF snapshot URI when the camera has one, else one frame grabbed with ffmpeg.',
  input: z.object({ id: Id }).strict(),
  output: Snapshot,
});

export const camerasHealth = defineCommand({
  name: 'cameras.health',
  access: 'viewer',
  doc: 'Health per camera (online/offline, last frame, bitrate, outage alert). refresh=true checks now instead of returning the last check.',
  input: z.object({ id: Id.optional(), refresh: z.boolean().default(false) }).strict(),
  output: z.array(CameraHealth),
});

export const camerasLiveStart = defineCommand({
  name: 'cameras.liveStart',
  access: 'viewer',
  doc: 'A WebSocket URL carrying the camera as MPEG-TS (MPEG-1 video) for jsmpeg. The stream starts when a viewer connects and stops when the last one leaves.',
  input: z.object({ id: Id }).strict(),
  output: z.object({ cameraId: Id, url: z.string(), width: z.number().nullable(), height: z.number().nullable(), expiresAt: EpochMs }),
});

export const camerasLiveStop = defineCommand({
  name: 'cameras.liveStop',
  access: 'manager',
  doc: 'Stop a live stream now, disconnecting its viewers.',
  input: z.object({ id: Id }).strict(),
  output: Ok,
});

export const camerasLiveStatus = defineCommand({
  name: 'cameras.liveStatus',
  access: 'viewer',
  doc: 'Live streams running now and how many viewers each has.',
  input: Empty,
  output: z.array(z.object({ cameraId: Id, viewers: z.number(), startedAt: EpochMs, bytesSent: z.number() })),
});

export const camerasMqttStatus = defineCommand({
  name: 'cameras.mqttStatus',
  access: 'viewer',
  doc: 'State of the MV Sense person-event subscription.',
  input: Empty,
  output: z.object({
    configured: z.boolean(),
    connected: z.boolean(),
    reconnects: z.number(),
    lastMessageAt: EpochMs.nullable(),
    lastError: z.string().nullable(),
  }),
});

export const camerasCommands = [
  camerasDiscover,
  camerasAddOnvif,
  camerasAddRtsp,
  camerasStatus,
  camerasConfigure,
  camerasTest,
  camerasSnapshot,
  camerasHealth,
  camerasLiveStart,
  camerasLiveStop,
  camerasLiveStatus,
  camerasMqttStatus,
] as const;

export const camerasEvents = [
  defineEvent({
    name: 'cameras.discoveryProgressed',
    doc: 'Progress of a running discovery, for a progress bar.',
    payload: z.object({
      discoveryId: z.string(),
      phase: z.enum(['probing', 'inspecting', 'done']),
      done: z.number(),
      total: z.number(),
      found: z.number(),
    }),
  }),
  defineEvent({
    name: 'camera.snapshotTaken',
    doc: 'A snapshot was saved (manual, MV Sense person event). Face search picks these up.',
    payload: z.object({ cameraId: Id, snapshotId: Id, reason: z.string(), path: z.string() }),
  }),
  defineEvent({
    name: 'camera.personCounted',
    doc: 'An MV Sense person count rose for a camera.',
    payload: z.object({ cameraId: Id, count: z.number(), previous: z.number() }),
  }),
  defineEvent({
    name: 'camera.healthChanged',
    doc: 'A camera went online or offline.',
    payload: z.object({ cameraId: Id, state: HealthState, at: EpochMs }),
  }),
  defineEvent({
    name: 'camera.offline',
    doc: 'A camera has been offline longer than cameras.offlineAlertMinutes: the alert to send.',
    payload: z.object({ cameraId: Id, since: EpochMs, minutes: z.number(), outageId: Id }),
  }),
] as const;
