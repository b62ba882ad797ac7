import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { OnvifTestDevice } from './onvif-device.js';

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function publish(port: number, messages: [string, string][]): Promise<void> {
  const c = await mqtt.connectAsync({ host: '127.0.0.1', port, protocol: 'mqtt' });
  for (const [topic, payload] of messages) await c.publishAsync(topic, payload, { qos: 1 });
  await c.endAsync();
}

const snapshots = (tc: TestCore, cameraId: number) =>
  (tc.core.db.prepare("SELECT COUNT(*) AS n FROM camera_snapshot WHERE camera_id = ? AND reason = 'person'").get(cameraId) as { n: number }).n;

describe('MV Sense person events over MQTT', () => {
  let tc: TestCore;
  let dev: OnvifTestDevice;
  let camId: number;
  const serial = `Q2PN-${Math.random().toString(36).slice(2, 6).toUpperCase()}-${process.pid}`;

  beforeAll(async () => {
    dev = await new OnvifTestDevice({ user: 'admin', password: 'pw' }).start();
    tc = await testCore();
    await tc.sys('onboarding.complete', ONBOARD);
    camId = (await tc.sys<{ id: number }>('cameras.addOnvif', { name: 'Entrance', host: dev.hostPort, user: 'admin', password: 'pw' })).id;
    await tc.sys('cameras.configure', { id: camId, mqttSerial: serial });
  });
  afterAll(async () => {
    await tc?.close();
    await dev?.stop();
  });

  it('takes one snapshot per rise in the person count, not one per message (local Mosquitto)', async () => {
    await tc.sys('settings.set', { key: 'cameras.mqtt.host', value: '127.0.0.1' });
    await tc.sys('settings.set', { key: 'cameras.mqtt.port', value: 1883 });
    await until('the MQTT subscription', async () => (await tc.sys<{ connected: boolean }>('cameras.mqttStatus', {})).connected, 10_000);
    await new Promise((r) => setTimeout(r, 300)); // SUBACK
    const topic = `/merakimv/${serial}/0`;
    const counts = [0, 1, 1, 2, 2, 1, 0, 0, 1];
    const msgs: [string, string][] = counts.map((n, i) => [topic, JSON.stringify({ ts: Date.now() + i, counts: { person: n } })]);
    // Not person counts: ignored.
    msgs.push([topic, 'not json'], [`/merakimv/${serial}/raw_detections`, JSON.stringify({ objects: [{ type: 'person' }] })]);
    // Another camera's serial: not ours.
    msgs.push([`/merakimv/Q2XX-OTHER-0000/0`, JSON.stringify({ ts: 1, counts: { person: 5 } })]);
    await publish(1883, msgs);
    // Rises: 0→1, 1→2, 0→1.
    await until('three person snapshots', () => snapshots(tc, camId) >= 3, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(snapshots(tc, camId)).toBe(3);
    const events = tc.core.db.prepare("SELECT details FROM audit_event WHERE action = 'camera.snapshot'").all() as { details: string }[];
    expect(events.filter((e) => JSON.parse(e.details).reason === 'person')).toHaveLength(3);
  });
});

describe('MQTT reconnect with backoff (a private broker that restarts)', () => {
  let broker: ChildProcess | undefined;
  let tc: TestCore;
  let dev: OnvifTestDevice;
  let port = 0;

  async function startBroker() {
    broker = spawn('/usr/sbin/mosquitto', ['-p', String(port)], { stdio: 'ignore' });
    await until('mosquitto', () =>
      new Promise<boolean>((r) => {
        const s = createServer();
        s.once('error', () => r(true)); // port taken: the broker is listening
        s.listen(port, '127.0.0.1', () => s.close(() => r(false)));
      }), 10_000);
  }
  async function stopBroker() {
    const b = broker;
    broker = undefined;
    if (b && b.exitCode === null) {
      b.kill('SIGKILL');
      await new Promise((r) => b.once('exit', r));
    }
  }

  beforeAll(async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    await startBroker();
    dev = await new OnvifTestDevice({ user: 'admin', password: 'pw' }).start();
    tc = await testCore();
    await tc.sys('onboarding.complete', ONBOARD);
  });
  afterAll(async () => {
    await tc?.close();
    await dev?.stop();
    await stopBroker();
  });

  it('reconnects after the broker comes back and still reacts to rises', async () => {
    const cam = await tc.sys<{ id: number }>('cameras.addOnvif', { name: 'Aisle', host: dev.hostPort, user: 'admin', password: 'pw' });
    await tc.sys('cameras.configure', { id: cam.id, mqttSerial: 'Q2AA-BBBB-CCCC' });
    await tc.sys('settings.set', { key: 'cameras.mqtt.port', value: port });
    await tc.sys('settings.set', { key: 'cameras.mqtt.host', value: '127.0.0.1' });
    await until('connected', async () => (await tc.sys<{ connected: boolean }>('cameras.mqttStatus', {})).connected, 10_000);
    await stopBroker();
    await until('disconnected', async () => !(await tc.sys<{ connected: boolean }>('cameras.mqttStatus', {})).connected, 10_000);
    await new Promise((r) => setTimeout(r, 2500)); // a few failed attempts: the backoff grows
    await startBroker();
    const st = await until(
      'reconnected',
      async () => {
        const s = await tc.sys<{ connected: boolean; reconnects: number }>('cameras.mqttStatus', {});
        return s.connected ? s : undefined;
      },
      20_000,
    );
    expect(st.reconnects).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 300));
    await publish(port, [['/merakimv/Q2AA-BBBB-CCCC/0', JSON.stringify({ ts: 1, counts: { person: 2 } })]]);
    await until('a person snapshot after reconnect', () => snapshots(tc, cam.id) === 1, 10_000);
  }, 60_000);
});
