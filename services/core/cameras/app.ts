import { PennyError } from '../../contract/errors.js';
import { RaiseInput } from '../../contract/commands/alerts.js';
import { raiseAlert } from '../alerts/raise.js';
import type { AppDeps, DomainApp } from '../app.js';
import { systemCtx, type Actor } from '../context.js';
import { readSetting } from '../settings/app.js';
import { discover } from './discover.js';
import { createHealthMonitor, type AlertSink } from './health.js';
import { createLiveHub } from './live.js';
import { probeStream, redactUrl } from './media.js';
import { deviceServiceUrl, inspectOnvif, type OnvifInfo } from './onvif.js';
import { createPersonEvents } from './person-events.js';
import {
  allCameras,
  credentialsOf,
  getCamera,
  profilesOf,
  sealCredentials,
  splitCredentials,
  toView,
  withCredentials,
  type CameraRow,
} from './repo.js';
import { takeSnapshot } from './snapshot.js';

export interface CamerasOptions {
  /** Where the camera-offline alert goes besides the `camera.offline` event (the alerts domain). */
  alertSink?: AlertSink;
}

/** The URL the recorder or ffmpeg opens for a camera, credentials included. Never log or return it. */
export function streamUrlFor(d: AppDeps, cameraId: number): string | null {
  const row = getCamera(d.db, cameraId);
  return row.rtsp_url ? withCredentials(row.rtsp_url, credentialsOf(d.secrets, row)) : null;
}

function chooseProfile(info: OnvifInfo, token?: string) {
  if (token) {
    const p = info.profiles.find((x) => x.token === token);
    if (!p) {
      throw new PennyError('invalid_input', `The camera has no media profile "${token}" (it has: ${info.profiles.map((x) => x.token).join(', ') || 'none'}).`, {
        field: 'profileToken',
      });
    }
    return p;
  }
  const p = info.profiles.find((x) => x.streamUri);
  if (!p) throw new PennyError('unavailable', 'The camera reported no media profile with a stream URI.');
  return p;
}

