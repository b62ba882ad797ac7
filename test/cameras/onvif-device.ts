/**
 * A loopback ONVIF camera for tests: WS-Discovery responder (unicast and, optionally, multicast) and
 * SOAP over HTTP answering the real captured responses in fixtures/onvif/agsh-mockup. It checks
 * WS-UsernameToken digests against its own (possibly skewed) clock, or HTTP Digest, like a camera.
 * Run standalone (for a network namespace): tsx test/cameras/onvif-device.ts --http-port P --wsd-port Q [--multicast]
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/onvif/agsh-mockup');

export interface DeviceOptions {
  user?: string;
  password?: string;
  /** wsse: WS-UsernameToken digest; digest: HTTP Digest; none: open. */
  auth?: 'wsse' | 'digest' | 'none';
  /** The device clock minus real time (a camera without NTP). */
  clockSkewMs?: number;
  rtspPort?: number;
  /** Pad and break the <tt:Uri> values across lines, as some firmwares do. */
  uriWhitespace?: boolean;
  /** UDP port for WS-Discovery (0 = any free port); 3702 with multicast. */
  wsdPort?: number;
  multicast?: boolean;
  httpPort?: number;
}

/** A tiny doT subset: {{=expr}} and {{? cond }}…{{?}}, which the captured files use. */
function render(tpl: string, it: Record<string, unknown>): string {
  const ev = (expr: string) => new Function('it', `return (${expr});`)(it) as unknown;
  return tpl
    .replace(/\{\{\?\s*(.+?)\s*\}\}([\s\S]*?)\{\{\?\}\}/g, (_m, cond: string, body: string) => (ev(cond) ? body : ''))
    .replace(/\{\{=(.+?)\}\}/g, (_m, expr: string) => String(ev(expr)));
}

const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function fault(code: string, subcode: string, reason: string): string {
  // The captured Error.xml, with its placeholders filled.
  return fixture('Error.xml')
    .replace(/fault code/, code)
    .replace(/ter:fault subcode/, subcode)
    .replace(/ter:fault subcode/, subcode)
    .replace(/fault reason/, reason)
    .replace(/fault detail/, reason);
}

function tinyJpeg(): Buffer {
  const width = 64;
  const height = 48;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i % width) * 4, 120, 200, 255], i * 4);
  return jpeg.encode({ data, width, height }, 80).data;
}

export class OnvifTestDevice {
  http!: Server;
  wsd!: Socket;
  httpPort = 0;
  wsdPort = 0;
  readonly requests: { method: string; authorized: boolean }[] = [];
  readonly snapshot = tinyJpeg();
  private nonces = new Set<string>();

  constructor(readonly o: DeviceOptions = {}) {}

  get xaddr() {
    return `http://127.0.0.1:${this.httpPort}/onvif/device_service`;
  }
  get hostPort() {
    return `127.0.0.1:${this.httpPort}`;
  }

  async start(): Promise<this> {
    this.http = createServer((req, res) => void this.onHttp(req, res));
    await new Promise<void>((r) => this.http.listen(this.o.httpPort ?? 0, '127.0.0.1', r));
    this.httpPort = (this.http.address() as { port: number }).port;
    this.wsd = createSocket({ type: 'udp4', reuseAddr: true });
    this.wsd.on('message', (buf, rinfo) => this.onProbe(buf.toString('utf8'), rinfo.address, rinfo.port));
    await new Promise<void>((r) => this.wsd.bind(this.o.wsdPort ?? 0, this.o.multicast ? '0.0.0.0' : '127.0.0.1', r));
    if (this.o.multicast) this.wsd.addMembership('239.255.255.250', '127.0.0.1');
    this.wsdPort = this.wsd.address().port;
    return this;
  }

