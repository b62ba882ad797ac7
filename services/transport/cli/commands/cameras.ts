import { copyFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { COMMANDS } from '../../../contract/index.js';
import type { CameraView, DiscoveredDevice } from '../../../contract/index.js';
import { CliError, intOpt, str, type CliCommand, type CliContext, type Values } from '../types.js';
import { printOr, passwordFromStdin } from '../output.js';

/** --user U --password-stdin, or neither. */
async function credentials(ctx: CliContext, v: Values): Promise<{ user?: string; password?: string }> {
  const user = str(v.user);
  if (v['password-stdin'] && !user) throw new CliError('--password-stdin needs --user', 2);
  if (!user) return {};
  if (!v['password-stdin']) throw new CliError('--user needs --password-stdin (passwords are never taken as arguments)', 2);
  return { user, password: await passwordFromStdin(ctx) };
}

function cameraId(pos: string[], usage: string): number {
  if (pos.length !== 1 || !/^\d+$/.test(pos[0]!)) throw new CliError(`usage: ${usage}`, 2);
  return Number(pos[0]);
}

const deviceLine = (dv: DiscoveredDevice) =>
  `${dv.host}\t${dv.manufacturer ?? dv.scopeHardware ?? '?'} ${dv.model ?? dv.scopeName ?? ''}\t${
    dv.error ?? dv.profiles.map((p) => `${p.token}: ${p.streamUri ?? '-'}`).join('; ')
  }${dv.cameraId ? `\t(camera ${dv.cameraId})` : ''}`;

const cameraLine = (c: CameraView) =>
  `${c.id}\t${c.name}\t${c.source}\t${c.health.state}\t${c.rtspUrl}${c.enabled ? '' : '\t(disabled)'}`;

/** Links a new camera to a register through the video domain's register↔camera map. */
async function linkRegister(ctx: CliContext, cameraIdValue: number, registerId: number): Promise<void> {
  if (!COMMANDS['registerCameras.set']) throw new CliError('--register needs the video domain (registerCameras.set), which this build lacks', 1);
  const map = await ctx.call<{ registerId: number; cameraId: number; preRollMs: number; postRollMs: number }[]>('registerCameras.list', {});
  const cameras = map.filter((m) => m.registerId === registerId).map(({ cameraId, preRollMs, postRollMs }) => ({ cameraId, preRollMs, postRollMs }));
  await ctx.call('registerCameras.set', { registerId, cameras: [...cameras, { cameraId: cameraIdValue }] });
}

export const camerasCliCommands: CliCommand[] = [
  {
    path: ['cameras', 'discover'],
    summary: 'Find ONVIF cameras (multicast, or unicast probes of hosts / a range) with profiles and URIs',
    usage: 'penny cameras discover [--probe HOST[:PORT]]... [--range CIDR [--port P]] [--multicast] [--timeout S] [--user U --password-stdin] [--json]',
    options: {
      probe: { type: 'string', multiple: true },
      range: { type: 'string' },
      port: { type: 'string' },
      multicast: { type: 'boolean' },
      timeout: { type: 'string' },
      user: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
    async run(ctx, v) {
      const timeout = str(v.timeout);
      if (timeout !== undefined && !/^\d+(\.\d+)?$/.test(timeout)) throw new CliError(`--timeout must be seconds, got "${timeout}"`, 2);
      const probes = Array.isArray(v.probe) ? v.probe.filter((p): p is string => typeof p === 'string') : [];
      const r = await ctx.call<{ discoveryId: string; devices: DiscoveredDevice[] }>('cameras.discover', {
        probe: probes,
        range: str(v.range),
        port: intOpt(v, 'port'),
        multicast: v.multicast ? true : undefined,
        timeoutMs: timeout !== undefined ? Math.round(Number(timeout) * 1000) : undefined,
        ...(await credentials(ctx, v)),
      });
      printOr(ctx, r.devices, r.devices.length ? r.devices.map(deviceLine).join('\n') : 'No ONVIF devices answered.');
    },
  },
  {
    path: ['cameras', 'add'],
    summary: 'Add a camera by ONVIF address or by RTSP URL (credentials are encrypted at rest)',
    usage: 'penny cameras add --name N (--onvif HOST[:PORT] [--profile TOKEN] | --rtsp URL [--no-test]) [--user U --password-stdin] [--register ID] [--json]',
    options: {
      name: { type: 'string' },
      onvif: { type: 'string' },
      rtsp: { type: 'string' },
      profile: { type: 'string' },
      'no-test': { type: 'boolean' },
      user: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      register: { type: 'string' },
    },
    async run(ctx, v) {
      const name = str(v.name);
      if (!name) throw new CliError('missing --name', 2);
      const onvif = str(v.onvif);
      const rtsp = str(v.rtsp);
      if (!!onvif === !!rtsp) throw new CliError('give exactly one of --onvif HOST[:PORT] or --rtsp URL', 2);
      const register = intOpt(v, 'register');
      const creds = await credentials(ctx, v);
      const cam = onvif
        ? await ctx.call<CameraView>('cameras.addOnvif', { name, host: onvif, profileToken: str(v.profile), ...creds })
        : await ctx.call<CameraView>('cameras.addRtsp', { name, rtspUrl: rtsp, test: !v['no-test'], ...creds });
      if (register !== undefined) await linkRegister(ctx, cam.id, register);
      printOr(ctx, cam, `Added camera ${cam.id} "${cam.name}" (${cam.source}${cam.onvif ? `, ${cam.onvif.manufacturer} ${cam.onvif.model}` : ''}).`);
    },
  },
  {
    path: ['cameras', 'list'],
    summary: 'List cameras with their source and health',
    usage: 'penny cameras list [--json]',
    async run(ctx) {
      const cams = await ctx.call<CameraView[]>('cameras.status', {});
      printOr(ctx, cams, cams.length ? cams.map(cameraLine).join('\n') : 'No cameras yet.');
    },
  },
  {
    path: ['cameras', 'test'],
    summary: 'Test connection: codec, resolution, fps and first-frame latency (ffprobe)',
    usage: 'penny cameras test (ID | --rtsp URL) [--json]',
    options: { rtsp: { type: 'string' } },
    positionals: true,
    async run(ctx, v, pos) {
      const rtsp = str(v.rtsp);
      const input = rtsp && pos.length === 0 ? { rtspUrl: rtsp } : { id: cameraId(pos, 'penny cameras test (ID | --rtsp URL)') };
      const t = await ctx.call<{ codec: string; width: number; height: number; fps: number | null; firstFrameMs: number }>('cameras.test', input);
      printOr(ctx, t, `OK: ${t.codec} ${t.width}x${t.height}${t.fps ? ` ${t.fps} fps` : ''}, first frame in ${t.firstFrameMs} ms`);
    },
  },
  {
    path: ['cameras', 'snapshot'],
    summary: 'Take a JPEG snapshot (ONVIF snapshot URI, else an ffmpeg frame grab)',
    usage: 'penny cameras snapshot ID [--out FILE.jpg] [--json]',
    options: { out: { type: 'string' } },
    positionals: true,
    async run(ctx, v, pos) {
      const id = cameraId(pos, 'penny cameras snapshot ID [--out FILE.jpg]');
      const s = await ctx.call<{ path: string; bytes: number; source: string }>('cameras.snapshot', { id });
      const out = str(v.out);
      if (out) copyFileSync(s.path, resolve(out));
      printOr(ctx, { ...s, out: out ? resolve(out) : null }, `Snapshot (${s.source}, ${s.bytes} bytes) saved to ${out ? resolve(out) : s.path}`);
    },
  },
  {
    path: ['cameras', 'health'],
    summary: 'Camera health: online/offline, last frame, bitrate (--refresh checks now)',
    usage: 'penny cameras health [ID] [--refresh] [--json]',
    options: { refresh: { type: 'boolean' } },
    positionals: true,
    async run(ctx, v, pos) {
      const id = pos.length ? cameraId(pos, 'penny cameras health [ID] [--refresh]') : undefined;
      const h = await ctx.call<{ cameraId: number; state: string; bitrateKbps: number | null; lastFrameAt: number | null; error: string | null }[]>('cameras.health', {
        id,
        refresh: !!v.refresh,
      });
      printOr(
        ctx,
        h,
        h.map((x) => `${x.cameraId}\t${x.state}\t${x.bitrateKbps ?? '-'} kbit/s\t${x.lastFrameAt ? new Date(x.lastFrameAt).toISOString() : '-'}${x.error ? `\t${x.error}` : ''}`).join('\n') || 'No cameras yet.',
      );
    },
  },
  {
    path: ['cameras', 'configure'],
    summary: 'Set a camera\'s MV Sense serial, ONVIF profile, credentials or enabled state',
    usage: 'penny cameras configure ID [--mqtt-serial S] [--profile TOKEN] [--enable|--disable] [--user U --password-stdin] [--json]',
    options: {
      'mqtt-serial': { type: 'string' },
      profile: { type: 'string' },
      enable: { type: 'boolean' },
      disable: { type: 'boolean' },
      user: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
    positionals: true,
    async run(ctx, v, pos) {
      const id = cameraId(pos, 'penny cameras configure ID [options]');
      if (v.enable && v.disable) throw new CliError('give --enable or --disable, not both', 2);
      const cam = await ctx.call<CameraView>('cameras.configure', {
        id,
        mqttSerial: str(v['mqtt-serial']),
        profileToken: str(v.profile),
        enabled: v.enable ? true : v.disable ? false : undefined,
        ...(await credentials(ctx, v)),
      });
      printOr(ctx, cam, `Updated camera ${cam.id}: ${cameraLine(cam)}`);
    },
  },
];
