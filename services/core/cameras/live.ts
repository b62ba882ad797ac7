import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Mpeg1Muxer from 'node-rtsp-stream/mpeg1muxer.js';
import { WebSocketServer, type WebSocket } from 'ws';
import { PennyError } from '../../contract/errors.js';
import type { Clock, Logger } from '../deps.js';

/** jsmpeg's stream header, as node-rtsp-stream's VideoStream sends it: "jsmp", width, height. */
function jsmpegHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(8);
  b.write('jsmp');
  b.writeUInt16BE(width, 4);
  b.writeUInt16BE(height, 6);
  return b;
}

interface Session {
  cameraId: number;
  muxer: Mpeg1Muxer;
  viewers: Set<WebSocket>;
  startedAt: number;
  bytesSent: number;
  width: number;
  height: number;
  idleTimer?: NodeJS.Timeout;
}

export interface LiveSource {
  url: string;
  width: number | null;
  height: number | null;
}

export interface LiveHubOptions {
  ffmpegPath: string;
  clock: Clock;
  logger: Logger;
  /** Resolves a camera to the URL ffmpeg opens (with credentials); throws not_found. */
  source(cameraId: number): LiveSource;
  idleMs(): number;
  ticketTtlMs?: number;
}

/**
 * Live view: one WebSocket server on 127.0.0.1 (path /live/<cameraId>?ticket=…). node-rtsp-stream's
 * muxer (ffmpeg → MPEG-TS/MPEG-1) starts when the first viewer connects and is stopped once nobody
 * has watched for idleMs. A ticket from cameras.liveStart is needed, so another local process cannot
 * watch without a session.
 */
export function createLiveHub(o: LiveHubOptions) {
  const sessions = new Map<number, Session>();
  const tickets = new Map<string, { cameraId: number; expiresAt: number }>();
  let wss: WebSocketServer | undefined;
  let port = 0;

  async function ensureServer(): Promise<number> {
    if (wss) return port;
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1024 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    wss = server;
    port = (server.address() as { port: number }).port;
    server.on('connection', (ws, req) => onConnection(ws, req));
    return port;
  }

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/live\/(\d+)$/.exec(u.pathname);
    const ticket = tickets.get(u.searchParams.get('ticket') ?? '');
    if (!m || !ticket || ticket.cameraId !== Number(m[1]) || ticket.expiresAt < o.clock.now()) {
      ws.close(4401, 'live view ticket missing, expired or for another camera');
      return;
    }
    const cameraId = Number(m[1]);
    let s = sessions.get(cameraId);
    if (!s) {
      try {
        s = startSession(cameraId);
      } catch (e) {
        ws.close(4404, e instanceof PennyError ? e.message.slice(0, 120) : 'cannot start live view');
        return;
      }
    }
    const session = s;
    if (session.idleTimer) clearTimeout(session.idleTimer);
    session.idleTimer = undefined;
    session.viewers.add(ws);
    ws.send(jsmpegHeader(session.width, session.height));
    ws.on('close', () => {
      session.viewers.delete(ws);
      if (session.viewers.size === 0) scheduleIdleStop(session);
    });
    ws.on('error', () => ws.terminate());
  }

  function startSession(cameraId: number): Session {
    const src = o.source(cameraId);
    const muxer = new Mpeg1Muxer({
      url: src.url,
      ffmpegPath: o.ffmpegPath,
      // Output options (node-rtsp-stream puts them after -f mpegts -codec:v mpeg1video). MPEG-1 allows
      // only broadcast frame rates, so 10 or 15 fps cameras are resampled to 25.
      ffmpegOptions: { '-loglevel': 'error', '-nostats': '', '-an': '', '-b:v': '1000k', '-bf': '0', '-r': '25' },
    });
    const s: Session = {
      cameraId,
      muxer,
      viewers: new Set(),
      startedAt: o.clock.now(),
      bytesSent: 0,
      width: src.width ?? 640,
      height: src.height ?? 480,
    };
    muxer.on('mpeg1data', (data: Buffer) => {
      for (const v of s.viewers) {
        // A slow viewer is skipped rather than buffered without bound.
        if (v.readyState === 1 && v.bufferedAmount < 4 * 1024 * 1024) {
          v.send(data);
          s.bytesSent += data.length;
        }
      }
    });
    muxer.stream.on('exit', (code) => {
      if (sessions.get(cameraId) !== s) return;
      sessions.delete(cameraId);
      o.logger.warn('live view stream ended', { cameraId, code });
      for (const v of s.viewers) v.close(4500, 'camera stream ended');
    });
    sessions.set(cameraId, s);
    o.logger.info('live view started', { cameraId });
    return s;
  }

  function scheduleIdleStop(s: Session): void {
    if (s.idleTimer) clearTimeout(s.idleTimer);
    s.idleTimer = setTimeout(() => {
      if (s.viewers.size === 0) stopSession(s.cameraId);
    }, o.idleMs());
  }

  function stopSession(cameraId: number): boolean {
    const s = sessions.get(cameraId);
    if (!s) return false;
    sessions.delete(cameraId);
    if (s.idleTimer) clearTimeout(s.idleTimer);
    for (const v of s.viewers) v.close(4000, 'live view stopped');
    s.muxer.stream.kill('SIGKILL');
    o.logger.info('live view stopped', { cameraId });
    return true;
  }

  return {
    /** A ticket URL for one camera; validates the camera now so a bad id fails here, not on connect. */
    async ticket(cameraId: number) {
      const src = o.source(cameraId);
      const p = await ensureServer();
      const now = o.clock.now();
      for (const [k, t] of tickets) if (t.expiresAt < now) tickets.delete(k);
      const ticket = randomBytes(18).toString('base64url');
      const expiresAt = now + (o.ticketTtlMs ?? 60_000);
      tickets.set(ticket, { cameraId, expiresAt });
      return { cameraId, url: `ws://127.0.0.1:${p}/live/${cameraId}?ticket=${ticket}`, width: src.width, height: src.height, expiresAt };
    },
    stop: stopSession,
    status() {
      return [...sessions.values()].map((s) => ({ cameraId: s.cameraId, viewers: s.viewers.size, startedAt: s.startedAt, bytesSent: s.bytesSent }));
    },
    /** For tests and status: is ffmpeg running for this camera? */
    running: (cameraId: number) => sessions.has(cameraId),
    async close() {
      for (const id of [...sessions.keys()]) stopSession(id);
      tickets.clear();
      if (wss) {
        const s = wss;
        wss = undefined;
        for (const c of s.clients) c.terminate();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}

export type LiveHub = ReturnType<typeof createLiveHub>;
