import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { HTTP_STATUS } from '../contract/errors.js';
import type { Core } from '../core/index.js';
import type { Logger } from '../core/deps.js';
import { dispatch } from './dispatch.js';
import { UploadArea } from './uploads.js';
import { fixedCore, type CoreHolder } from './core-holder.js';

export interface HttpServerOptions {
  core?: Core;
  /** Instead of `core`: a holder whose core may be swapped (penny serve: real store ↔ demo). */
  cores?: CoreHolder;
  port?: number;
  /** Built renderer (index.html + assets). Without it only the API is served. */
  staticDir?: string;
  logger?: Logger;
  /** Fixed token for tests; otherwise a fresh random one per launch. */
  token?: string;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_JSON_BYTES = 2 * 1024 * 1024;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.mp4': 'video/mp4',
};
// Same policy as the Electron window: only our own origin, plus ws: back to it for events.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error(`request body is larger than ${limit} bytes`), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Browser mode: the same core behind POST /api/<command> and a WebSocket of events, on 127.0.0.1
 * only. Every API call must carry the per-launch token (header x-penny-token, or ?token= for the
 * WebSocket) so other local users' pages and processes cannot drive the station.
 */
export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  if (!opts.cores && !opts.core) throw new Error('startHttpServer needs core or cores');
  const cores = opts.cores ?? fixedCore(opts.core!);
  // Uploads stay in the first store's folder: they are transient files handed to commands by path.
  const uploads = new UploadArea(join(cores.current.dataDir, 'uploads'));
  const staticRoot = opts.staticDir ? resolve(opts.staticDir) : undefined;
  let port = 0;

  const hostAllowed = (host: string | undefined) => host === `127.0.0.1:${port}` || host === `localhost:${port}`;

  const server = createServer(async (req, res) => {
    try {
      // Reject DNS-rebinding: a page on another name that resolves to 127.0.0.1 must not reach us.
      if (!hostAllowed(req.headers.host)) return sendJson(res, 421, { ok: false, error: { code: 'forbidden', message: 'wrong Host header' } });
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);

      if (url.pathname.startsWith('/api/')) {
        if (!sameToken(req.headers['x-penny-token'] as string | undefined, token)) {
          return sendJson(res, 401, { ok: false, error: { code: 'unauthenticated', message: 'Missing or wrong launch token. Open the URL that `penny serve` printed.' } });
        }
        const session = (req.headers['x-penny-session'] as string | undefined) || undefined;

        if (url.pathname.startsWith('/api/uploads')) {
          const resolved = session ? cores.current.resolveSession(session) : null;
          if (!resolved) return sendJson(res, 401, { ok: false, error: { code: 'unauthenticated', message: 'Sign in to upload files.' } });
          const body = await readBody(req, UploadArea.MAX_CHUNK + 1024);
          const result = uploads.handle(req.method ?? 'GET', url, body);
          return sendJson(res, result.status, result.body);
        }

        if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'invalid_input', message: 'Use POST for commands.' } });
        const name = decodeURIComponent(url.pathname.slice('/api/'.length));
        const raw = await readBody(req, MAX_JSON_BYTES);
        let input: unknown = {};
        if (raw.length) {
          try {
            input = JSON.parse(raw.toString('utf8'));
          } catch {
            return sendJson(res, 400, { ok: false, error: { code: 'invalid_input', message: 'Request body is not valid JSON.' } });
          }
        }
        const result = await dispatch(cores.current, name, input, { session }, opts.logger);
        return sendJson(res, result.ok ? 200 : HTTP_STATUS[result.error.code], result);
      }

      if (url.pathname.startsWith('/media/') && (req.method === 'GET' || req.method === 'HEAD')) {
        const rel = url.pathname.slice('/media/'.length).split('/').map(decodeURIComponent).join('/');
        const found = cores.current.resolveMedia(rel, url.searchParams.get('exp'), url.searchParams.get('sig'));
        if ('status' in found) return sendJson(res, found.status, { ok: false, error: { code: found.status === 404 ? 'not_found' : 'forbidden', message: found.reason } });
        return serveFile(found.file, req.headers.range, req.method === 'HEAD', res);
      }

      if (!staticRoot || (req.method !== 'GET' && req.method !== 'HEAD')) return sendJson(res, 404, { ok: false, error: { code: 'not_found', message: 'Not found.' } });
      serveStatic(staticRoot, url.pathname, res);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 500;
      if (status === 500) opts.logger?.error('http request failed', { error: err instanceof Error ? err.stack : String(err) });
      if (!res.headersSent) sendJson(res, status, { ok: false, error: { code: status === 413 ? 'invalid_input' : 'internal', message: status === 413 ? (err as Error).message : 'Internal error.' } });
      else res.destroy();
    }
  });

  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/events' || !hostAllowed(req.headers.host) || !sameToken(url.searchParams.get('token') ?? undefined, token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });
  const forward = (name: string, payload: unknown) => {
    const msg = JSON.stringify({ name, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(msg);
  };
  let unsubscribeCore = cores.current.events.subscribe(forward);
  const offSwitch = cores.onSwitch((core) => {
    unsubscribeCore();
    unsubscribeCore = core.events.subscribe(forward);
  });
  const unsubscribe = () => {
    offSwitch();
    unsubscribeCore();
  };

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** Streams evidence with byte ranges so the player can seek; never cached by the browser beyond the link's life. */
function serveFile(file: string, range: string | undefined, headOnly: boolean, res: ServerResponse) {
  const size = statSync(file).size;
  const headers: Record<string, string | number> = {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'private, max-age=600',
    'x-content-type-options': 'nosniff',
  };
  const m = range?.match(/^bytes=(\d*)-(\d*)$/);
  if (range && m) {
    let start = m[1] ? Number(m[1]) : size - Number(m[2]);
    let end = m[1] ? (m[2] ? Number(m[2]) : size - 1) : size - 1;
    start = Math.max(0, start);
    end = Math.min(end, size - 1);
    if (start > end || start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      return res.end();
    }
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
    if (headOnly) return res.end();
    return createReadStream(file, { start, end }).pipe(res);
  }
  res.writeHead(200, { ...headers, 'content-length': size });
  if (headOnly) return res.end();
  createReadStream(file).pipe(res);
}

function serveStatic(root: string, pathname: string, res: ServerResponse) {
  let rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  let file = join(root, rel);
  if (!file.startsWith(root + sep) && file !== root) return sendJson(res, 404, { ok: false, error: { code: 'not_found', message: 'Not found.' } });
  // Single-page app: unknown paths get index.html so deep links work.
  if (!existsSync(file) || statSync(file).isDirectory()) {
    rel = 'index.html';
    file = join(root, rel);
  }
  if (!existsSync(file)) return sendJson(res, 404, { ok: false, error: { code: 'not_found', message: 'The UI is not built. Run `npm run build:renderer`.' } });
  const type = MIME[extname(file)] ?? 'application/octet-stream';
  const headers: Record<string, string> = {
    'content-type': type,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': rel === 'index.html' ? 'no-store' : 'public, max-age=31536000, immutable',
  };
  if (type.startsWith('text/html')) {
    headers['content-security-policy'] = CSP;
    headers['x-frame-options'] = 'DENY';
  }
  res.writeHead(200, headers);
  createReadStream(file).pipe(res);
}
