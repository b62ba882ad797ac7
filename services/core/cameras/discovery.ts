import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { PennyError } from '../../contract/errors.js';
import { parseXml, pick, text } from './xml.js';

export const WSD_MULTICAST = '239.255.255.250';
export const WSD_PORT = 3702;

export interface ProbeTarget {
  host: string;
  port: number;
}

export interface ProbeMatch {
  endpoint: string;
  xaddrs: string[];
  scopes: string[];
  types: string[];
  /** Where the answer came from. */
  from: string;
}

export function probeMessage(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    '<s:Header>' +
    `<a:MessageID>uuid:${messageId}</a:MessageID>` +
    '<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>' +
    '<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>' +
    '</s:Header><s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>'
  );
}

const words = (v: unknown) => (text(v) ?? '').split(/\s+/).filter(Boolean);

/** The matches of one ProbeMatches datagram that answer our MessageID (others are stray traffic). */
export function parseProbeMatches(xml: string, messageId: string, from: string): ProbeMatch[] {
  let doc;
  try {
    doc = parseXml(xml);
  } catch {
    return [];
  }
  const relates = text(pick(doc, 'Envelope', 'Header', 'RelatesTo'))?.trim();
  if (relates && relates !== `uuid:${messageId}` && relates !== messageId) return [];
  const matches = pick(doc, 'Envelope', 'Body', 'ProbeMatches', 'ProbeMatch');
  const list = Array.isArray(matches) ? matches : matches ? [matches] : [];
  return list
    .map((m) => ({
      endpoint: text(pick(m, 'EndpointReference', 'Address'))?.trim() ?? '',
      xaddrs: words(pick(m, 'XAddrs')),
      scopes: words(pick(m, 'Scopes')),
      types: words(pick(m, 'Types')),
      from,
    }))
    .filter((m) => m.xaddrs.length > 0);
}

/** Hosts of an IPv4 CIDR range, without network and broadcast addresses; at most /20. */
export function expandCidr(cidr: string): string[] {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) throw new PennyError('invalid_input', `range "${cidr}" is not an IPv4 CIDR such as 192.168.1.0/24`, { field: 'range' });
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) {
    throw new PennyError('invalid_input', `range "${cidr}" is not a valid IPv4 CIDR`, { field: 'range' });
  }
  if (bits < 20) throw new PennyError('invalid_input', `range "${cidr}" is too large (at most /20, 4094 addresses)`, { field: 'range' });
  const base = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const size = 2 ** (32 - bits);
  const start = (base & (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0)) >>> 0;
  const out: string[] = [];
  const first = size > 2 ? 1 : 0;
  const last = size > 2 ? size - 2 : size - 1;
  for (let i = first; i <= last; i++) {
    const a = (start + i) >>> 0;
    out.push([a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.'));
  }
  return out;
}

/** "host" or "host:port" (IPv4 or a name) into a target with the WS-Discovery port as default. */
export function parseHostPort(s: string, defaultPort: number, field: string): ProbeTarget {
  const m = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(s.trim());
  const port = m?.[2] ? Number(m[2]) : defaultPort;
  if (!m || port < 1 || port > 65535) throw new PennyError('invalid_input', `${field} "${s}" must look like HOST or HOST:PORT`, { field });
  return { host: m[1]!, port };
}

export interface ProbeOptions {
  targets: ProbeTarget[];
  multicast: boolean;
  /** Local address whose interface sends the multicast probe (default: the OS's choice). */
  multicastInterface?: string;
  multicastPort?: number;
  timeoutMs: number;
  onProgress?: (sent: number, total: number, found: number) => void;
}

/**
 * Sends WS-Discovery Probes (multicast and/or unicast, one socket) and collects the ProbeMatches
 * that arrive before the timeout, one per device endpoint.
 */
export async function wsDiscover(o: ProbeOptions): Promise<ProbeMatch[]> {
  const messageId = randomUUID();
  const msg = Buffer.from(probeMessage(messageId));
  const found = new Map<string, ProbeMatch>();
  const sock: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('message', (buf, rinfo) => {
    for (const m of parseProbeMatches(buf.toString('utf8'), messageId, `${rinfo.address}:${rinfo.port}`)) {
      if (!found.has(m.endpoint || m.xaddrs[0]!)) found.set(m.endpoint || m.xaddrs[0]!, m);
    }
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  sock.on('error', () => {});
  const send = (host: string, port: number) =>
    new Promise<void>((resolve) => sock.send(msg, port, host, () => resolve()));
  try {
    const total = o.targets.length + (o.multicast ? 1 : 0);
    let sent = 0;
    if (o.multicast) {
      if (o.multicastInterface) sock.setMulticastInterface(o.multicastInterface);
      sock.setMulticastTTL(1);
      await send(WSD_MULTICAST, o.multicastPort ?? WSD_PORT);
      o.onProgress?.(++sent, total, found.size);
    }
    for (const t of o.targets) {
      await send(t.host, t.port);
      sent++;
      // Pace large ranges so a small router's ARP table is not flooded.
      if (sent % 64 === 0) {
        o.onProgress?.(sent, total, found.size);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    o.onProgress?.(sent, total, found.size);
    await new Promise((r) => setTimeout(r, o.timeoutMs));
  } finally {
    sock.close();
  }
  return [...found.values()];
}
