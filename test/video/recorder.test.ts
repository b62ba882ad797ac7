import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { ffprobeJson } from './media.js';

/** The recorder against a real RTSP server on loopback: Debian's rtsp-server-perl, fed by ffmpeg. */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function waitFor<T>(tc: TestCore, event: string, pred: (p: T) => boolean, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const off = tc.core.events.subscribe((name, p) => {
      if (name === event && pred(p as T)) {
        clearTimeout(t);
        off();
        resolve(p as T);
      }
    });
  });
}

const procs: ChildProcess[] = [];
function start(cmd: string, args: string[]): ChildProcess {
  const p = spawn(cmd, args, { stdio: 'ignore' });
  procs.push(p);
  return p;
}
const stop = (p: ChildProcess) =>
  new Promise<void>((r) => {
    if (p.exitCode !== null || p.signalCode !== null) return r();
    p.once('close', () => r());
    p.kill('SIGKILL');
  });

describe('recorder on a real RTSP stream', () => {
  let tc: TestCore | undefined;
  afterAll(async () => {
    await tc?.close();
    await Promise.all(procs.map(stop));
  });

  it('indexes segments, records a gap when the source dies and resumes when it returns', async () => {
    const clientPort = await freePort();
    const sourcePort = await freePort();
    // RTP goes out over UDP from rtp_start_port; a random even base keeps clear of anything else on the machine.
    const rtpBase = 30_000 + 2 * Math.floor(Math.random() * 10_000);
    const server = () =>
      start('rtsp-server-perl', ['--clientport', String(clientPort), '--serverport', String(sourcePort), '--client_listen_address', '127.0.0.1',
        '--source_listen_address', '127.0.0.1', '--rtp_start_port', String(rtpBase), '-l', '0']);
    let srv = server();
    const feed = () =>
      start('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10', '-pix_fmt', 'yuv420p', '-f', 'rtsp', `rtsp://127.0.0.1:${sourcePort}/cam`]);
    await new Promise((r) => setTimeout(r, 1000));
    let source = feed();
    await new Promise((r) => setTimeout(r, 1500));

    tc = await testCore();
    await tc.sys('onboarding.complete', ONBOARD);
    await tc.sys('settings.set', { key: 'video.rtspTransport', value: 'udp' });
    await tc.sys('settings.set', { key: 'video.segmentSeconds', value: 2 });
    const first = waitFor<{ cameraId: number; start: number; end: number }>(tc, 'recording.segmentIndexed', () => true, 30_000);
    const cam = await tc.sys<{ id: number }>('cameras.add', { name: 'Door', rtspUrl: `rtsp://127.0.0.1:${clientPort}/cam` });
    const seg = await first;
    expect(seg.cameraId).toBe(cam.id);
    expect(seg.end - seg.start).toBeGreaterThan(500);
    expect(Math.abs(seg.start - Date.now())).toBeLessThan(15_000);
    await waitFor(tc, 'recording.segmentIndexed', () => true, 15_000);

    const before = (await tc.sys<{ segments: number; recorder: { state: string } }[]>('recordings.status', {}))[0]!;
    expect(before.segments).toBeGreaterThanOrEqual(2);
    expect(before.recorder.state).toBe('recording');
    const row = tc.core.db.prepare('SELECT path FROM recording_segment ORDER BY id LIMIT 1').get() as { path: string };
    expect(row.path).toMatch(/^recordings\/cam-\d+\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{6}\.\d{3}Z\.mkv$/);
    expect(ffprobeJson(join(tc.dir, row.path)).streams[0].codec_name).toBe('h264');

    const gap = waitFor<{ cameraId: number; start: number }>(tc, 'recording.gapOpened', () => true, 30_000);
    // The camera goes dark: its RTSP server and its stream both vanish (rtsp-server-perl keeps a dead
    // source's mount, so the stream alone could not come back on the same server).
    const killedAt = Date.now();
    await stop(source);
    await stop(srv);
    const opened = await gap;
    expect(opened.cameraId).toBe(cam.id);
    expect(opened.start).toBeGreaterThan(killedAt - 6000);

    const resumed = waitFor<{ gapStart: number; gapEnd: number }>(tc, 'recording.resumed', () => true, 60_000);
    srv = server();
    await new Promise((r) => setTimeout(r, 1000));
    source = feed();
    const back = await resumed;
    expect(back.gapStart).toBe(opened.start);
    expect(back.gapEnd).toBeGreaterThan(back.gapStart);

    const after = (await tc.sys<{ segments: number; gaps: { start: number; end: number; reason: string }[]; recorder: { restarts: number } }[]>('recordings.status', {}))[0]!;
    expect(after.segments).toBeGreaterThan(before.segments);
    expect(after.recorder.restarts).toBeGreaterThanOrEqual(1);
    const recorded = after.gaps.find((g) => g.reason.startsWith('recorder down'));
    expect(recorded).toBeDefined();
    expect(recorded!.start).toBeLessThanOrEqual(back.gapEnd);
    expect(existsSync(join(tc.dir, 'recordings', '.recorder.lock'))).toBe(true);
  }, 120_000);
});
