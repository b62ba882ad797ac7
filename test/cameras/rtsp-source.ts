/**
 * A real RTSP camera on loopback: Debian's rtsp-server-perl, fed by ffmpeg (testsrc, H.264) through
 * RTSP ANNOUNCE/RECORD. Clients PLAY rtsp://127.0.0.1:<clientPort>/<path> over UDP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** One RTSP DESCRIBE; true when the mount exists (a source is publishing). */
export function describe(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = connect(Number(u.port), u.hostname);
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write(`DESCRIBE ${url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n`));
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n\r\n')) done(/^RTSP\/1.0 200/.test(buf));
    });
  });
}

async function until(what: string, fn: () => Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export class RtspSource {
  server?: ChildProcess;
  source?: ChildProcess;
  clientPort = 0;
  log = '';
  sourcePort = 0;
  constructor(readonly path = 'h264main') {}

  url(): string {
    return `rtsp://127.0.0.1:${this.clientPort}/${this.path}`;
  }

  async start(): Promise<this> {
    this.clientPort = await freePort();
    this.sourcePort = await freePort();
    // RTP ports from a random even base below Linux's ephemeral range (32768+): the server binds
    // them silently, and a port already taken by some client socket means no video at all.
    const rtpBase = 20000 + 2 * Math.floor(Math.random() * 6000);
    this.server = spawn(
      '/usr/bin/rtsp-server-perl',
      ['--clientport', String(this.clientPort), '--serverport', String(this.sourcePort), '--rtp_start_port', String(rtpBase),
        '--client_listen_address', '127.0.0.1', '--source_listen_address', '127.0.0.1', '--loglevel', '0'],
      { stdio: 'ignore' },
    );
    await until('rtsp-server-perl', () => new Promise((r) => {
      const s = connect(this.sourcePort, '127.0.0.1');
      s.on('connect', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    }));
    await this.startSource();
    return this;
  }

  async startSource(): Promise<void> {
    this.source = spawn(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10', '-pix_fmt', 'yuv420p',
        '-f', 'rtsp', `rtsp://127.0.0.1:${this.sourcePort}/${this.path}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.source.stderr!.on('data', (b: Buffer) => (this.log += b.toString()));
    await until('the RTSP source', () => describe(this.url()));
    // DESCRIBE answers from ANNOUNCE on; a client that PLAYs before RECORD starts gets no RTP ever.
    await new Promise((r) => setTimeout(r, 1500));
  }

  /** The camera "dies": the encoder stops publishing; the server stays up. */
  async stopSource(): Promise<void> {
    const s = this.source;
    this.source = undefined;
    if (s && s.exitCode === null) {
      s.kill('SIGKILL');
      await new Promise((r) => s.once('exit', r));
    }
  }

  async stop(): Promise<void> {
    await this.stopSource();
    const s = this.server;
    this.server = undefined;
    if (s && s.exitCode === null) {
      s.kill('SIGKILL');
      await new Promise((r) => s.once('exit', r));
    }
  }
}