export function createCamerasApp(d: AppDeps, opts: CamerasOptions = {}): DomainApp & { live: ReturnType<typeof createLiveHub> } {
  const { db } = d;
  const numSetting = (key: string, fallback: number) => {
    const v = readSetting<number>(db, d.secrets, key);
    return typeof v === 'number' ? v : fallback;
  };
  const healthActor: Actor = systemCtx('camera-health').actor;
  const raiseOffline: AlertSink = (cameraId, since, minutes, outageId) => {
    const cam = getCamera(db, cameraId);
    raiseAlert(
      d,
      RaiseInput.parse({
        source: 'camera',
        type: 'camera_offline',
        severity: 'high',
        title: `Camera "${cam.name}" offline`,
        body: `No video from camera "${cam.name}" for ${minutes} min (since ${new Date(since).toISOString()}). Last error: ${cam.health_error ?? 'none'}.`,
        entity: 'camera',
        entityId: cameraId,
        dedupeKey: `camera-offline:${outageId}`,
      }),
      healthActor,
    );
  };
  const health = createHealthMonitor(d, opts.alertSink ?? raiseOffline);

  const live = createLiveHub({
    ffmpegPath: d.ffmpegPath,
    clock: d.clock,
    logger: d.logger,
    idleMs: () => numSetting('cameras.liveIdleSeconds', 10) * 1000,
    source(cameraId) {
      const row = getCamera(db, cameraId);
      if (!row.rtsp_url) throw new PennyError('invalid_input', `Camera ${cameraId} has no stream URL.`);
      const prof = profilesOf(row).find((p) => p.token === row.profile_token);
      return { url: withCredentials(row.rtsp_url, credentialsOf(d.secrets, row)), width: prof?.width ?? null, height: prof?.height ?? null };
    },
  });

  // One snapshot chain per camera: rises queue behind each other instead of spawning N ffmpegs.
  const snapshotChains = new Map<number, Promise<unknown>>();
  const mqttActor: Actor = systemCtx('mqtt').actor;
  const person = createPersonEvents(d, (topic, count, previous) => {
    const segments = topic.split('/').filter(Boolean);
    const cams = allCameras(db).filter((c) => c.enabled && segments.includes(c.mqtt_serial ?? c.serial ?? '\u0000'));
    for (const cam of cams) {
      d.events.emit('camera.personCounted', { cameraId: cam.id, count, previous });
      const prev = snapshotChains.get(cam.id) ?? Promise.resolve();
      const next = prev
        .then(() => takeSnapshot(d, cam.id, 'person', mqttActor))
        .catch((e: Error) => d.logger.warn('person snapshot failed', { cameraId: cam.id, error: e instanceof PennyError ? e.code : 'internal' }));
      snapshotChains.set(cam.id, next);
    }
  });
  let unsubscribe: (() => void) | undefined;

  function insertCamera(fields: Partial<CameraRow> & { name: string; rtsp_url: string }, actor: Actor) {
    return db.transaction(() => {
      const dup = db.prepare('SELECT id FROM camera WHERE name = ?').get(fields.name) as { id: number } | undefined;
      if (dup) throw new PennyError('conflict', `A camera named "${fields.name}" already exists (id ${dup.id}).`, { field: 'name' });
      const cols = Object.keys(fields);
      const id = Number(
        db
          .prepare(`INSERT INTO camera (${cols.join(', ')}, enabled, created_at) VALUES (${cols.map(() => '?').join(', ')}, 1, ?)`)
          .run(...cols.map((c) => (fields as Record<string, unknown>)[c] ?? null), d.clock.now()).lastInsertRowid,
      );
      // The audit keeps host and source, never the credentials.
      d.audit(actor, { action: 'camera.add', entity: 'camera', entityId: id, details: { source: fields.source, url: redactUrl(fields.rtsp_url) } });
      return toView(db, getCamera(db, id));
    })();
  }

  return {
    live,
    handlers: {
      'cameras.discover': (input) => discover(d, input),

      'cameras.addOnvif': async (input, ctx) => {
        const xaddr = deviceServiceUrl(input.host);
        const info = await inspectOnvif({ xaddr, user: input.user, password: input.password, fetch: d.fetch, now: d.clock.now });
        const profile = chooseProfile(info, input.profileToken);
        const stream = splitCredentials(profile.streamUri!);
        return insertCamera(
          {
            name: input.name,
            rtsp_url: stream.url,
            source: 'onvif',
            credentials: sealCredentials(d.secrets, input.user ?? stream.user, input.user !== undefined ? input.password : stream.password),
            onvif_host: input.host,
            onvif_xaddr: xaddr,
            onvif_clock_offset_ms: info.clockOffsetMs,
            manufacturer: info.manufacturer,
            model: info.model,
            firmware: info.firmware,
            serial: info.serial,
            profile_token: profile.token,
            profiles: JSON.stringify(info.profiles),
            snapshot_uri: profile.snapshotUri,
          },
          ctx.actor,
        );
      },

      'cameras.addRtsp': async (input, ctx) => {
        const split = splitCredentials(input.rtspUrl);
        const user = input.user ?? split.user;
        const password = input.user !== undefined ? input.password : split.password;
        if (input.test) await probeStream(d.ffprobePath, d.ffmpegPath, withCredentials(split.url, user ? { user, password: password ?? '' } : null));
        return insertCamera({ name: input.name, rtsp_url: split.url, source: 'rtsp', credentials: sealCredentials(d.secrets, user, password) }, ctx.actor);
      },

      'cameras.status': ({ id }) => (id ? [getCamera(db, id)] : allCameras(db)).map((r) => toView(db, r)),

      'cameras.configure': (input, ctx) =>
        db.transaction(() => {
          const row = getCamera(db, input.id);
          const changed: string[] = [];
          if (input.mqttSerial !== undefined) {
            db.prepare('UPDATE camera SET mqtt_serial = ? WHERE id = ?').run(input.mqttSerial || null, row.id);
            changed.push('mqttSerial');
          }
          if (input.enabled !== undefined) {
            db.prepare('UPDATE camera SET enabled = ? WHERE id = ?').run(input.enabled ? 1 : 0, row.id);
            changed.push('enabled');
          }
          if (input.user !== undefined) {
            db.prepare('UPDATE camera SET credentials = ? WHERE id = ?').run(sealCredentials(d.secrets, input.user, input.password), row.id);
            changed.push('credentials');
          }
          if (input.profileToken !== undefined) {
            const p = profilesOf(row).find((x) => x.token === input.profileToken);
            if (!p?.streamUri) throw new PennyError('invalid_input', `Camera ${row.id} has no media profile "${input.profileToken}" with a stream.`, { field: 'profileToken' });
            db.prepare('UPDATE camera SET profile_token = ?, rtsp_url = ?, snapshot_uri = ? WHERE id = ?').run(
              p.token,
              splitCredentials(p.streamUri).url,
              p.snapshotUri,
              row.id,
            );
            changed.push('profileToken');
          }
          d.audit(ctx.actor, { action: 'camera.configure', entity: 'camera', entityId: row.id, details: { changed } });
          return toView(db, getCamera(db, row.id));
        })(),

      'cameras.test': async (input) => {
        let url: string;
        if (input.id !== undefined) {
          const u = streamUrlFor(d, input.id);
          if (!u) throw new PennyError('invalid_input', `Camera ${input.id} has no stream URL to test.`, { field: 'id' });
          url = u;
        } else url = input.rtspUrl!;
        return { ok: true as const, ...(await probeStream(d.ffprobePath, d.ffmpegPath, url)) };
      },

      'cameras.snapshot': ({ id }, ctx) => takeSnapshot(d, id, 'manual', ctx.actor),

      'cameras.health': async ({ id, refresh }) => {
        if (id !== undefined) getCamera(db, id);
        if (refresh) await health.checkNow(id !== undefined ? [id] : undefined);
        return (id !== undefined ? [getCamera(db, id)] : allCameras(db)).map((r) => toView(db, r).health);
      },

      'cameras.liveStart': ({ id }) => live.ticket(id),
      'cameras.liveStop': ({ id }) => {
        getCamera(db, id);
        live.stop(id);
        return { ok: true as const };
      },
      'cameras.liveStatus': () => live.status(),
      'cameras.mqttStatus': () => person.status(),
    },
    start() {
      health.start();
      person.start();
      unsubscribe = d.events.subscribe((name, payload) => {
        const key = name === 'setting.changed' ? (payload as { key: string }).key : '';
        if (key === 'cameras.healthIntervalSeconds') health.reschedule();
        if (key.startsWith('cameras.mqtt.')) {
          person.restart().catch((e: Error) => d.logger.error('mqtt restart failed', { error: e.message }));
        }
      });
    },
    async stop() {
      unsubscribe?.();
      await person.stop();
      await health.stop();
      await live.close();
      await Promise.allSettled([...snapshotChains.values()]);
    },
  };
}
