import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PennyError } from '../../contract/errors.js';
import type { AppDeps } from '../app.js';
import type { Actor } from '../context.js';
import { digestAuthorization, parseDigestChallenge } from './http-digest.js';
import { grabFrame } from './media.js';
import { credentialsOf, getCamera, withCredentials, type CameraRow, type Credentials } from './repo.js';
import { hostOf, wrongPassword } from './soap.js';

export type SnapshotReason = 'manual' | 'person' | 'live';

const isJpeg = (b: Buffer) => b.length > 4 && b[0] === 0xff && b[1] === 0xd8;

/** GET the ONVIF snapshot URI, answering Basic or Digest challenges. */
export async function fetchSnapshot(f: typeof fetch, uri: string, creds: Credentials | null, timeoutMs = 8000): Promise<Buffer> {
  const get = (authorization?: string) =>
    f(uri, { headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(timeoutMs) }).catch((e: Error & { cause?: { code?: string } }) => {
      throw new PennyError('unavailable', `No snapshot from ${hostOf(uri)} (${e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.message)})`);
    });
  let res = await get();
  if (res.status === 401 && creds) {
    const header = res.headers.get('www-authenticate') ?? '';
    await res.body?.cancel();
    const ch = parseDigestChallenge(header);
    const u = new URL(uri);
    res = await get(
      ch
        ? digestAuthorization(ch, 'GET', u.pathname + u.search, creds.user, creds.password)
        : `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')}`,
    );
  }
  if (res.status === 401) {
    await res.body?.cancel();
    throw wrongPassword(uri);
  }
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok || !isJpeg(body)) {
    throw new PennyError('unavailable', `${hostOf(uri)} answered the snapshot request with HTTP ${res.status} and ${isJpeg(body) ? 'a JPEG' : 'no JPEG'}`);
  }
  return body;
}

export interface SavedSnapshot {
  id: number;
  cameraId: number;
  takenAt: number;
  reason: SnapshotReason;
  source: 'onvif' | 'ffmpeg';
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * Snapshot of a camera: the ONVIF snapshot URI when there is one (cheap, full resolution), else
 * (or when it fails) one frame grabbed from the stream with ffmpeg. Written to a temp name first so
 * a reader never sees half a JPEG.
 */
export async function takeSnapshot(d: AppDeps, cameraId: number, reason: SnapshotReason, actor: Actor): Promise<SavedSnapshot> {
  const row: CameraRow = getCamera(d.db, cameraId);
  const creds = credentialsOf(d.secrets, row);
  let jpeg: Buffer | undefined;
  let source: 'onvif' | 'ffmpeg' = 'onvif';
  let onvifError: PennyError | undefined;
  if (row.snapshot_uri) {
    try {
      jpeg = await fetchSnapshot(d.fetch, row.snapshot_uri, creds);
    } catch (e) {
      if (!(e instanceof PennyError)) throw e;
      onvifError = e;
      d.logger.warn('camera snapshot URI failed, grabbing a frame instead', { cameraId, code: e.code });
    }
  }
  if (!jpeg) {
    if (!row.rtsp_url) throw onvifError ?? new PennyError('invalid_input', `Camera ${cameraId} has no stream URL and no snapshot URI.`);
    source = 'ffmpeg';
    jpeg = await grabFrame(d.ffmpegPath, withCredentials(row.rtsp_url, creds));
  }
  const takenAt = d.clock.now();
  const dir = join(d.dataDir, 'snapshots', `camera-${cameraId}`);
  mkdirSync(dir, { recursive: true });
  const sha256 = createHash('sha256').update(jpeg).digest('hex');
  const path = join(dir, `${takenAt}-${reason}-${sha256.slice(0, 8)}.jpg`);
  writeFileSync(path + '.tmp', jpeg);
  renameSync(path + '.tmp', path);
  const id = d.db.transaction(() => {
    const snapId = Number(
      d.db
        .prepare('INSERT INTO camera_snapshot (camera_id, taken_at, reason, source, path, bytes, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(cameraId, takenAt, reason, source, path, jpeg.length, sha256).lastInsertRowid,
    );
    d.audit(actor, { action: 'camera.snapshot', entity: 'camera', entityId: cameraId, details: { snapshotId: snapId, reason, source } });
    return snapId;
  })();
  d.events.emit('camera.snapshotTaken', { cameraId, snapshotId: id, reason, path });
  return { id, cameraId, takenAt, reason, source, path, bytes: jpeg.length, sha256 };
}
