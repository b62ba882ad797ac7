import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { OnvifTestDevice } from './onvif-device.js';
import { RtspSource } from './rtsp-source.js';

interface Cam {
  id: number;
  rtspUrl: string;
  hasCredentials: boolean;
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('cameras on a real RTSP server (rtsp-server-perl fed by ffmpeg)', () => {
  let tc: TestCore;
  let rtsp: RtspSource;
  let dev: OnvifTestDevice;
  let onvifCam: Cam;
  let rtspCam: Cam;

  beforeAll(async () => {
    rtsp = await new RtspSource().start();
    dev = await new OnvifTestDevice({ user: 'admin', password: 'pw-123', rtspPort: rtsp.clientPort, auth: 'digest' }).start();
    tc = await testCore();
    await tc.sys('onboarding.complete', ONBOARD);
    onvifCam = await tc.sys<Cam>('cameras.addOnvif', { name: 'Register 1', host: dev.hostPort, user: 'admin', password: 'pw-123' });
  });
  afterAll(async () => {
    await tc?.close();
    await dev?.stop();
    await rtsp?.stop();
  });

  it('adds a camera by RTSP URL after testing it, moving the credentials out of the URL', async () => {
    rtspCam = await tc.sys<Cam>('cameras.addRtsp', { name: 'Door DVR ch1', rtspUrl: rtsp.url().replace('rtsp://', 'rtsp://viewer:dvr%40pw@') });
    expect(rtspCam.rtspUrl).toBe(rtsp.url());
    expect(rtspCam.hasCredentials).toBe(true);
    expect(JSON.stringify(tc.core.db.prepare('SELECT * FROM camera').all())).not.toContain('dvr');
  });

  it('refuses a dead RTSP URL with a clear error and adds nothing', async () => {
    const before = (tc.core.db.prepare('SELECT COUNT(*) AS n FROM camera').get() as { n: number }).n;
    await expect(tc.sys('cameras.addRtsp', { name: 'Ghost', rtspUrl: `rtsp://u:secretpw@127.0.0.1:${rtsp.clientPort}/nothing-here` })).rejects.toThrow(
      new RegExp(`unavailable: rtsp://127\\.0\\.0\\.1:${rtsp.clientPort}/nothing-here: `),
    );
    await expect(tc.sys('cameras.addRtsp', { name: 'Bad', rtspUrl: 'http://example/x' })).rejects.toThrow(/must be an rtsp:\/\/ URL/);
    expect((tc.core.db.prepare('SELECT COUNT(*) AS n FROM camera').get() as { n: number }).n).toBe(before);
  });

  it('tests the connection: codec, resolution, fps and first-frame latency', async () => {
    const t = await tc.sys<{ codec: string; width: number; height: number; fps: number; firstFrameMs: number }>('cameras.test', { id: onvifCam.id });
    expect(t).toMatchObject({ codec: 'h264', width: 320, height: 240, fps: 10 });
    expect(t.firstFrameMs).toBeGreaterThan(0);
    expect(t.firstFrameMs).toBeLessThan(15_000);
  });

  it('takes snapshots from the ONVIF snapshot URI (digest auth) and by ffmpeg frame grab', async () => {
    const s1 = await tc.sys<{ source: string; path: string; bytes: number }>('cameras.snapshot', { id: onvifCam.id });
    expect(s1.source).toBe('onvif');
    expect(readFileSync(s1.path).equals(dev.snapshot)).toBe(true);
    const s2 = await tc.sys<{ source: string; path: string; bytes: number }>('cameras.snapshot', { id: rtspCam.id });
    expect(s2.source).toBe('ffmpeg');
    const img = jpeg.decode(readFileSync(s2.path));
    expect([img.width, img.height]).toEqual([320, 240]);
    expect(s2.bytes).toBe(readFileSync(s2.path).length);
    const rows = tc.core.db.prepare('SELECT camera_id, reason, source FROM camera_snapshot ORDER BY id').all();
    expect(rows).toEqual([
      { camera_id: onvifCam.id, reason: 'manual', source: 'onvif' },
      { camera_id: rtspCam.id, reason: 'manual', source: 'ffmpeg' },
    ]);
  });

  it('streams live view over a WebSocket on demand and stops when nobody watches', async () => {
    await tc.sys('settings.set', { key: 'cameras.liveIdleSeconds', value: 1 });
    const live = await tc.sys<{ url: string; width: number }>('cameras.liveStart', { id: onvifCam.id });
    expect(live.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/live\/\d+\?ticket=/);
    expect(await tc.sys('cameras.liveStatus', {})).toEqual([]); // nothing runs until someone connects

    const forged = new WebSocket(live.url.replace(/ticket=.*/, 'ticket=forged'));
    const code = await new Promise<number>((r) => forged.on('close', (c) => r(c)));
    expect(code).toBe(4401);

    const ws = new WebSocket(live.url);
    const chunks: Buffer[] = [];
    ws.on('message', (d: Buffer) => chunks.push(d));
    await until('MPEG-TS over the WebSocket', () => chunks.reduce((n, c) => n + c.length, 0) > 20_000, 20_000);
    expect(chunks[0]!.subarray(0, 4).toString()).toBe('jsmp');
    const ts = Buffer.concat(chunks.slice(1));
    expect(ts[0]).toBe(0x47); // MPEG-TS sync byte
    expect(ts[188]).toBe(0x47);
    const status = await tc.sys<{ cameraId: number; viewers: number }[]>('cameras.liveStatus', {});
    expect(status).toMatchObject([{ cameraId: onvifCam.id, viewers: 1 }]);
    ws.close();
    await until('live view to stop', async () => (await tc.sys<unknown[]>('cameras.liveStatus', {})).length === 0, 10_000);
  });

  it('goes offline when its source stops and raises an alert within the configured time', async () => {
    const h = await tc.sys<{ state: string; bitrateKbps: number; lastFrameAt: number }[]>('cameras.health', { id: rtspCam.id, refresh: true });
    expect(h[0]!.state).toBe('online');
    expect(h[0]!.bitrateKbps).toBeGreaterThan(0);
    // Only this camera is watched, so the check cadence is what the settings say.
    await tc.sys('cameras.configure', { id: onvifCam.id, enabled: false });
    await tc.sys('settings.set', { key: 'cameras.offlineAlertMinutes', value: 0.05 }); // 3 s
    await tc.sys('settings.set', { key: 'cameras.healthIntervalSeconds', value: 1 });
    const stoppedAt = Date.now();
    await rtsp.stopSource();
    const alert = await until(
      'the camera-offline alert',
      async () => (await tc.sys<{ type: string; entityId: string; title: string }[]>('alerts.list', {})).find((a) => a.type === 'camera_offline'),
      40_000,
    );
    expect(alert).toMatchObject({ entityId: String(rtspCam.id), title: 'Camera "Door DVR ch1" offline' });
    const health = await tc.sys<{ state: string; alerted: boolean; offlineSince: number }[]>('cameras.health', { id: rtspCam.id });
    expect(health[0]).toMatchObject({ state: 'offline', alerted: true });
    expect(health[0]!.offlineSince).toBeGreaterThanOrEqual(stoppedAt);
    const outages = tc.core.db.prepare('SELECT * FROM camera_outage WHERE camera_id = ?').all(rtspCam.id) as { alerted_at: number; started_at: number }[];
    expect(outages).toHaveLength(1);
    expect(outages[0]!.alerted_at - outages[0]!.started_at).toBeGreaterThanOrEqual(3000);
  }, 60_000);
});
