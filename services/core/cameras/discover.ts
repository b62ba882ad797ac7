import { randomUUID } from 'node:crypto';
import { PennyError } from '../../contract/errors.js';
import type { DiscoveredDevice } from '../../contract/commands/cameras.js';
import type { AppDeps } from '../app.js';
import { expandCidr, parseHostPort, wsDiscover, WSD_PORT, type ProbeTarget } from './discovery.js';
import { inspectOnvif } from './onvif.js';
import { allCameras } from './repo.js';

export interface DiscoverInput {
  probe: string[];
  range?: string;
  port: number;
  multicast?: boolean;
  timeoutMs: number;
  user?: string;
  password?: string;
}

const scope = (scopes: string[], kind: string) => {
  const s = scopes.find((x) => x.startsWith(`onvif://www.onvif.org/${kind}/`));
  return s ? decodeURIComponent(s.slice(`onvif://www.onvif.org/${kind}/`.length)) || null : null;
};

/** Picks the xaddr on an address we can reach; devices list several (IPv6, other NICs). */
function bestXaddr(xaddrs: string[], from: string): string {
  const fromHost = from.split(':')[0];
  return xaddrs.find((x) => x.includes(`//${fromHost}`)) ?? xaddrs.find((x) => /^http:\/\/\d+\.\d+\.\d+\.\d+/.test(x)) ?? xaddrs[0]!;
}

/**
 * Probe, then inspect each device (identity, profiles, URIs). A device that refuses our
 * credentials is still listed, with the reason, so the user can add it with the right ones.
 */
export async function discover(d: AppDeps, input: DiscoverInput, opts: { multicastInterface?: string; multicastPort?: number } = {}) {
  const discoveryId = randomUUID();
  const targets: ProbeTarget[] = input.probe.map((p) => parseHostPort(p, WSD_PORT, 'probe'));
  if (input.range) for (const host of expandCidr(input.range)) targets.push({ host, port: input.port });
  const multicast = input.multicast ?? targets.length === 0;
  if (!multicast && targets.length === 0) {
    throw new PennyError('invalid_input', 'Nothing to probe: give probe hosts, a range, or allow multicast.', { field: 'probe' });
  }
  const progress = (phase: 'probing' | 'inspecting' | 'done', done: number, total: number, found: number) =>
    d.events.emit('cameras.discoveryProgressed', { discoveryId, phase, done, total, found });
  d.logger.info('camera discovery started', { discoveryId, targets: targets.length, multicast });
  const matches = await wsDiscover({
    targets,
    multicast,
    multicastInterface: opts.multicastInterface,
    multicastPort: opts.multicastPort,
    timeoutMs: input.timeoutMs,
    onProgress: (sent, total, found) => progress('probing', sent, total, found),
  });
  const known = allCameras(d.db);
  const devices: DiscoveredDevice[] = [];
  for (const [i, m] of matches.entries()) {
    progress('inspecting', i, matches.length, matches.length);
    const xaddr = bestXaddr(m.xaddrs, m.from);
    const host = new URL(xaddr).host;
    const dev: DiscoveredDevice = {
      endpoint: m.endpoint,
      xaddr,
      host,
      scopeName: scope(m.scopes, 'name'),
      scopeHardware: scope(m.scopes, 'hardware'),
      manufacturer: null,
      model: null,
      firmware: null,
      serial: null,
      clockOffsetMs: null,
      profiles: [],
      error: null,
      cameraId: known.find((k) => k.onvif_xaddr === xaddr || k.onvif_host === host)?.id ?? null,
    };
    try {
      const info = await inspectOnvif({ xaddr, user: input.user, password: input.password, fetch: d.fetch, now: d.clock.now, timeoutMs: 5000 });
      Object.assign(dev, {
        manufacturer: info.manufacturer,
        model: info.model,
        firmware: info.firmware,
        serial: info.serial,
        clockOffsetMs: info.clockOffsetMs,
        profiles: info.profiles,
      });
    } catch (e) {
      if (!(e instanceof PennyError)) throw e;
      dev.error = e.message;
    }
    devices.push(dev);
  }
  progress('done', matches.length, matches.length, matches.length);
  d.logger.info('camera discovery finished', { discoveryId, found: devices.length });
  return { discoveryId, devices };
}
