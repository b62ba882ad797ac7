import { PennyError } from '../../contract/errors.js';
import { soapCall, type SoapTarget } from './soap.js';
import { asList, cleanUri, pick, text, xmlEscape, type XmlNode } from './xml.js';

export interface OnvifProfile {
  token: string;
  name: string;
  encoding: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  streamUri: string | null;
  snapshotUri: string | null;
}

export interface OnvifInfo {
  xaddr: string;
  manufacturer: string;
  model: string;
  firmware: string;
  serial: string;
  hardwareId: string;
  clockOffsetMs: number;
  profiles: OnvifProfile[];
}

export interface OnvifOptions {
  xaddr: string;
  user?: string;
  password?: string;
  timeoutMs?: number;
  fetch: typeof fetch;
  now: () => number;
}

const num = (v: unknown): number | null => {
  const t = text(v);
  const n = t === undefined ? NaN : Number(t);
  return Number.isFinite(n) ? n : null;
};

/**
 * The device clock minus ours. Cameras without NTP drift by hours, and a WS-Security token whose
 * Created time is outside the device's window is refused as if the password were wrong.
 */
export async function readClockOffset(t: SoapTarget): Promise<number> {
  const body = await soapCall(t, '<tds:GetSystemDateAndTime/>', { auth: false });
  const utc = pick(body, 'GetSystemDateAndTimeResponse', 'SystemDateAndTime', 'UTCDateTime');
  const [Y, M, D, h, m, s] = [
    num(pick(utc, 'Date', 'Year')),
    num(pick(utc, 'Date', 'Month')),
    num(pick(utc, 'Date', 'Day')),
    num(pick(utc, 'Time', 'Hour')),
    num(pick(utc, 'Time', 'Minute')),
    num(pick(utc, 'Time', 'Second')),
  ];
  if ([Y, M, D, h, m, s].some((v) => v === null)) return 0;
  return Date.UTC(Y!, M! - 1, D!, h!, m!, s!) - t.now();
}

function mediaXaddr(body: XmlNode, fallback: string): string {
  const x = cleanUri(pick(body, 'GetCapabilitiesResponse', 'Capabilities', 'Media', 'XAddr'));
  return x ?? fallback;
}

function parseProfiles(body: XmlNode): Omit<OnvifProfile, 'streamUri' | 'snapshotUri'>[] {
  return asList(pick(body, 'GetProfilesResponse', 'Profiles')).map((p) => {
    const venc = pick(p, 'VideoEncoderConfiguration');
    const token = (p as XmlNode)['@token'];
    return {
      token: typeof token === 'string' ? token : '',
      name: text(pick(p, 'Name')) ?? '',
      encoding: text(pick(venc, 'Encoding')) ?? null,
      width: num(pick(venc, 'Resolution', 'Width')),
      height: num(pick(venc, 'Resolution', 'Height')),
      fps: num(pick(venc, 'RateControl', 'FrameRateLimit')),
    };
  }).filter((p) => p.token);
}

/**
 * Everything Penny needs from an ONVIF device: identity, media profiles and, per profile, the RTSP
 * stream URI and the JPEG snapshot URI. Reads the device clock first so the digest token is valid.
 */
export async function inspectOnvif(o: OnvifOptions): Promise<OnvifInfo> {
  const base: SoapTarget = {
    url: o.xaddr,
    user: o.user,
    password: o.password,
    clockOffsetMs: 0,
    timeoutMs: o.timeoutMs ?? 5000,
    fetch: o.fetch,
    now: o.now,
  };
  let clockOffsetMs = 0;
  try {
    clockOffsetMs = await readClockOffset(base);
  } catch (e) {
    // Some firmwares want auth even for the clock; carry on with our own time.
    if (!(e instanceof PennyError) || (e.code === 'unavailable' && /did not answer|No answer/.test(e.message))) throw e;
  }
  const t = { ...base, clockOffsetMs };
  const info = pick(await soapCall(t, '<tds:GetDeviceInformation/>'), 'GetDeviceInformationResponse');
  let mediaUrl = o.xaddr;
  try {
    mediaUrl = mediaXaddr(await soapCall(t, '<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>'), o.xaddr);
  } catch (e) {
    if (e instanceof PennyError && e.code === 'invalid_input') throw e;
  }
  const media = { ...t, url: mediaUrl };
  const profiles: OnvifProfile[] = [];
  for (const p of parseProfiles(await soapCall(media, '<trt:GetProfiles/>'))) {
    const tok = xmlEscape(p.token);
    const stream = await soapCall(
      media,
      `<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>${tok}</trt:ProfileToken></trt:GetStreamUri>`,
    );
    let snapshotUri: string | null = null;
    try {
      const snap = await soapCall(media, `<trt:GetSnapshotUri><trt:ProfileToken>${tok}</trt:ProfileToken></trt:GetSnapshotUri>`);
      snapshotUri = cleanUri(pick(snap, 'GetSnapshotUriResponse', 'MediaUri', 'Uri')) ?? null;
    } catch (e) {
      // Many DVRs have no snapshot service; Penny grabs a frame with ffmpeg instead.
      if (e instanceof PennyError && e.code === 'invalid_input') throw e;
    }
    profiles.push({ ...p, streamUri: cleanUri(pick(stream, 'GetStreamUriResponse', 'MediaUri', 'Uri')) ?? null, snapshotUri });
  }
  return {
    xaddr: o.xaddr,
    manufacturer: text(pick(info, 'Manufacturer'))?.trim() ?? '',
    model: text(pick(info, 'Model'))?.trim() ?? '',
    firmware: text(pick(info, 'FirmwareVersion'))?.trim() ?? '',
    serial: text(pick(info, 'SerialNumber'))?.trim() ?? '',
    hardwareId: text(pick(info, 'HardwareId'))?.trim() ?? '',
    clockOffsetMs,
    profiles,
  };
}

/** http://host:port/onvif/device_service from what a user types ("192.168.1.64", "cam:8080"). */
export function deviceServiceUrl(hostPort: string): string {
  if (/^https?:\/\//i.test(hostPort)) return hostPort;
  return `http://${hostPort}/onvif/device_service`;
}