  async stop(): Promise<void> {
    this.wsd.close();
    this.http.closeAllConnections();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  private onProbe(xml: string, host: string, port: number): void {
    if (!/Probe>/.test(xml) || /ProbeMatches/.test(xml)) return;
    const id = /MessageID[^>]*>([^<]+)</.exec(xml)?.[1]?.trim() ?? '';
    const reply = fixture('Probe.xml').replace('RELATES_TO', id).replace('SERVICE_URI', this.xaddr);
    this.wsd.send(Buffer.from(reply), port, host);
  }

  private deviceNow(): number {
    return Date.now() + (this.o.clockSkewMs ?? 0);
  }

  private checkWsse(body: string): boolean {
    const user = /<(?:\w+:)?Username>([^<]*)</.exec(body)?.[1];
    const digest = /<(?:\w+:)?Password[^>]*>([^<]*)</.exec(body)?.[1];
    const nonce = /<(?:\w+:)?Nonce[^>]*>([^<]*)</.exec(body)?.[1];
    const created = /<(?:\w+:)?Created>([^<]*)</.exec(body)?.[1];
    if (!user || !digest || !nonce || !created) return false;
    // A token more than 5 minutes off the device clock is stale, as on real cameras.
    if (Math.abs(Date.parse(created) - this.deviceNow()) > 5 * 60_000) return false;
    const expect = createHash('sha1')
      .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created + (this.o.password ?? ''), 'utf8')]))
      .digest('base64');
    return user === this.o.user && expect === digest;
  }

  private checkDigest(req: IncomingMessage): boolean {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Digest ')) return false;
    const f: Record<string, string> = {};
    for (const m of h.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) f[m[1]!] = m[2] ?? m[3] ?? '';
    if (!f.nonce || !this.nonces.has(f.nonce) || f.username !== this.o.user) return false;
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const ha1 = md5(`${f.username}:${f.realm}:${this.o.password ?? ''}`);
    const ha2 = md5(`${req.method}:${f.uri}`);
    const expect = f.qop ? md5(`${ha1}:${f.nonce}:${f.nc}:${f.cnonce}:${f.qop}:${ha2}`) : md5(`${ha1}:${f.nonce}:${ha2}`);
    return expect === f.response;
  }

  private challenge(res: ServerResponse): void {
    const nonce = randomBytes(12).toString('hex');
    this.nonces.add(nonce);
    res.writeHead(401, { 'www-authenticate': `Digest realm="Penny Test Camera", qop="auth", nonce="${nonce}", opaque="${randomBytes(6).toString('hex')}"` });
    res.end();
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const auth = this.o.auth ?? 'wsse';
    if (req.method === 'GET' && req.url?.startsWith('/onvif-cgi/jpg/image.cgi')) {
      if (auth !== 'none' && !this.checkDigest(req)) return this.challenge(res);
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(this.snapshot);
      return;
    }
    if (req.method !== 'POST' || !/^\/onvif\/(device_service|services|media_service)$/.test(req.url ?? '')) {
      res.writeHead(404).end();
      return;
    }
    const method = /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(body)?.[1] ?? '';
    const open = method === 'GetSystemDateAndTime';
    let authorized = auth === 'none' || open;
    if (!authorized && auth === 'digest') {
      if (!req.headers.authorization) return this.challenge(res);
      authorized = this.checkDigest(req);
      if (!authorized) return this.challenge(res);
    }
    if (!authorized && auth === 'wsse') authorized = this.checkWsse(body);
    this.requests.push({ method, authorized });
    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' });
      res.end(xml);
    };
    if (!authorized) return send(400, fault('SOAP-ENV:Sender', 'ter:NotAuthorized', 'Sender not Authorized'));
    const it = { hostname: '127.0.0.1', port: this.httpPort, rtspPort: this.o.rtspPort ?? 554 };
    const files: Record<string, string> = {
      GetSystemDateAndTime: 'GetSystemDateAndTime.xml',
      GetDeviceInformation: 'GetDeviceInformation.xml',
      GetCapabilities: 'GetCapabilities.xml',
      GetProfiles: 'GetProfiles.xml',
      GetStreamUri: 'GetStreamUri.xml',
      GetSnapshotUri: 'GetSnapshotUri.xml',
    };
    const file = files[method];
    if (!file) return send(400, fault('SOAP-ENV:Receiver', 'ter:ActionNotSupported', `Optional Action Not Implemented: ${method}`));
    let xml = render(fixture(file), it);
    if (method === 'GetSystemDateAndTime') {
      const d = new Date(this.deviceNow());
      const set = (tag: string, v: number) => (xml = xml.replace(new RegExp(`<tt:${tag}>\\d+</tt:${tag}>`), `<tt:${tag}>${v}</tt:${tag}>`));
      set('Hour', d.getUTCHours());
      set('Minute', d.getUTCMinutes());
      set('Second', d.getUTCSeconds());
      set('Year', d.getUTCFullYear());
      set('Month', d.getUTCMonth() + 1);
      set('Day', d.getUTCDate());
    }
    if (this.o.uriWhitespace) xml = xml.replace(/<tt:Uri>([^<]*)<\/tt:Uri>/g, (_m, u: string) => `<tt:Uri>\n        ${u.replace('?', '?\n   ')}\n      </tt:Uri>`);
    send(200, xml);
  }
}

// Standalone mode, for the network-namespace discovery test.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (n: string) => {
    const i = process.argv.indexOf(`--${n}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const dev = await new OnvifTestDevice({
    user: arg('user') ?? 'admin',
    password: arg('password') ?? 'secret',
    httpPort: Number(arg('http-port') ?? 0),
    wsdPort: Number(arg('wsd-port') ?? 0),
    rtspPort: Number(arg('rtsp-port') ?? 554),
    multicast: process.argv.includes('--multicast'),
  }).start();
  process.stdout.write(JSON.stringify({ ready: true, httpPort: dev.httpPort, wsdPort: dev.wsdPort }) + '\n');
  process.on('SIGTERM', () => void dev.stop().then(() => process.exit(0)));
}
