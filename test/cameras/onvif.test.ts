import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsDiscover, expandCidr } from '../../services/core/cameras/discovery.js';
import { inspectOnvif } from '../../services/core/cameras/onvif.js';
import { soapCall } from '../../services/core/cameras/soap.js';
import { ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { OnvifTestDevice } from './onvif-device.js';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const THREE_HOURS = 3 * 3600_000;

describe('ONVIF against the loopback test device', () => {
  let skewed: OnvifTestDevice;
  let digest: OnvifTestDevice;
  beforeAll(async () => {
    // A camera whose clock runs 3 h behind, with URIs padded and broken across lines.
    skewed = await new OnvifTestDevice({ user: 'admin', password: 'pa55', clockSkewMs: -THREE_HOURS, uriWhitespace: true, rtspPort: 8554 }).start();
    digest = await new OnvifTestDevice({ user: 'admin', password: 'pa55', auth: 'digest', rtspPort: 8554 }).start();
  });
  afterAll(async () => {
    await skewed.stop();
    await digest.stop();
  });

  it('finds the device with a unicast WS-Discovery probe', async () => {
    const found = await wsDiscover({ targets: [{ host: '127.0.0.1', port: skewed.wsdPort }], multicast: false, timeoutMs: 400 });
    expect(found).toHaveLength(1);
    expect(found[0]!.xaddrs).toEqual([skewed.xaddr]);
    expect(found[0]!.endpoint).toBe('uuid:c9790c3a-701b-464d-a189-0060351c8ada');
    expect(found[0]!.types).toContain('dn:NetworkVideoTransmitter');
  });

  it('probes a CIDR range and finds the one device once', async () => {
    const hosts = expandCidr('127.0.0.0/29');
    expect(hosts).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6']);
    const found = await wsDiscover({ targets: hosts.map((host) => ({ host, port: skewed.wsdPort })), multicast: false, timeoutMs: 400 });
    expect(found.map((f) => f.xaddrs[0])).toEqual([skewed.xaddr]);
  });

  it('rejects malformed or huge ranges by name', () => {
    expect(() => expandCidr('10.0.0.0/8')).toThrow(/too large/);
    expect(() => expandCidr('300.1.1.0/24')).toThrow(/not a valid IPv4 CIDR/);
    expect(() => expandCidr('cameras')).toThrow(/range "cameras" is not an IPv4 CIDR/);
  });

  it('reads identity, profiles and URIs from a device whose clock is hours off (WS-UsernameToken)', async () => {
    const info = await inspectOnvif({ xaddr: skewed.xaddr, user: 'admin', password: 'pa55', fetch, now: Date.now });
    expect(info).toMatchObject({ manufacturer: 'Mockup Manufacturer', model: 'Mockup Model', firmware: 'Mockup_15_14_13', serial: '00000000' });
    expect(Math.abs(info.clockOffsetMs + THREE_HOURS)).toBeLessThan(5_000);
    expect(info.profiles).toHaveLength(1);
    const p = info.profiles[0]!;
    expect(p).toMatchObject({ token: 'main', encoding: 'H264', width: 1920, height: 1080, fps: 5 });
    // Whitespace and line breaks inside <tt:Uri> are gone; &amp; became &.
    expect(p.streamUri).toBe('rtsp://127.0.0.1:8554/h264main');
    expect(p.snapshotUri).toBe(`http://127.0.0.1:${skewed.httpPort}/onvif-cgi/jpg/image.cgi?resolution=800x600&compression=20&camera=1`);
  });

  it('needs the clock offset: the same token with our own clock is refused by the device', async () => {
    const t = { url: skewed.xaddr, user: 'admin', password: 'pa55', clockOffsetMs: 0, timeoutMs: 3000, fetch, now: Date.now };
    await expect(soapCall(t, '<tds:GetDeviceInformation/>')).rejects.toThrow('401 from 127.0.0.1: wrong user or password');
    const ok = await soapCall({ ...t, clockOffsetMs: -THREE_HOURS }, '<tds:GetDeviceInformation/>');
    expect(JSON.stringify(ok)).toContain('Mockup Model');
  });

  it('says plainly when the password is wrong (WS-Security fault and HTTP digest)', async () => {
    for (const dev of [skewed, digest]) {
      const err = await inspectOnvif({ xaddr: dev.xaddr, user: 'admin', password: 'nope', fetch, now: Date.now }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('401 from 127.0.0.1: wrong user or password');
      expect((err as { code: string }).code).toBe('invalid_input');
      expect((err as Error).stack ?? '').not.toContain('nope');
    }
  });

  it('answers HTTP digest challenges', async () => {
    const info = await inspectOnvif({ xaddr: digest.xaddr, user: 'admin', password: 'pa55', fetch, now: Date.now });
    expect(info.profiles[0]!.streamUri).toBe('rtsp://127.0.0.1:8554/h264main');
    expect(digest.requests.filter((r) => r.method === 'GetProfiles' && r.authorized)).toHaveLength(1);
  });

  it('turns a SOAP 1.2 fault into a readable error', async () => {
    const t = { url: skewed.xaddr, user: 'admin', password: 'pa55', clockOffsetMs: -THREE_HOURS, timeoutMs: 3000, fetch, now: Date.now };
    await expect(soapCall(t, '<tds:SystemReboot/>')).rejects.toThrow(
      `127.0.0.1:${skewed.httpPort} refused the request: Optional Action Not Implemented: SystemReboot (ActionNotSupported)`,
    );
  });

  it('reports a dead address without a stack trace', async () => {
    const port = await closedPort();
    const err = await inspectOnvif({ xaddr: `http://127.0.0.1:${port}/onvif/device_service`, fetch, now: Date.now }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`No answer from 127.0.0.1:${port} (ECONNREFUSED)`);
  });
});

describe('cameras.discover and cameras.addOnvif through the core', () => {
  let tc: TestCore;
  let dev: OnvifTestDevice;
  beforeAll(async () => {
    tc = await testCore();
    await tc.sys('onboarding.complete', ONBOARD);
    dev = await new OnvifTestDevice({ user: 'admin', password: 'S3cret!pw', rtspPort: 8554 }).start();
  });
  afterAll(async () => {
    await dev.stop();
    await tc.close();
  });

  it('lists a device it cannot log in to, with the reason, and a full one with credentials', async () => {
    const progress: unknown[] = [];
    const off = tc.core.events.subscribe((n, p) => n === 'cameras.discoveryProgressed' && progress.push(p));
    const anon = await tc.sys<{ devices: { error: string | null; scopeName: string | null; profiles: unknown[] }[] }>('cameras.discover', {
      probe: [`127.0.0.1:${dev.wsdPort}`],
      timeoutMs: 400,
    });
    off();
    expect(anon.devices).toHaveLength(1);
    expect(anon.devices[0]).toMatchObject({ scopeName: 'PREDATOR', profiles: [], error: '401 from 127.0.0.1: wrong user or password' });
    expect(progress.at(-1)).toMatchObject({ phase: 'done', found: 1 });

    const full = await tc.sys<{ devices: { serial: string; profiles: { streamUri: string }[]; error: null }[] }>('cameras.discover', {
      probe: [`127.0.0.1:${dev.wsdPort}`],
      timeoutMs: 400,
      user: 'admin',
      password: 'S3cret!pw',
    });
    expect(full.devices[0]).toMatchObject({ serial: '00000000', error: null, profiles: [{ streamUri: 'rtsp://127.0.0.1:8554/h264main' }] });
  });

  it('adds the camera with its credentials encrypted, and never gives them back', async () => {
    const cam = await tc.sys<{ id: number; source: string; hasCredentials: boolean; rtspUrl: string; onvif: { serial: string } }>('cameras.addOnvif', {
      name: 'Front counter',
      host: dev.hostPort,
      user: 'admin',
      password: 'S3cret!pw',
    });
    expect(cam).toMatchObject({ source: 'onvif', hasCredentials: true, rtspUrl: 'rtsp://127.0.0.1:8554/h264main', onvif: { serial: '00000000' } });
    const row = tc.core.db.prepare('SELECT * FROM camera WHERE id = ?').get(cam.id) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain('S3cret!pw');
    expect(String(row.credentials)).toMatch(/^v1:/);
    const all = JSON.stringify(await tc.sys('cameras.status', {}));
    expect(all).not.toContain('S3cret!pw');
    const audit = JSON.stringify(tc.core.db.prepare('SELECT * FROM audit_event').all());
    expect(audit).toContain('camera.add');
    expect(audit).not.toContain('S3cret!pw');
    // A second camera with the same name is refused, nothing half-written.
    await expect(tc.sys('cameras.addOnvif', { name: 'Front counter', host: dev.hostPort, user: 'admin', password: 'S3cret!pw' })).rejects.toThrow(/already exists/);
    await expect(tc.sys('cameras.addOnvif', { name: 'Back door', host: dev.hostPort, user: 'admin', password: 'bad' })).rejects.toThrow(
      'invalid_input: 401 from 127.0.0.1: wrong user or password',
    );
    expect((tc.core.db.prepare('SELECT COUNT(*) AS n FROM camera').get() as { n: number }).n).toBe(1);
  });

  it('refuses a bad host or an unknown profile by name', async () => {
    await expect(tc.sys('cameras.addOnvif', { name: 'X', host: 'not a host!' })).rejects.toThrow(/host/);
    await expect(tc.sys('cameras.addOnvif', { name: 'X', host: dev.hostPort, user: 'admin', password: 'S3cret!pw', profileToken: 'sub' })).rejects.toThrow(
      'The camera has no media profile "sub" (it has: main).',
    );
  });
});
