/**
 * Cameras: how long the steps a user waits on take, against loopback devices.
 * - Discovery: unicast WS-Discovery probes of a /24 (254 hosts, one device answers) vs one probe;
 *   both wait the same 300 ms listen window, so the difference is the cost of sending 254 probes.
 * - ONVIF inspection (clock, identity, capabilities, profiles, stream + snapshot URI per profile,
 *   WS-UsernameToken digest each call) vs a bare GetSystemDateAndTime round trip: the protocol cost.
 * - Snapshot: ONVIF snapshot URI (HTTP digest) vs ffmpeg single-frame grab from rtsp-server-perl.
 * Goals: discovery of a /24 under 1 s; inspection under 100 ms; ONVIF snapshot under 100 ms.
 */
import { wsDiscover, expandCidr } from '../../services/core/cameras/discovery.js';
import { inspectOnvif } from '../../services/core/cameras/onvif.js';
import { soapCall } from '../../services/core/cameras/soap.js';
import { fetchSnapshot } from '../../services/core/cameras/snapshot.js';
import { grabFrame } from '../../services/core/cameras/media.js';
import { OnvifTestDevice } from '../cameras/onvif-device.js';
import { RtspSource } from '../cameras/rtsp-source.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
async function time(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}
const line = (label: string, xs: number[]) => `${label.padEnd(44)} median ${median(xs).toFixed(1)} ms  p95 ${p95(xs).toFixed(1)} ms`;

const rtsp = await new RtspSource().start();
const dev = await new OnvifTestDevice({ user: 'admin', password: 'pw', rtspPort: rtsp.clientPort }).start();
const digestDev = await new OnvifTestDevice({ user: 'admin', password: 'pw', auth: 'digest', rtspPort: rtsp.clientPort }).start();
try {
  const hosts = expandCidr('127.0.0.0/24').map((host) => ({ host, port: dev.wsdPort }));
  const one = await time(5, () => wsDiscover({ targets: [{ host: '127.0.0.1', port: dev.wsdPort }], multicast: false, timeoutMs: 300 }));
  const range = await time(5, async () => {
    const found = await wsDiscover({ targets: hosts, multicast: false, timeoutMs: 300 });
    if (found.length !== 1) throw new Error(`expected 1 device, found ${found.length}`);
  });
  console.log(line('discovery: 1 unicast probe (baseline)', one));
  console.log(line('discovery: /24 range, 254 probes', range));
  console.log(`  → range costs ${(median(range) - median(one)).toFixed(1)} ms over one probe (goal: total < 1000 ms)`);

  const t = { url: dev.xaddr, clockOffsetMs: 0, timeoutMs: 3000, fetch, now: Date.now };
  const clock = await time(RUNS, () => soapCall(t, '<tds:GetSystemDateAndTime/>', { auth: false }));
  const inspect = await time(RUNS, () => inspectOnvif({ xaddr: dev.xaddr, user: 'admin', password: 'pw', fetch, now: Date.now }));
  const inspectDigest = await time(RUNS, () => inspectOnvif({ xaddr: digestDev.xaddr, user: 'admin', password: 'pw', fetch, now: Date.now }));
  console.log(line('SOAP: GetSystemDateAndTime (baseline)', clock));
  console.log(line('ONVIF inspect, WS-UsernameToken (6 calls)', inspect));
  console.log(line('ONVIF inspect, HTTP digest (6 calls x 2)', inspectDigest));
  console.log(`  → inspect = ${(median(inspect) / median(clock)).toFixed(1)}× one round trip (goal: < 100 ms)`);

  const info = await inspectOnvif({ xaddr: digestDev.xaddr, user: 'admin', password: 'pw', fetch, now: Date.now });
  const snapUri = info.profiles[0]!.snapshotUri!;
  const onvifSnap = await time(RUNS, () => fetchSnapshot(fetch, snapUri, { user: 'admin', password: 'pw' }));
  const grab = await time(Math.min(RUNS, 5), () => grabFrame('ffmpeg', rtsp.url()));
  console.log(line('snapshot: ONVIF URI with HTTP digest', onvifSnap));
  console.log(line('snapshot: ffmpeg frame grab over RTSP', grab));
  console.log(`  → the snapshot URI is ${(median(grab) / median(onvifSnap)).toFixed(0)}× faster than a frame grab`);
} finally {
  await dev.stop();
  await digestDev.stop();
  await rtsp.stop();
}
