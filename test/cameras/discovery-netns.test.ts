/**
 * WS-Discovery multicast for real: a network namespace of the test's own whose loopback has
 * multicast on, the ONVIF test device inside it (joined to 239.255.255.250:3702), and the `penny`
 * CLI inside it too — the new-user flow: discover, add, list.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/core.js';

const ROOT = join(import.meta.dirname, '../..');
const NS = `penny-cam-${process.pid}`;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

function penny(dataDir: string, args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn('ip', ['netns', 'exec', NS, process.execPath, join(ROOT, 'bin/penny.mjs'), '--data-dir', dataDir, ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    p.stdin.end(stdin);
  });
}

describe('penny cameras discover with multicast in a network namespace', () => {
  let device: ChildProcess | undefined;
  const data = tempDir();

  beforeAll(async () => {
    ip('netns', 'add', NS);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'multicast', 'on');
    ip('netns', 'exec', NS, 'ip', 'route', 'add', '224.0.0.0/4', 'dev', 'lo');
    device = spawn(
      'ip',
      ['netns', 'exec', NS, process.execPath, '--import', 'tsx', join(ROOT, 'test/cameras/onvif-device.ts'),
        '--multicast', '--wsd-port', '3702', '--http-port', '8080', '--user', 'admin', '--password', 'door-pw'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the ONVIF test device did not start in the namespace')), 20_000);
      device!.stdout!.on('data', (b: Buffer) => {
        if (b.toString().includes('"ready":true')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
  }, 30_000);

  afterAll(async () => {
    if (device && device.exitCode === null) {
      device.kill('SIGKILL');
      await new Promise((r) => device!.once('exit', r));
    }
    // Kill anything of ours still in the namespace before removing it.
    try {
      const pids = execFileSync('ip', ['netns', 'pids', NS]).toString().split(/\s+/).filter(Boolean);
      for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // namespace already gone
    }
    try {
      ip('netns', 'del', NS);
    } catch {
      // already removed
    }
    data.cleanup();
  });

  it('finds the camera by multicast, adds it, and lists it', async () => {
    const found = await penny(data.dir, ['cameras', 'discover', '--timeout', '1', '--user', 'admin', '--password-stdin', '--json'], 'door-pw\n');
    expect(found.code, found.err).toBe(0);
    const devices = JSON.parse(found.out) as { xaddr: string; manufacturer: string; profiles: { token: string; streamUri: string }[] }[];
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({
      xaddr: 'http://127.0.0.1:8080/onvif/device_service',
      manufacturer: 'Mockup Manufacturer',
      profiles: [{ token: 'main', streamUri: 'rtsp://127.0.0.1:554/h264main' }],
    });

    const wrong = await penny(data.dir, ['cameras', 'add', '--name', 'Door', '--onvif', '127.0.0.1:8080', '--user', 'admin', '--password-stdin'], 'guess\n');
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toContain('401 from 127.0.0.1: wrong user or password');
    expect(wrong.err).not.toMatch(/\n\s+at /); // no stack trace

    const added = await penny(data.dir, ['cameras', 'add', '--name', 'Door', '--onvif', '127.0.0.1:8080', '--user', 'admin', '--password-stdin', '--json'], 'door-pw\n');
    expect(added.code, added.err).toBe(0);
    expect(JSON.parse(added.out)).toMatchObject({ name: 'Door', source: 'onvif', hasCredentials: true });

    const list = await penny(data.dir, ['cameras', 'list', '--json']);
    const cams = JSON.parse(list.out) as { name: string; rtspUrl: string }[];
    expect(cams).toMatchObject([{ name: 'Door', rtspUrl: 'rtsp://127.0.0.1:554/h264main' }]);
    expect(list.out + list.err + added.out + added.err).not.toContain('door-pw');

    // Discovering again marks the device as already added.
    const again = await penny(data.dir, ['cameras', 'discover', '--timeout', '1', '--json']);
    expect(JSON.parse(again.out)[0].cameraId).toBe(1);
  }, 60_000);
});
