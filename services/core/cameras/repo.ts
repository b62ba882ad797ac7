import { PennyError } from '../../contract/errors.js';
import type { CameraView } from '../../contract/commands/cameras.js';
import type { Db } from '../db/open.js';
import type { SecretBox } from '../platform/secrets.js';
import type { OnvifProfile } from './onvif.js';

export interface CameraRow {
  id: number;
  name: string;
  rtsp_url: string | null;
  enabled: number;
  created_at: number;
  source: 'rtsp' | 'onvif';
  credentials: string | null;
  onvif_host: string | null;
  onvif_xaddr: string | null;
  onvif_clock_offset_ms: number | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  profile_token: string | null;
  profiles: string | null;
  snapshot_uri: string | null;
  mqtt_serial: string | null;
  health_state: 'unknown' | 'online' | 'offline';
  health_checked_at: number | null;
  last_frame_at: number | null;
  bitrate_kbps: number | null;
  health_error: string | null;
  offline_since: number | null;
}

export interface Credentials {
  user: string;
  password: string;
}

export function getCamera(db: Db, id: number): CameraRow {
  const row = db.prepare('SELECT * FROM camera WHERE id = ?').get(id) as CameraRow | undefined;
  if (!row) throw new PennyError('not_found', `No camera with id ${id}.`, { field: 'id' });
  return row;
}

export function allCameras(db: Db): CameraRow[] {
  return db.prepare('SELECT * FROM camera ORDER BY id').all() as CameraRow[];
}

export function credentialsOf(secrets: SecretBox, row: Pick<CameraRow, 'credentials'>): Credentials | null {
  if (!row.credentials) return null;
  return JSON.parse(secrets.open(row.credentials)) as Credentials;
}

export function sealCredentials(secrets: SecretBox, user?: string, password?: string): string | null {
  if (user === undefined || user === '') return null;
  return secrets.seal(JSON.stringify({ user, password: password ?? '' }));
}

/** Moves user:password out of an RTSP URL; the stored URL never carries them. */
export function splitCredentials(url: string): { url: string; user?: string; password?: string } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url };
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { url: u.toString(), user, password };
}

/** The URL ffmpeg opens: the stored one with the decrypted credentials put back in. */
export function withCredentials(url: string, creds: Credentials | null): string {
  if (!creds) return url;
  const u = new URL(url);
  u.username = encodeURIComponent(creds.user);
  u.password = encodeURIComponent(creds.password);
  return u.toString();
}

export function profilesOf(row: CameraRow): OnvifProfile[] {
  return row.profiles ? (JSON.parse(row.profiles) as OnvifProfile[]) : [];
}

export function openOutage(db: Db, cameraId: number): { id: number; started_at: number; alerted_at: number | null } | undefined {
  return db
    .prepare('SELECT id, started_at, alerted_at FROM camera_outage WHERE camera_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1')
    .get(cameraId) as { id: number; started_at: number; alerted_at: number | null } | undefined;
}

export function healthOf(db: Db, row: CameraRow): CameraView['health'] {
  const outage = openOutage(db, row.id);
  return {
    cameraId: row.id,
    state: row.health_state,
    checkedAt: row.health_checked_at,
    lastFrameAt: row.last_frame_at,
    bitrateKbps: row.bitrate_kbps,
    offlineSince: row.offline_since,
    alerted: !!outage?.alerted_at,
    error: row.health_error,
  };
}

export function toView(db: Db, row: CameraRow): CameraView {
  return {
    id: row.id,
    name: row.name,
    enabled: !!row.enabled,
    source: row.source,
    rtspUrl: row.rtsp_url ?? '',
    hasCredentials: !!row.credentials,
    onvif:
      row.source === 'onvif' && row.onvif_host && row.onvif_xaddr
        ? {
            host: row.onvif_host,
            xaddr: row.onvif_xaddr,
            manufacturer: row.manufacturer ?? '',
            model: row.model ?? '',
            firmware: row.firmware ?? '',
            serial: row.serial ?? '',
            profileToken: row.profile_token,
            clockOffsetMs: row.onvif_clock_offset_ms ?? 0,
            profiles: profilesOf(row),
          }
        : null,
    snapshotUri: row.snapshot_uri,
    mqttSerial: row.mqtt_serial,
    health: healthOf(db, row),
    createdAt: row.created_at,
  };
}
